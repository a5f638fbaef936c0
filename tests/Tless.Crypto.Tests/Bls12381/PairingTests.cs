using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

public sealed class PairingTests
{
    [Fact]
    public void Pair_Generators_MatchesKnownValue()
    {
        // pairing/e_G1_G2.json: e(G1, G2) computed with blst, equal to the RELIC constant quoted by zkcrypto
        var v = Vectors.Json("pairing", "e_G1_G2.json");
        var expected = string.Concat(v.GetProperty("flat").EnumerateArray().Select(e => e.GetString()));
        var actual = Convert.ToHexStringLower(Pairing.Pair(G1.Generator, G2.Generator).ToBytes());
        Assert.Equal(expected.ToLowerInvariant(), actual);
        Assert.Equal(expected.ToLowerInvariant(), Convert.ToHexStringLower(Gt.Generator.ToBytes()));
    }

    [Fact]
    public void Pair_IdentityArgument_IsOne()
    {
        Assert.True(Pairing.Pair(G1.Identity, G2.Generator).IsOne);
        Assert.True(Pairing.Pair(G1.Generator, G2.Identity).IsOne);
    }

    [Fact]
    public void Pair_NegatedArgument_IsInverse()
    {
        var e = Gt.Generator;
        Assert.Equal(e.Inverse(), Pairing.Pair(-G1.Generator, G2.Generator));
        Assert.Equal(e.Inverse(), Pairing.Pair(G1.Generator, -G2.Generator));
        Assert.True((e * Pairing.Pair(-G1.Generator, G2.Generator)).IsOne);
    }

    [Fact]
    public void Gt_GeneratorPowOrderMinusOne_IsInverse()
    {
        var rMinus1 = -Scalar.One;
        Assert.Equal(Gt.Generator.Inverse(), Gt.Generator.Pow(rMinus1));
        Assert.Equal(Gt.Generator.Inverse(), Gt.Generator.PowVartime(rMinus1));
        Assert.False(Gt.Generator.IsOne);
    }

    [Property(MaxTest = 4)]
    public Property Pair_ScaledArguments_IsBilinear(ulong seedA, ulong seedB)
    {
        var a = TestScalars.From(seedA);
        var b = TestScalars.From(seedB);
        var lhs = Pairing.Pair(G1.Generator * a, G2.Generator * b);
        var rhs = Gt.Generator.Pow(a * b);
        return (lhs == rhs).ToProperty();
    }

    [Property(MaxTest = 3)]
    public Property MultiPair_AnyPoints_EqualsProductOfPairings(ulong s1, ulong s2, ulong s3)
    {
        var a = TestScalars.From(s1);
        var b = TestScalars.From(s2);
        var c = TestScalars.From(s3);
        G1[] ps = [G1.Generator * a, G1.Identity, G1.Generator * c, G1.Generator];
        G2[] qs = [G2.Generator * b, G2.Generator, G2.Generator * a, G2.Generator * c];
        var product = Gt.One;
        for (int i = 0; i < ps.Length; i++)
        {
            product *= Pairing.Pair(ps[i], qs[i]);
        }

        var prepared = qs.Select(q => new G2Prepared(q)).ToArray();
        bool ok = Pairing.MultiPair(ps, qs) == product && Pairing.MultiPair(ps, prepared) == product;
        return ok.ToProperty();
    }

    [Fact]
    public void MultiPair_CancellingPairs_IsOne()
    {
        var a = Scalar.Random();
        G1[] ps = [G1.Generator * a, -G1.Generator];
        G2[] qs = [G2.Generator, G2.Generator * a];
        Assert.True(Pairing.MultiPair(ps, qs).IsOne);
    }

    [Fact]
    public void MultiPair_LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Pairing.MultiPair(new G1[2], new G2[1]));
    }

    [Fact]
    public void MillerLoop_ThenFinalExponentiation_EqualsPair()
    {
        var p = G1.Generator * Scalar.FromUInt64(7);
        var q = G2.Generator * Scalar.FromUInt64(11);
        var viaParts = Pairing.FinalExponentiation(Pairing.MillerLoop(p, q));
        Assert.Equal(Pairing.Pair(p, q), viaParts);
        Assert.Equal(Gt.Generator.PowVartime(Scalar.FromUInt64(77)), viaParts);
    }

    [Fact]
    public void Gt_RoundTrip_Decodes()
    {
        var g = Gt.Generator.Pow(Scalar.Random());
        Assert.True(Gt.TryFromBytes(g.ToBytes(), out var back));
        Assert.Equal(g, back);
        Assert.True(Gt.TryFromBytes(Gt.One.ToBytes(), out var one));
        Assert.True(one.IsOne);
    }

    [Fact]
    public void Gt_TryFromBytes_RejectsBadInput()
    {
        var good = Gt.Generator.ToBytes();
        Assert.False(Gt.TryFromBytes(good.AsSpan(0, 575), out _));

        var notInSubgroup = (byte[])good.Clone();
        notInSubgroup[^1] ^= 1;
        Assert.False(Gt.TryFromBytes(notInSubgroup, out _));
        var ex = Assert.Throws<TlessFormatException>(() => Gt.FromBytes(notInSubgroup));
        Assert.Contains("subgroup", ex.Message, StringComparison.Ordinal);

        var nonCanonical = (byte[])good.Clone();
        nonCanonical[48] = 0xFF; // coefficient 1 >= p
        Assert.False(Gt.TryFromBytes(nonCanonical, out _));
        Assert.Contains("coefficient 1", Assert.Throws<TlessFormatException>(() => Gt.FromBytes(nonCanonical)).Message, StringComparison.Ordinal);

        Assert.False(Gt.TryFromBytes(new byte[576], out _)); // zero
    }
}

internal static class TestScalars
{
    /// <summary>A full-size scalar derived deterministically from a seed (so FsCheck shrinking is reproducible).</summary>
    public static Scalar From(ulong seed)
    {
        var b = new byte[64];
        new Random(unchecked((int)seed ^ (int)(seed >> 32))).NextBytes(b);
        b[0] = (byte)seed;
        return Scalar.FromBytesReduced(b);
    }
}
