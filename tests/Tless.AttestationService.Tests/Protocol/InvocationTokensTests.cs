using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests.Protocol;

public sealed class InvocationTokensTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Sign_ThenVerify_RoundTripsClaims()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = InvocationToken.Create("wf", "r1", "a#3", "b#0", [new InvocationInput("k", new string('0', 64))], Time, TimeSpan.FromMinutes(1), ["x.y.z"]);
        var compact = InvocationTokens.Sign(token, key);
        Assert.True(InvocationTokens.TryVerify(compact, key, out var parsed));
        Assert.Equal(token.Workflow, parsed.Workflow);
        Assert.Equal(token.Inputs, parsed.Inputs);
        Assert.Equal(token.AuthorityTokens, parsed.AuthorityTokens);
        Assert.Equal((token.IssuedAt, token.ExpiresAt, token.Nonce), (parsed.IssuedAt, parsed.ExpiresAt, parsed.Nonce));
        Assert.Equal(new NodeInstance("b", 0), parsed.Target);
    }

    [Fact]
    public void Verify_OtherKeyOrTamperedPayload_Fails()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var compact = InvocationTokens.Sign(InvocationToken.Create("wf", "r1", "user", "b#0", [], Time, TimeSpan.FromMinutes(1)), key);
        Assert.False(InvocationTokens.TryVerify(compact, other, out _));

        var parts = compact.Split('.');
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("b#0", "b#1", StringComparison.Ordinal);
        var tampered = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
        Assert.False(InvocationTokens.TryVerify(tampered, key, out var t));
        Assert.Equal("b#1", t.To);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a.b", "three")]
    [InlineData("a.b.c.d", "three")]
    [InlineData("e30.e30.AA", "algorithm")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoidGxlc3MtaW52K2p3cyJ9.e30.AA", "algorithm 'none'")]
    [InlineData("eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.e30.AA", "type 'JWT'")]
    [InlineData("eyJhbGciOiJFUzI1NiIsInR5cCI6InRsZXNzLWluditqd3MiLCJjcml0IjpbIngiXX0.e30.AA", "unsupported header parameter 'crit'")]
    [InlineData("eyJhbGciOiJFUzI1NiIsInR5cCI6InRsZXNzLWluditqd3MifQ.e30.AA", "64")]
    [InlineData("e+.e30.AA", "base64url")]
    public void Parse_Malformed_SaysWhatIsWrong(string compact, string expected)
    {
        var e = Assert.Throws<ProtocolException>(() => InvocationTokens.Parse(compact));
        Assert.Equal(ProblemCodes.TokenMalformed, e.Code);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadClaims_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string Sign(string payload) => CompactJwsFor(payload, key);
        Assert.Contains("'to'", Assert.Throws<ProtocolException>(() => InvocationTokens.Parse(Sign("{\"v\":1,\"wf\":\"w\",\"run\":\"r\",\"from\":\"user\",\"to\":\"b\",\"iat\":1,\"exp\":2,\"nonce\":\"n\"}"))).Message, StringComparison.Ordinal);
        Assert.Contains("version", Assert.Throws<ProtocolException>(() => InvocationTokens.Parse(Sign("{\"v\":2}"))).Message, StringComparison.Ordinal);
        Assert.Contains("'exp'", Assert.Throws<ProtocolException>(() => InvocationTokens.Parse(Sign("{\"v\":1,\"wf\":\"w\",\"run\":\"r\",\"from\":\"user\",\"to\":\"b#0\",\"iat\":5,\"exp\":2,\"nonce\":\"n\"}"))).Message, StringComparison.Ordinal);
        Assert.Contains("sha256", Assert.Throws<ProtocolException>(() => InvocationTokens.Parse(Sign("{\"v\":1,\"wf\":\"w\",\"run\":\"r\",\"from\":\"user\",\"to\":\"b#0\",\"iat\":1,\"exp\":2,\"nonce\":\"n\",\"inputs\":[{\"key\":\"k\",\"sha256\":\"XY\"}]}"))).Message, StringComparison.Ordinal);
        Assert.Contains("JSON", Assert.Throws<ProtocolException>(() => InvocationTokens.Parse(Sign("{\"v\":\"1\"}"))).Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public void Parse_RandomText_OnlyProtocolException(NonNull<string> text)
    {
        try
        {
            InvocationTokens.Parse(text.Get);
        }
        catch (ProtocolException e)
        {
            Assert.Equal(ProblemCodes.TokenMalformed, e.Code);
        }
    }

    [Property(MaxTest = 200)]
    public void Parse_MutatedToken_NeverVerifiesAndOnlyProtocolException(PositiveInt position, byte value)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var compact = InvocationTokens.Sign(InvocationToken.Create("wf", "r1", "a#0", "b#1", [], Time, TimeSpan.FromMinutes(1)), key);
        var chars = compact.ToCharArray();
        var i = position.Get % chars.Length;
        var replacement = (char)('!' + (value % 90));
        if (chars[i] == replacement)
        {
            return;
        }

        chars[i] = replacement;
        try
        {
            Assert.False(InvocationTokens.TryVerify(new string(chars), key, out _));
        }
        catch (ProtocolException)
        {
        }
    }

    [Theory]
    [InlineData("a#0", "a", 0)]
    [InlineData("node-x#12", "node-x", 12)]
    [InlineData("a#b#3", "a#b", 3)]
    public void NodeInstance_Parse_Valid(string text, string node, int index) =>
        Assert.Equal(new NodeInstance(node, index), NodeInstance.Parse(text, "x"));

    [Theory]
    [InlineData("a")]
    [InlineData("#1")]
    [InlineData("a#")]
    [InlineData("a#01")]
    [InlineData("a#-1")]
    [InlineData("a#99999999999")]
    public void NodeInstance_Parse_Invalid(string text) =>
        Assert.False(NodeInstance.TryParse(text, out _));

    private static string CompactJwsFor(string payload, ECDsa key)
    {
        var header = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"ES256\",\"typ\":\"tless-inv+jws\"}"u8);
        var input = header + "." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var sig = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256);
        return input + "." + System.Buffers.Text.Base64Url.EncodeToString(sig);
    }
}
