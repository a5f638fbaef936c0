using System.Security.Cryptography;
using FsCheck.Xunit;
using Tless.AttestationService.Services;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests;

public sealed class P256PointsTests
{
    private static readonly byte[] Prime = Convert.FromHexString("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");

    private static byte[] FreshPoint()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return P256.ExportPoint(key);
    }

    private static bool OpenSslAccepts(byte[] point)
    {
        try
        {
            using var key = P256.ImportEcdhPoint(point, "point");
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    [Fact]
    public void IsValid_FreshKeys_Accepted()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.True(P256Points.IsValid(FreshPoint()));
        }
    }

    [Fact]
    public void IsValid_WrongLengthPrefixOrInfinity_Rejected()
    {
        var point = FreshPoint();
        Assert.False(P256Points.IsValid(point.AsSpan(0, 64)));
        Assert.False(P256Points.IsValid([.. point, 0]));
        Assert.False(P256Points.IsValid([]));
        Assert.False(P256Points.IsValid(new byte[65]));
        var compressedPrefix = (byte[])point.Clone();
        compressedPrefix[0] = 0x02;
        Assert.False(P256Points.IsValid(compressedPrefix));
    }

    [Fact]
    public void IsValid_CoordinateNotReducedModP_Rejected()
    {
        // x + p and y + p do not fit 32 bytes for most points; x = p itself (x == 0 mod p) must be refused as well.
        var point = FreshPoint();
        Prime.CopyTo(point, 1);
        Assert.False(P256Points.IsValid(point));
        point = FreshPoint();
        Prime.CopyTo(point, 33);
        Assert.False(P256Points.IsValid(point));
    }

    [Property(MaxTest = 60)]
    public bool IsValid_MutatedPoint_AgreesWithOpenSsl(byte position, byte mask)
    {
        var point = FreshPoint();
        point[1 + (position % 64)] ^= mask;
        var valid = P256Points.IsValid(point);
        return valid == OpenSslAccepts(point) && valid == (mask == 0);
    }
}

public sealed class PooledVerificationKeyTests
{
    [Fact]
    public void Verify_ConcurrentUse_GoodSignaturesOnly()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pooled = new PooledVerificationKey(signer.ExportSubjectPublicKeyInfo(), "test key");
        var data = "payload"u8.ToArray();
        var good = signer.SignData(data, HashAlgorithmName.SHA256);
        var bad = other.SignData(data, HashAlgorithmName.SHA256);
        var wrong = 0;
        Parallel.For(0, 200, i =>
        {
            var signature = i % 2 == 0 ? good : bad;
            var ok = pooled.Verify(signature, (key, s) => key.VerifyData(data, s, HashAlgorithmName.SHA256));
            if (ok != (i % 2 == 0))
            {
                Interlocked.Increment(ref wrong);
            }
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Verify_MalformedSpki_ThrowsKeyInvalidOnEveryUse()
    {
        var pooled = new PooledVerificationKey([0x30, 0x03, 0x02, 0x01, 0x01], "the broken key");
        for (var i = 0; i < 2; i++)
        {
            var e = Assert.Throws<ProtocolException>(() => pooled.Verify(0, (_, _) => true));
            Assert.Equal(ProblemCodes.KeyInvalid, e.Code);
        }
    }
}
