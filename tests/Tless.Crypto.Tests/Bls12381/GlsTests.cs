using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>
/// The 4-dimensional GLS multiplication on G2: the constant-time division by |x| that splits the GLV halves into
/// four 64-bit digits, and the product against the variable-time path on scalars near the digit boundaries.
/// </summary>
public sealed class GlsTests
{
    private static readonly BigInteger AbsX = new(G1.BlsX);
    private static readonly BigInteger X2 = AbsX * AbsX;

    private static void AssertSplits(BigInteger n)
    {
        Glv.DivRemAbsX((ulong)(n & ulong.MaxValue), (ulong)(n >> 64), out ulong lo, out ulong hi);
        Assert.Equal(n % AbsX, new BigInteger(lo));
        Assert.Equal(n / AbsX, new BigInteger(hi));
    }

    [Fact]
    public void DivRemAbsX_EdgeValues_MatchBigInteger()
    {
        foreach (var n in new[] { BigInteger.Zero, BigInteger.One, AbsX - 1, AbsX, AbsX + 1, (AbsX * 2) - 1, BigInteger.One << 64, X2 - AbsX, X2 - AbsX - 1, X2 - 1 })
        {
            AssertSplits(n);
        }

        // quotient digits next to every multiple boundary in the top range
        for (int i = 1; i < 200; i++)
        {
            var q = AbsX - i;
            AssertSplits(q * AbsX);
            AssertSplits((q * AbsX) - 1);
            AssertSplits((q * AbsX) + AbsX - 1);
        }
    }

    [Property(MaxTest = 2000)]
    public Property DivRemAbsX_RandomBelowXSquared_MatchesBigInteger(ulong n0, ulong n1)
    {
        var n = ((new BigInteger(n1) << 64) + n0) % X2;
        Glv.DivRemAbsX((ulong)(n & ulong.MaxValue), (ulong)(n >> 64), out ulong lo, out ulong hi);
        return (new BigInteger(lo) == n % AbsX && new BigInteger(hi) == n / AbsX).ToProperty();
    }

    [Fact]
    public void Multiply_ScalarsAtDigitBoundaries_MatchVartime()
    {
        var p = G2.Generator * Scalar.FromUInt64(987654321);
        var candidates = new List<BigInteger> { 0, 1, 15, 16, AbsX - 1, AbsX, AbsX + 1, X2 - 1, X2, X2 + AbsX, X2 * AbsX, (X2 * AbsX) - 1, X2 * X2 % Fr.Modulus };
        candidates.Add(Fr.Modulus - 1);
        candidates.Add(Fr.Modulus - AbsX);
        candidates.Add(BigInteger.One << 128);
        candidates.Add((BigInteger.One << 192) - 1);
        foreach (var c in candidates)
        {
            var bytes = (c % Fr.Modulus).ToByteArray(isUnsigned: true, isBigEndian: true);
            var k = Scalar.FromBytesReduced(bytes);
            Assert.Equal(p.MultiplyVartime(k), p * k);
        }

        Assert.Equal(-p, p * -Scalar.One);
        Assert.True((G2.Identity * Scalar.Random()).IsIdentity);
    }
}
