using Tless.Crypto.Abe;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Abe;

/// <summary>
/// Guards of the decryption fast paths: the ABE decoders rely on the group decoders' subgroup check (no second check),
/// and key parts cache prepared pairing points.
/// </summary>
public sealed class AbeDecodingCostTests(AbeTestAuthorities authorities) : IClassFixture<AbeTestAuthorities>
{
    private static readonly byte[] Ad = AbeHybrid.AssociatedData("o", "W", "n");

    // A point on the G2 curve outside the prime-order subgroup: the SSWU map without cofactor clearing.
    private static byte[] OffSubgroupG2()
    {
        Span<Fp2> u = stackalloc Fp2[1];
        HashToField.ToFp2("off-subgroup"u8, "TLESS-TEST-OFF-SUBGROUP"u8, u);
        var p = G2.MapToCurve(u[0]);
        Assert.True(p.IsOnCurve());
        Assert.False(p.IsInSubgroup());
        return p.ToCompressed();
    }

    // (0, 2) lies on y^2 = x^3 + 4 but has order 3.
    private static byte[] OffSubgroupG1()
    {
        var b = new byte[G1.CompressedLength];
        b[0] = 0x80;
        return b;
    }

    [Fact]
    public void TryDecrypt_OffSubgroupC4InUsedRow_ThrowsFormatException()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, Policy.Parse("as0.wf:W | as1.wf:W"), [1, 2, 3], Ad);
        var keys = authorities.Issue("g", ["as0.wf:W"]);
        OffSubgroupG2().CopyTo(ct, RowOffset(ct, row: 0) + 576 + 48 + 48);
        var e = Assert.Throws<TlessFormatException>(() => AbeHybrid.TryDecrypt(keys, ct, Ad, out _));
        Assert.Contains("C4 of row 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("subgroup", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecrypt_OffSubgroupC3InUsedRow_ThrowsFormatException()
    {
        var ct = AbeHybrid.Encrypt(authorities.PublicKeys, Policy.Parse("as0.wf:W & as0.node:N"), [1, 2, 3], Ad);
        var keys = authorities.Issue("g", ["as0.wf:W", "as0.node:N"]);
        OffSubgroupG1().CopyTo(ct, RowOffset(ct, row: 1) + 576 + 48);
        var e = Assert.Throws<TlessFormatException>(() => AbeHybrid.TryDecrypt(keys, ct, Ad, out _));
        Assert.Contains("C3 of row 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_OffSubgroupC4_ThrowsFormatException()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W | as1.wf:W"), out _).ToBytes();
        var policyLength = (ct[5] << 8) | ct[6];
        var row1 = 5 + 2 + policyLength + 2 + AbeCiphertext.RowSize;
        OffSubgroupG2().CopyTo(ct, row1 + 576 + 48 + 48);
        var e = Assert.Throws<TlessFormatException>(() => AbeCiphertext.FromBytes(ct));
        Assert.Contains("C4 of row 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_OffSubgroupKeyElements_ThrowsFormatException()
    {
        using var part = CpAbe.KeyGen(authorities["as1"], "g", ["as1.wf:W"]);
        var bytes = part.Export();
        var kAt = bytes.AsSpan().IndexOf("as1.wf:W"u8) + "as1.wf:W"u8.Length;

        var badK = (byte[])bytes.Clone();
        OffSubgroupG2().CopyTo(badK, kAt);
        Assert.Contains("K of attribute 0", Assert.Throws<TlessFormatException>(() => UserKeyPart.Import(badK)).Message, StringComparison.Ordinal);

        var badKPrime = (byte[])bytes.Clone();
        OffSubgroupG1().CopyTo(badKPrime, kAt + G2.CompressedLength);
        Assert.Contains("K' of attribute 0", Assert.Throws<TlessFormatException>(() => UserKeyPart.Import(badKPrime)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecapsulate_SameKeyPartsRepeatedly_RecoverEachKey()
    {
        // The second and later decryptions use the cached prepared points of K_u and H(GID).
        var keys = authorities.Issue("g", ["as0.wf:W", "as0.node:N", "as1.wf:W"]);
        var policy = Policy.Parse("as0.wf:W & as0.node:N | as1.wf:W & as1.node:N");
        for (var i = 0; i < 3; i++)
        {
            var ct = CpAbe.Encapsulate(authorities.PublicKeys, policy, out var expected);
            Assert.True(CpAbe.TryDecapsulate(keys, ct, out var recovered));
            Assert.Equal(expected, recovered);
        }
    }

    [Fact]
    public void TryDecapsulate_ImportedCopyOfUsedKeyPart_RecoversKey()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W"), out var expected);
        using var part = CpAbe.KeyGen(authorities["as0"], "g", ["as0.wf:W"]);
        Assert.True(CpAbe.TryDecapsulate([part], ct, out _));
        using var copy = UserKeyPart.Import(part.Export());
        Assert.True(CpAbe.TryDecapsulate([copy], ct, out var recovered));
        Assert.Equal(expected, recovered);
    }

    [Fact]
    public void TryDecapsulate_ConcurrentFirstUseOfImportedKeys_AllRecoverKey()
    {
        // Imported key parts build their prepared points on first use; racing decryptions must all agree.
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W & as0.node:N"), out var expected);
        using var source = CpAbe.KeyGen(authorities["as0"], "g", ["as0.wf:W", "as0.node:N"]);
        using var part = UserKeyPart.Import(source.Export());
        var results = new bool[4];
        Parallel.For(0, results.Length, i => results[i] = CpAbe.TryDecapsulate([part], ct, out var k) && k == expected);
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void TryDecapsulate_DisposedAfterUse_ThrowsObjectDisposed()
    {
        var ct = CpAbe.Encapsulate(authorities.PublicKeys, Policy.Parse("as0.wf:W"), out _);
        var part = CpAbe.KeyGen(authorities["as0"], "g", ["as0.wf:W"]);
        Assert.True(CpAbe.TryDecapsulate([part], ct, out _));
        part.Dispose();
        Assert.Throws<ObjectDisposedException>(() => CpAbe.TryDecapsulate([part], ct, out _));
    }

    private static int RowOffset(byte[] hybrid, int row)
    {
        const int envelope = 9;
        var policyLength = (hybrid[envelope + 5] << 8) | hybrid[envelope + 6];
        return envelope + 5 + 2 + policyLength + 2 + (row * AbeCiphertext.RowSize);
    }
}
