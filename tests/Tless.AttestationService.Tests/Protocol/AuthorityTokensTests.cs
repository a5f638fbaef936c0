using System.Security.Cryptography;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests.Protocol;

public sealed class AuthorityTokensTests
{
    [Fact]
    public void Issue_ThenVerify_RoundTripsWithHolderKey()
    {
        using var authority = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var host = HostIdentity.Create();
        var token = Token(host);
        var jwt = AuthorityTokens.Issue(token, authority);
        Assert.Equal("as1", AuthorityTokens.PeekIssuer(jwt));
        Assert.True(AuthorityTokens.TryVerify(jwt, authority, out var parsed));
        Assert.Equal(token.HolderKey.ToArray(), parsed.HolderKey.ToArray());
        Assert.Equal(token.Ancestors, parsed.Ancestors);
        Assert.Equal((token.Workflow, token.Node, token.Instance, token.Gid, token.ExpiresAt), (parsed.Workflow, parsed.Node, parsed.Instance, parsed.Gid, parsed.ExpiresAt));

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(AuthorityTokens.TryVerify(jwt, other, out _));
    }

    [Fact]
    public void Parse_InvocationTokenAsAuthorityToken_RefusedByType()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var inv = InvocationTokens.Sign(InvocationToken.Create("wf", "r", "user", "a#0", [], TimeProvider.System, TimeSpan.FromMinutes(1)), key);
        var e = Assert.Throws<ProtocolException>(() => AuthorityTokens.TryVerify(inv, key, out _));
        Assert.Contains("type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_BadHolderKey_Throws()
    {
        using var authority = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var host = HostIdentity.Create();
        Assert.Throws<ArgumentException>(() => AuthorityTokens.Issue(Token(host) with { HolderKey = [1, 2, 3] }, authority));
    }

    private static AuthorityToken Token(HostIdentity host) => new()
    {
        Issuer = "as1",
        Workflow = "wf",
        Node = "n",
        Instance = 2,
        Gid = host.Gid,
        Tee = "sim",
        Measurement = new string('a', 96),
        Ancestors = ["p", "q"],
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(1_700_003_600),
        HolderKey = [.. host.SigningPublicKey],
    };
}
