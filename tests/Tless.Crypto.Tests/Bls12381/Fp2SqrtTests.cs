using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>
/// The Fp2 square root and sqrt_ratio (complex method over Fp) against the generic algorithm they replaced (Adj and
/// Rodriguez-Henriquez, Algorithm 9, two exponentiations in Fp2), on squares, non-squares and the edge cases.
/// </summary>
public sealed class Fp2SqrtTests
{
    private static readonly BigInteger P = Fp.Modulus;

    // xi = u + 1 is not a square in Fp2 (it defines the sextic twist)
    private static readonly Fp2 NonSquare = new(Fp.One, Fp.One);

    private static Fp RandomFp(Random rng)
    {
        var b = new byte[64];
        rng.NextBytes(b);
        return Fp.FromBigInteger(new BigInteger(b, isUnsigned: true) % P);
    }

    private static Fp2 RandomFp2(Random rng) => new(RandomFp(rng), RandomFp(rng));

    /// <summary>The previous implementation, kept as the reference: x = a^((p-3)/4) and so on, all in Fp2.</summary>
    private static bool ReferenceSqrt(in Fp2 a, out Fp2 root)
    {
        var a1 = a.Pow((P - 3) / 4);
        var alpha = a1.Square() * a;
        var x0 = a1 * a;
        root = alpha == new Fp2(-Fp.One, Fp.Zero)
            ? new Fp2(-x0.C1, x0.C0)
            : (alpha + Fp2.One).Pow((P - 1) / 2) * x0;
        return root.Square() == a;
    }

    private static bool SameUpToSign(in Fp2 x, in Fp2 y) => x == y || x == -y;

    [Property(MaxTest = 30)]
    public Property TrySqrt_RandomElement_AgreesWithReference(int seed)
    {
        var a = RandomFp2(new Random(seed));
        bool got = a.TrySqrt(out var r);
        bool expected = ReferenceSqrt(a, out var re);
        bool ok = got == expected
            && got == a.IsSquare()
            && (!got || (r.Square() == a && SameUpToSign(r, re)));
        return ok.ToProperty();
    }

    [Property(MaxTest = 50)]
    public Property TrySqrt_Square_ReturnsPlusOrMinusTheRoot(int seed)
    {
        var x = RandomFp2(new Random(seed));
        var a = x.Square();
        return (a.TrySqrt(out var r) && r.Square() == a && SameUpToSign(r, x)).ToProperty();
    }

    [Property(MaxTest = 50)]
    public Property TrySqrt_NonSquare_ReturnsFalse(int seed)
    {
        var x = RandomFp2(new Random(seed));
        var a = x.Square() * NonSquare;
        return (x.IsZero || (!a.TrySqrt(out _) && !a.IsSquare())).ToProperty();
    }

    [Property(MaxTest = 40)]
    public Property TrySqrtRatio_RandomPair_AgreesWithSqrtOfQuotient(int seed)
    {
        var rng = new Random(seed);
        var u = RandomFp2(rng);
        var v = RandomFp2(rng);
        if (v.IsZero)
        {
            return true.ToProperty();
        }

        var q = u * v.Invert();
        bool got = Fp2.TrySqrtRatio(u, v, out var r);
        bool expected = q.TrySqrt(out var rq);
        return (got == expected && (!got || (r.Square() == q && SameUpToSign(r, rq)))).ToProperty();
    }

    [Property(MaxTest = 30)]
    public Property TrySqrtRatio_SquareTimesDenominator_Succeeds(int seed)
    {
        // u = x^2 v, so sqrt(u / v) = +-x, including the sparse cases x in Fp and x in u*Fp
        var rng = new Random(seed);
        var x = (seed % 3) switch
        {
            0 => RandomFp2(rng),
            1 => new Fp2(RandomFp(rng), Fp.Zero),
            _ => new Fp2(Fp.Zero, RandomFp(rng)),
        };
        var v = RandomFp2(rng);
        var u = x.Square() * v;
        return (v.IsZero || (Fp2.TrySqrtRatio(u, v, out var r) && SameUpToSign(r, x))).ToProperty();
    }

    [Fact]
    public void TrySqrtRatio_NonSquareQuotient_ReturnsFalse()
    {
        var rng = new Random(13);
        for (int i = 0; i < 20; i++)
        {
            var x = RandomFp2(rng);
            var v = RandomFp2(rng);
            Assert.False(Fp2.TrySqrtRatio(x.Square() * v * NonSquare, v, out _));
        }
    }

    [Fact]
    public void TrySqrtRatio_ZeroNumerator_IsZero()
    {
        Assert.True(Fp2.TrySqrtRatio(Fp2.Zero, new Fp2(Fp.FromUInt64(3), Fp.One), out var r));
        Assert.True(r.IsZero);
    }

    [Fact]
    public void TrySqrt_Zero_IsZero()
    {
        Assert.True(Fp2.Zero.TrySqrt(out var r));
        Assert.True(r.IsZero);
    }

    [Fact]
    public void TrySqrt_BaseFieldElements_AllHaveRoots()
    {
        // every element of Fp is a square in Fp2: residues have a root in Fp, non-residues a root in u*Fp
        var rng = new Random(11);
        for (int i = 0; i < 20; i++)
        {
            var c = RandomFp(rng);
            foreach (var v in new[] { c, -c, c.Square(), -c.Square() })
            {
                var a = new Fp2(v, Fp.Zero);
                Assert.True(a.TrySqrt(out var r), $"no root for {a}");
                Assert.Equal(a, r.Square());
                Assert.True(ReferenceSqrt(a, out var re));
                Assert.True(SameUpToSign(r, re));
            }
        }

        Assert.True(new Fp2(-Fp.One, Fp.Zero).TrySqrt(out var i1));
        Assert.True(SameUpToSign(i1, new Fp2(Fp.Zero, Fp.One)));
    }

    [Fact]
    public void TrySqrt_PureImaginary_MatchesReference()
    {
        var rng = new Random(12);
        for (int i = 0; i < 20; i++)
        {
            var a = new Fp2(Fp.Zero, RandomFp(rng));
            bool got = a.TrySqrt(out var r);
            Assert.Equal(ReferenceSqrt(a, out var re), got);
            Assert.True(!got || (r.Square() == a && SameUpToSign(r, re)));
        }
    }
}
