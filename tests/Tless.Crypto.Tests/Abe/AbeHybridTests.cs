using System.Text;
using Tless.Crypto.Abe;

namespace Tless.Crypto.Tests.Abe;

public sealed class AbeHybridTests(AbeTestAuthorities authorities) : IClassFixture<AbeTestAuthorities>
{
    private const string Gid = "host-1";
    private static readonly Policy TwoOfOr = Policy.Parse("as0.wf:W & as0.node:n-1 | as1.wf:W & as1.node:n-1");
    private static readonly byte[] Ad = AbeHybrid.AssociatedData("inputs/0", "W", "n-1");
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("confidential function input");

    private List<UserKeyPart> GoodKeys() => authorities.Issue(Gid, ["as1.wf:W", "as1.node:n-1"]);

    [Fact]
    public void TryDecrypt_SatisfyingKeys_ReturnsPlaintext()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, Message, Ad);
        Assert.True(AbeHybrid.TryDecrypt(GoodKeys(), ct, Ad, out var pt));
        Assert.Equal(Message, pt);
    }

    [Fact]
    public void TryDecrypt_EmptyPlaintext_RoundTrips()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, [], []);
        Assert.True(AbeHybrid.TryDecrypt(GoodKeys(), ct, [], out var pt));
        Assert.Empty(pt);
    }

    [Fact]
    public void TryDecrypt_UnsatisfyingKeys_ReturnsFalse()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, Message, Ad);
        Assert.False(AbeHybrid.TryDecrypt(authorities.Issue(Gid, ["as0.wf:W", "as1.node:n-1"]), ct, Ad, out var pt));
        Assert.Null(pt);
    }

    [Fact]
    public void TryDecrypt_OtherAssociatedData_ReturnsFalse()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, Message, Ad);
        Assert.False(AbeHybrid.TryDecrypt(GoodKeys(), ct, AbeHybrid.AssociatedData("inputs/1", "W", "n-1"), out _));
        Assert.False(AbeHybrid.TryDecrypt(GoodKeys(), ct, AbeHybrid.AssociatedData("inputs/0", "W", "n-2"), out _));
        Assert.False(AbeHybrid.TryDecrypt(GoodKeys(), ct, [], out _));
    }

    [Fact]
    public void TryDecrypt_TamperedPayloadOrTag_ReturnsFalse()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, Message, Ad);
        foreach (var offset in new[] { ct.Length - 1, ct.Length - 17, ct.Length - 16 - Message.Length })
        {
            var t = (byte[])ct.Clone();
            t[offset] ^= 0x80;
            Assert.False(AbeHybrid.TryDecrypt(GoodKeys(), t, Ad, out _));
        }
    }

    [Fact]
    public void TryDecrypt_TamperedHeaderPolicy_DoesNotDecrypt()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, Message, Ad);
        // Weaken the policy text in the header to the one branch the keys satisfy... length must stay equal, so
        // swap the two clauses instead: still well-formed, but rows no longer match their labels.
        var text = Encoding.ASCII.GetBytes(TwoOfOr.ToString());
        var swapped = Encoding.ASCII.GetBytes("as1.wf:W & as1.node:n-1 | as0.wf:W & as0.node:n-1");
        var t = (byte[])ct.Clone();
        swapped.CopyTo(t, t.AsSpan().IndexOf(text));
        Assert.Equal(Policy.Parse(Encoding.ASCII.GetString(swapped)), AbeHybrid.ReadPolicy(t));
        Assert.False(AbeHybrid.TryDecrypt(GoodKeys(), t, Ad, out _));
        Assert.False(AbeHybrid.TryDecrypt(authorities.Issue(Gid, ["as0.wf:W", "as0.node:n-1"]), t, Ad, out _));
    }

    [Fact]
    public void TryDecrypt_TruncatedAtAnyLength_RefusedWithFormatErrorOrFalse()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, Policy.Parse("as0.wf:W"), Message, Ad);
        var keys = authorities.Issue(Gid, ["as0.wf:W"]);
        var abeEnd = ct.Length - Message.Length - 16;
        for (var len = 0; len < ct.Length; len += len < abeEnd ? 37 : 1)
        {
            var prefix = ct.AsSpan(0, len).ToArray();
            try
            {
                Assert.False(AbeHybrid.TryDecrypt(keys, prefix, Ad, out _));
            }
            catch (TlessFormatException e)
            {
                Assert.Contains("ABE", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void TryDecrypt_BadEnvelope_ThrowsClearFormatError()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, Policy.Parse("as0.wf:W"), Message, Ad);
        var keys = authorities.Issue(Gid, ["as0.wf:W"]);

        var badMagic = (byte[])ct.Clone();
        badMagic[0] = (byte)'X';
        Assert.Contains("magic", Assert.Throws<TlessFormatException>(() => AbeHybrid.TryDecrypt(keys, badMagic, Ad, out _)).Message, StringComparison.Ordinal);

        var badVersion = (byte[])ct.Clone();
        badVersion[4] = 9;
        Assert.Contains("version 9", Assert.Throws<TlessFormatException>(() => AbeHybrid.TryDecrypt(keys, badVersion, Ad, out _)).Message, StringComparison.Ordinal);

        var badLength = (byte[])ct.Clone();
        badLength[5] = 0x7f;
        Assert.Contains("claims", Assert.Throws<TlessFormatException>(() => AbeHybrid.ReadPolicy(badLength)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPolicy_ReturnsHeaderPolicy()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, TwoOfOr, Message, Ad);
        Assert.Equal(TwoOfOr, AbeHybrid.ReadPolicy(ct));
    }

    [Fact]
    public void TryDecrypt_KeysOfTwoGids_ReturnsFalse()
    {
        var policy = Policy.Parse("as0.wf:W & as1.wf:W");
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, policy, Message, Ad);
        List<UserKeyPart> mixed = [.. authorities.Issue("a", ["as0.wf:W"]), .. authorities.Issue("b", ["as1.wf:W"])];
        Assert.False(AbeHybrid.TryDecrypt(mixed, ct, Ad, out _));
    }

    [Fact]
    public void AssociatedData_IsUnambiguous()
    {
        Assert.NotEqual(AbeHybrid.AssociatedData("ab", "c", "d"), AbeHybrid.AssociatedData("a", "bc", "d"));
        Assert.NotEqual(AbeHybrid.AssociatedData("a", "", "bd"), AbeHybrid.AssociatedData("a", "b", "d"));
        Assert.Equal(AbeHybrid.AssociatedData("o", "w", "n"), AbeHybrid.AssociatedData("o", "w", "n"));
        Assert.Throws<ArgumentException>(() => AbeHybrid.AssociatedData("\ud800", "w", "n"));
    }
}

public sealed class AbeHybridLazyRowTests(AbeTestAuthorities authorities) : IClassFixture<AbeTestAuthorities>
{
    private static readonly byte[] Ad = AbeHybrid.AssociatedData("o", "W", "n");

    [Fact]
    public void TryDecrypt_InvalidPointInUnusedRow_ReturnsFalse()
    {
        // Rows of the branch the keys do not use are not decoded, but the confirmation tag still covers them.
        var policy = Policy.Parse("as0.wf:W | as1.wf:W");
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, policy, [1, 2, 3], Ad);
        var keys = authorities.Issue("g", ["as0.wf:W"]);
        var c2OfRow1 = RowOffset(ct, row: 1) + 576;
        ct.AsSpan(c2OfRow1, 48).Clear();
        ct[c2OfRow1] = 0x80; // (0, 2): on the curve, order 3
        Assert.False(AbeHybrid.TryDecrypt(keys, ct, Ad, out _));
        Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(ct.AsSpan(9, ct.Length - 9 - 3 - 16)));
    }

    [Fact]
    public void TryDecrypt_InvalidPointInUsedRow_ThrowsFormatException()
    {
        var policy = Policy.Parse("as0.wf:W | as1.wf:W");
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, policy, [1, 2, 3], Ad);
        var keys = authorities.Issue("g", ["as0.wf:W"]);
        var c2OfRow0 = RowOffset(ct, row: 0) + 576;
        ct.AsSpan(c2OfRow0, 48).Clear();
        ct[c2OfRow0] = 0x80;
        var e = Assert.Throws<TlessFormatException>(() => AbeHybrid.TryDecrypt(keys, ct, Ad, out _));
        Assert.Contains("C2 of row 0", e.Message, StringComparison.Ordinal);
    }

    private static int RowOffset(byte[] hybrid, int row)
    {
        const int envelope = 9;
        var policyLength = (hybrid[envelope + 5] << 8) | hybrid[envelope + 6];
        return envelope + 5 + 2 + policyLength + 2 + (row * AbeCiphertext.RowSize);
    }
}
