using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

public sealed class G1Tests
{
    [Fact]
    public void Generator_IsInSubgroup()
    {
        Assert.True(G1.Generator.IsOnCurve());
        Assert.True(G1.Generator.IsInSubgroup());
        Assert.True(G1.Identity.IsInSubgroup());
        Assert.True((G1.Generator * -Scalar.One + G1.Generator).IsIdentity);
    }

    [Property(MaxTest = 12)]
    public Property Multiply_ConstantTimeAndVartimeAndFixedBase_Agree(ulong seed)
    {
        var k = TestScalars.From(seed);
        var p = G1.Generator * TestScalars.From(seed ^ 0x5555);
        var ct = p * k;
        var fixedBase = new G1FixedBase(p);
        bool ok = ct == p.MultiplyVartime(k) && ct == fixedBase.Multiply(k) && ct.IsInSubgroup();
        return ok.ToProperty();
    }

    [Property(MaxTest = 20)]
    public Property GroupLaw_Holds(ulong s1, ulong s2)
    {
        var a = TestScalars.From(s1);
        var b = TestScalars.From(s2);
        var g = G1.Generator;
        var pa = g * a;
        var pb = g * b;
        bool ok = pa + pb == g * (a + b)
            && pa - pb == g * (a - b)
            && pa + pa == pa.Double()
            && (pa - pa).IsIdentity
            && pa + G1.Identity == pa
            && (pa * b) == (pb * a);
        return ok.ToProperty();
    }

    [Property(MaxTest = 20)]
    public Property Encoding_RoundTrips(ulong seed)
    {
        var p = G1.Generator * TestScalars.From(seed);
        bool ok = G1.FromCompressed(p.ToCompressed()) == p && G1.FromUncompressed(p.ToUncompressed()) == p;
        return ok.ToProperty();
    }

    [Fact]
    public void MultiScalarMultiply_MatchesNaiveSum()
    {
        foreach (int n in new[] { 0, 1, 3, 5, 40 })
        {
            var ps = new G1[n];
            var ss = new Scalar[n];
            var expected = G1.Identity;
            for (int i = 0; i < n; i++)
            {
                ps[i] = G1.Generator * Scalar.FromUInt64((ulong)i + 3);
                ss[i] = i == 2 ? Scalar.Zero : Scalar.Random();
                expected += ps[i] * ss[i];
            }

            Assert.Equal(expected, G1.MultiScalarMultiply(ps, ss));
        }

        Assert.Throws<ArgumentException>(() => G1.MultiScalarMultiply(new G1[2], new Scalar[1]));
    }

    [Fact]
    public void Multiply_EdgeScalars_AreCorrect()
    {
        var g = G1.Generator;
        Assert.True((g * Scalar.Zero).IsIdentity);
        Assert.Equal(g, g * Scalar.One);
        Assert.Equal(-g, g * -Scalar.One);
        Assert.True((G1.Identity * Scalar.Random()).IsIdentity);
        Assert.True(g.MultiplyVartime(Scalar.Zero).IsIdentity);
        Assert.Equal(-g, g.MultiplyVartime(-Scalar.One));
    }

    [Fact]
    public void GlvDecompose_EdgeAndRandomScalars_Recombine()
    {
        var d = new System.Numerics.BigInteger(G1.BlsX) * G1.BlsX;
        var scalars = new List<Scalar> { Scalar.Zero, Scalar.One, -Scalar.One, Scalar.FromBytesReduced(d.ToByteArray(true, true)) };
        scalars.AddRange(Enumerable.Range(0, 50).Select(_ => Scalar.Random()));
        var limbs = new ulong[4];
        var k1 = new ulong[2];
        var q = new ulong[2];
        foreach (var s in scalars)
        {
            s.GetLimbs(limbs);
            Glv.Decompose(limbs, k1, q);
            var big1 = new System.Numerics.BigInteger(k1[0]) + (new System.Numerics.BigInteger(k1[1]) << 64);
            var bigQ = new System.Numerics.BigInteger(q[0]) + (new System.Numerics.BigInteger(q[1]) << 64);
            var k = new System.Numerics.BigInteger(s.ToBytes(), isUnsigned: true, isBigEndian: true);
            Assert.True(big1 < d);
            Assert.Equal(k, big1 + (bigQ * d));
        }
    }

    [Fact]
    public void DefaultValue_BehavesAsIdentity()
    {
        G1 zero = default;
        var g = G1.Generator;
        Assert.True(zero.IsIdentity);
        Assert.Equal(g, zero + g);
        Assert.Equal(g, g + zero);
        Assert.True((zero * Scalar.Random()).IsIdentity);
        Assert.True(zero.IsInSubgroup());
        Assert.Equal(G1.Identity.ToCompressed(), zero.ToCompressed());
        G2 zero2 = default;
        Assert.Equal(G2.Generator, zero2 + G2.Generator);
        Gt one = default;
        Assert.Equal(Gt.Generator, one * Gt.Generator);
    }

    [Fact]
    public void Equality_IgnoresProjectiveScaling()
    {
        var p = G1.Generator * Scalar.FromUInt64(12345);
        var q = p.Double() - p;
        Assert.Equal(p, q);
        Assert.Equal(p.GetHashCode(), q.GetHashCode());
        Assert.NotEqual(p, -p);
        Assert.NotEqual(G1.Identity, p);
    }
}

public sealed class G2Tests
{
    [Fact]
    public void Generator_IsInSubgroup()
    {
        Assert.True(G2.Generator.IsOnCurve());
        Assert.True(G2.Generator.IsInSubgroup());
        Assert.True(G2.Identity.IsInSubgroup());
    }

    [Property(MaxTest = 6)]
    public Property Multiply_ConstantTimeAndVartimeAndFixedBase_Agree(ulong seed)
    {
        var k = TestScalars.From(seed);
        var p = G2.Generator * TestScalars.From(seed ^ 0x5555);
        var ct = p * k;
        bool ok = ct == p.MultiplyVartime(k) && ct == new G2FixedBase(p).Multiply(k) && ct.IsInSubgroup();
        return ok.ToProperty();
    }

    [Property(MaxTest = 10)]
    public Property GroupLaw_Holds(ulong s1, ulong s2)
    {
        var a = TestScalars.From(s1);
        var b = TestScalars.From(s2);
        var g = G2.Generator;
        var pa = g * a;
        var pb = g * b;
        bool ok = pa + pb == g * (a + b) && pa - pb == g * (a - b) && pa + pa == pa.Double() && (pa - pa).IsIdentity;
        return ok.ToProperty();
    }

    [Property(MaxTest = 10)]
    public Property Encoding_RoundTrips(ulong seed)
    {
        var p = G2.Generator * TestScalars.From(seed);
        bool ok = G2.FromCompressed(p.ToCompressed()) == p && G2.FromUncompressed(p.ToUncompressed()) == p;
        return ok.ToProperty();
    }

    [Fact]
    public void MultiScalarMultiply_MatchesNaiveSum()
    {
        const int n = 9;
        var ps = new G2[n];
        var ss = new Scalar[n];
        var expected = G2.Identity;
        for (int i = 0; i < n; i++)
        {
            ps[i] = G2.Generator * Scalar.FromUInt64((ulong)i + 1);
            ss[i] = Scalar.Random();
            expected += ps[i] * ss[i];
        }

        Assert.Equal(expected, G2.MultiScalarMultiply(ps, ss));
    }

    [Fact]
    public void Psi_OnG2_ActsAsMultiplicationByX()
    {
        var p = G2.Generator * Scalar.FromUInt64(99);
        Assert.Equal(p.MulByX(), p.Psi());
    }
}
