using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>Field arithmetic checked against System.Numerics.BigInteger and the field axioms.</summary>
public sealed class FieldTests
{
    private static readonly BigInteger P = Fp.Modulus;

    private static BigInteger RandomBelow(Random rng, BigInteger modulus)
    {
        var b = new byte[64];
        rng.NextBytes(b);
        return new BigInteger(b, isUnsigned: true) % modulus;
    }

    [Property(MaxTest = 200)]
    public Property Fp_Arithmetic_MatchesBigInteger(int seed)
    {
        var rng = new Random(seed);
        var a = RandomBelow(rng, P);
        var b = RandomBelow(rng, P);
        var fa = Fp.FromBigInteger(a);
        var fb = Fp.FromBigInteger(b);
        bool ok = (fa * fb).ToBigInteger() == a * b % P
            && (fa + fb).ToBigInteger() == (a + b) % P
            && (fa - fb).ToBigInteger() == ((a - b) % P + P) % P
            && (-fa).ToBigInteger() == (P - a) % P
            && fa.Square().ToBigInteger() == a * a % P;
        return ok.ToProperty();
    }

    [Property(MaxTest = 50)]
    public Property Fp_Invert_IsInverse(int seed)
    {
        var a = Fp.FromBigInteger(RandomBelow(new Random(seed), P));
        return (a.IsZero || (a * a.Invert()).IsOne).ToProperty();
    }

    [Property(MaxTest = 50)]
    public Property Fp_SqrtOfSquare_SquaresBack(int seed)
    {
        var a = Fp.FromBigInteger(RandomBelow(new Random(seed), P));
        var sq = a.Square();
        return (sq.TrySqrt(out var r) && r.Square() == sq && sq.IsSquare()).ToProperty();
    }

    [Fact]
    public void Fp_NonResidue_HasNoSqrt()
    {
        // -1 is a non-residue because p = 3 mod 4
        var minusOne = -Fp.One;
        Assert.False(minusOne.TrySqrt(out _));
        Assert.False(minusOne.IsSquare());
    }

    [Fact]
    public void Fp_FromWideBytes_ReducesModP()
    {
        var rng = new Random(5);
        for (int i = 0; i < 50; i++)
        {
            var b = new byte[64];
            rng.NextBytes(b);
            var expected = new BigInteger(b, isUnsigned: true, isBigEndian: true) % P;
            Assert.Equal(expected, Fp.FromWideBytes(b).ToBigInteger());
        }

        var max = Enumerable.Repeat((byte)0xFF, 64).ToArray();
        Assert.Equal(new BigInteger(max, isUnsigned: true) % P, Fp.FromWideBytes(max).ToBigInteger());
    }

    [Fact]
    public void Fp_TryFromBytes_RejectsModulusAndAbove()
    {
        var pBytes = P.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.False(Fp.TryFromBytes(pBytes, out _));
        var pMinus1 = (P - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.True(Fp.TryFromBytes(pMinus1, out var v));
        Assert.Equal(P - 1, v.ToBigInteger());
        Assert.False(Fp.TryFromBytes(Enumerable.Repeat((byte)0xFF, 48).ToArray(), out _));
    }

    [Property(MaxTest = 40)]
    public Property Fp2_FieldAxioms_Hold(int seed)
    {
        var rng = new Random(seed);
        Fp2 R() => new(Fp.FromBigInteger(RandomBelow(rng, P)), Fp.FromBigInteger(RandomBelow(rng, P)));
        var a = R();
        var b = R();
        var c = R();
        bool ok = a * (b + c) == (a * b) + (a * c)
            && (a * b) * c == a * (b * c)
            && a * b == b * a
            && a.Square() == a * a
            && (a.IsZero || (a * a.Invert()) == Fp2.One)
            && a.MulByNonResidue() == a * new Fp2(Fp.One, Fp.One)
            && (a.Square().TrySqrt(out var s) && s.Square() == a.Square());
        return ok.ToProperty();
    }

    [Property(MaxTest = 15)]
    public Property Fp12_FieldAxioms_Hold(int seed)
    {
        var rng = new Random(seed);
        Fp12 R()
        {
            Span<Fp> c = stackalloc Fp[12];
            for (int i = 0; i < 12; i++)
            {
                c[i] = Fp.FromBigInteger(RandomBelow(rng, P));
            }

            return Fp12.FromCoefficients(c);
        }

        var a = R();
        var b = R();
        var c = R();
        bool ok = (a * b) * c == a * (b * c)
            && a * b == b * a
            && a.Square() == a * a
            && (a * a.Invert()).IsOne
            && a.Frobenius(1).Frobenius(1) == a.Frobenius(2)
            && a.Frobenius(3).Frobenius(3) == a.Conjugate();
        return ok.ToProperty();
    }

    [Fact]
    public void Fp12_CyclotomicSquare_MatchesSquareInGt()
    {
        var g = Gt.Generator.Value;
        Assert.Equal(g.Square(), g.CyclotomicSquare());
    }

    [Fact]
    public void Fp6_SparseProducts_MatchFullProduct()
    {
        var rng = new Random(9);
        Fp2 R() => new(Fp.FromBigInteger(RandomBelow(rng, P)), Fp.FromBigInteger(RandomBelow(rng, P)));
        var a = new Fp6(R(), R(), R());
        var b0 = R();
        var b1 = R();
        Assert.Equal(a * new Fp6(b0, b1, Fp2.Zero), a.MulBy01(b0, b1));
        Assert.Equal(a * new Fp6(Fp2.Zero, b1, Fp2.Zero), a.MulBy1(b1));
        var f = new Fp12(a, new Fp6(R(), R(), R()));
        var c0 = R();
        var c1 = R();
        var c4 = R();
        var sparse = new Fp12(new Fp6(c0, c1, Fp2.Zero), new Fp6(Fp2.Zero, c4, Fp2.Zero));
        Assert.Equal(f * sparse, f.MulBy014(c0, c1, c4));
    }
}

/// <summary>The public Scalar type: arithmetic mod r, encodings and randomness.</summary>
public sealed class ScalarTests
{
    private static readonly BigInteger R = Fr.Modulus;

    [Property(MaxTest = 200)]
    public Property Arithmetic_MatchesBigInteger(ulong s1, ulong s2)
    {
        var a = TestScalars.From(s1);
        var b = TestScalars.From(s2);
        var ba = ToBig(a);
        var bb = ToBig(b);
        bool ok = ToBig(a * b) == ba * bb % R
            && ToBig(a + b) == (ba + bb) % R
            && ToBig(a - b) == ((ba - bb) % R + R) % R
            && ToBig(-a) == (R - ba) % R
            && (a.IsZero || (a * a.Invert()) == Scalar.One);
        return ok.ToProperty();
    }

    [Property(MaxTest = 100)]
    public Property Bytes_RoundTrip(ulong seed)
    {
        var a = TestScalars.From(seed);
        return (Scalar.TryFromBytes(a.ToBytes(), out var b) && a == b).ToProperty();
    }

    [Fact]
    public void TryFromBytes_NonCanonical_IsRejected()
    {
        var r = R.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.False(Scalar.TryFromBytes(r, out _));
        Assert.Throws<TlessFormatException>(() => Scalar.FromBytes(r));
        Assert.False(Scalar.TryFromBytes(new byte[31], out _));
        var rMinus1 = (R - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.True(Scalar.TryFromBytes(rMinus1, out var s));
        Assert.Equal(-Scalar.One, s);
    }

    [Fact]
    public void FromBytesReduced_ReducesModR()
    {
        var rng = new Random(3);
        foreach (int len in new[] { 0, 1, 16, 32, 33, 48, 64 })
        {
            var b = new byte[len];
            rng.NextBytes(b);
            var expected = new BigInteger(b, isUnsigned: true, isBigEndian: true) % R;
            Assert.Equal(expected, ToBig(Scalar.FromBytesReduced(b)));
        }

        Assert.Throws<ArgumentException>(() => Scalar.FromBytesReduced(new byte[65]));
        var all = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        Assert.Equal(new BigInteger(all, isUnsigned: true) % R, ToBig(Scalar.FromBytesReduced(all)));
    }

    [Fact]
    public void Random_Values_AreDistinctAndCanonical()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 64; i++)
        {
            var s = Scalar.Random();
            Assert.True(ToBig(s) < R);
            Assert.True(seen.Add(s.ToString()));
        }
    }

    [Fact]
    public void Invert_Zero_IsZero()
    {
        Assert.True(Scalar.Zero.Invert().IsZero);
        Assert.Equal(Scalar.One, Scalar.One.Invert());
        Assert.Equal(Scalar.FromUInt64(7), Scalar.FromUInt64(7).Invert().Invert());
    }

    private static BigInteger ToBig(Scalar s) => new(s.ToBytes(), isUnsigned: true, isBigEndian: true);
}
