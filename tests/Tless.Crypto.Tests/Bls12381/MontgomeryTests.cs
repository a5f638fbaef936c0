using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>
/// The generated Montgomery multiplication and sum of two products (product scanning with split 32-bit
/// accumulators), and the Fp2 product built on the latter, against BigInteger on
/// the values that stress its carries: 0, 1, p - 1, limbs of all ones, powers of two, and random values with a full
/// top limb; for both Fp (six limbs) and Fr (four limbs).
/// </summary>
public sealed class MontgomeryTests
{
    private static IEnumerable<BigInteger> EdgeValues(BigInteger m)
    {
        var values = new List<BigInteger> { 0, 1, 2, m - 1, m - 2, (m - 1) / 2, (m + 1) / 2 };
        for (int bits = 32; bits < m.GetBitLength(); bits += 32)
        {
            values.Add((BigInteger.One << bits) - 1);
            values.Add(BigInteger.One << bits);
        }

        // just below m with all-ones lower limbs
        int top = (int)m.GetBitLength() - 64;
        values.Add((m >> top << top) - 1);
        var rng = new Random(21);
        for (int i = 0; i < 20; i++)
        {
            var b = new byte[(m.GetBitLength() / 8) + 8];
            rng.NextBytes(b);
            values.Add(m - 1 - (new BigInteger(b, isUnsigned: true) % (m >> 8)));
        }

        return values.Where(v => v >= 0 && v < m).Distinct();
    }

    [Fact]
    public void Fp_Multiply_EdgeValues_MatchBigInteger()
    {
        var p = Fp.Modulus;
        var values = EdgeValues(p).ToArray();
        foreach (var a in values)
        {
            var fa = Fp.FromBigInteger(a);
            Assert.Equal(a * a % p, fa.Square().ToBigInteger());
            foreach (var b in values)
            {
                Assert.Equal(a * b % p, (fa * Fp.FromBigInteger(b)).ToBigInteger());
            }
        }
    }

    [Fact]
    public void Fp_SumOfProducts_EdgeValues_MatchBigInteger()
    {
        var p = Fp.Modulus;
        var values = EdgeValues(p).ToArray();
        var rng = new Random(22);
        foreach (var a in values)
        {
            foreach (var b in values)
            {
                var c = values[rng.Next(values.Length)];
                var d = values[rng.Next(values.Length)];
                var expected = ((a * b) + (c * d)) % p;
                var got = Fp.SumOfProducts(Fp.FromBigInteger(a), Fp.FromBigInteger(b), Fp.FromBigInteger(c), Fp.FromBigInteger(d));
                Assert.Equal(expected, got.ToBigInteger());
            }
        }

        var max = Fp.FromBigInteger(p - 1);
        Assert.Equal(2 % p, Fp.SumOfProducts(max, max, max, max).ToBigInteger());
    }

    [Property(MaxTest = 200)]
    public Property Fp2_Multiply_MatchesSchoolbookOverBigInteger(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        var p = Fp.Modulus;
        BigInteger Big(ulong x, ulong y) => ((new BigInteger(x) << 320) + (new BigInteger(y) << 128) + (x ^ y)) % p;
        BigInteger a0 = Big(s0, s1), a1 = Big(s1, s2), b0 = Big(s2, s3), b1 = Big(s3, s0);
        var prod = new Fp2(Fp.FromBigInteger(a0), Fp.FromBigInteger(a1)) * new Fp2(Fp.FromBigInteger(b0), Fp.FromBigInteger(b1));
        var c0 = (((a0 * b0) - (a1 * b1)) % p + p) % p;
        var c1 = ((a0 * b1) + (a1 * b0)) % p;
        return (prod.C0.ToBigInteger() == c0 && prod.C1.ToBigInteger() == c1).ToProperty();
    }

    private static Fr FrOf(BigInteger v)
    {
        var bytes = new byte[32];
        v.TryWriteBytes(bytes.AsSpan(32 - v.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        Assert.True(Fr.TryFromCanonical(bytes, out var f));
        return f;
    }

    [Fact]
    public void Fr_Multiply_EdgeValues_MatchBigInteger()
    {
        var r = Fr.Modulus;
        var values = EdgeValues(r).ToArray();
        foreach (var a in values)
        {
            var fa = FrOf(a);
            foreach (var b in values)
            {
                Assert.Equal(a * b % r, (fa * FrOf(b)).ToBigInteger());
            }
        }
    }

    [Property(MaxTest = 300)]
    public Property Fr_Multiply_Random_MatchesBigInteger(ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1)
    {
        var r = Fr.Modulus;
        var a = ((new BigInteger(a3) << 192) + (new BigInteger(a2) << 128) + (new BigInteger(a1) << 64) + a0) % r;
        var b = ((new BigInteger(b1) << 192) + (new BigInteger(a0 ^ b0) << 128) + (new BigInteger(b1 ^ a2) << 64) + b0) % r;
        return ((FrOf(a) * FrOf(b)).ToBigInteger() == a * b % r).ToProperty();
    }
}
