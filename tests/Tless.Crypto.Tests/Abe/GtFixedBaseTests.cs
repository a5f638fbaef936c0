using Tless.Crypto.Abe;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Abe;

public sealed class GtFixedBaseTests
{
    [Fact]
    public void Pow_MatchesGtPow()
    {
        var b = Gt.Generator.Pow(Scalar.FromUInt64(12345));
        var table = new GtFixedBase(b);
        Scalar[] exponents = [Scalar.Zero, Scalar.One, Scalar.FromUInt64(15), Scalar.FromUInt64(16), -Scalar.One, Scalar.Random(), Scalar.Random()];
        foreach (var k in exponents)
        {
            Assert.Equal(b.Pow(k), table.Pow(k));
        }
    }

    [Fact]
    public void PowCached_RepeatedUse_MatchesGtPow()
    {
        var b = Gt.Generator.Pow(Scalar.Random());
        for (var i = 0; i < 3; i++)
        {
            var k = Scalar.Random();
            Assert.Equal(b.Pow(k), GtFixedBase.PowCached(b, k));
        }
    }

    [Fact]
    public void Generator_IsGtGenerator() =>
        Assert.Equal(Gt.Generator.Pow(Scalar.FromUInt64(7)), GtFixedBase.Generator.Pow(Scalar.FromUInt64(7)));

    [Fact]
    public void TryDecodeCanonical_RejectsNonCanonicalAndZero()
    {
        var bytes = Gt.Generator.ToBytes();
        Assert.True(GtFixedBase.TryDecodeCanonical(bytes, out var g));
        Assert.Equal(Gt.Generator, g);

        var big = (byte[])bytes.Clone();
        big.AsSpan(0, 48).Fill(0xff);
        Assert.False(GtFixedBase.TryDecodeCanonical(big, out _));
        Assert.False(GtFixedBase.TryDecodeCanonical(new byte[576], out _));
        Assert.False(GtFixedBase.TryDecodeCanonical(bytes.AsSpan(1), out _));
    }
}
