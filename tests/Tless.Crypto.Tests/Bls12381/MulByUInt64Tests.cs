using System.Numerics;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>
/// The Jacobian double-and-add used for the multiplications by x and 1 - x (cofactor clearing, subgroup checks)
/// against the complete-formula NAF path, on subgroup points, points outside the subgroup, and a point of order 3
/// that drives every exceptional branch of the Jacobian addition.
/// </summary>
public sealed class MulByUInt64Tests
{
    private static readonly ulong[] Multipliers = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12345, G1.BlsX, G1.BlsX + 1, ulong.MaxValue];

    [Fact]
    public void G1_MulByUInt64_MatchesNaf()
    {
        var points = new[]
        {
            G1.Generator * Scalar.FromUInt64(777),
            Sswu.MapG1(Fp.FromUInt64(5)), // on the curve, outside the subgroup
            G1.Identity,
            default,
        };
        foreach (var p in points)
        {
            foreach (ulong k in Multipliers)
            {
                Assert.Equal(G1.MulVartime(p.Canonical, [k]), p.MulByUInt64(k));
            }
        }
    }

    [Fact]
    public void G2_MulByUInt64_MatchesNaf()
    {
        var points = new[]
        {
            G2.Generator * Scalar.FromUInt64(777),
            Sswu.MapG2(new Fp2(Fp.FromUInt64(5), Fp.FromUInt64(6))),
            G2.Identity,
            default,
        };
        foreach (var p in points)
        {
            foreach (ulong k in Multipliers)
            {
                Assert.Equal(G2.MulVartime(p.Canonical, [k]), p.MulByUInt64(k));
            }
        }
    }

    [Fact]
    public void G1_MulByUInt64_PointOfOrderThree_HandlesExceptionalAdditions()
    {
        // the G1 cofactor is divisible by 3: (h r / 3) Q has order 3 for a random curve point Q (or is the identity)
        var h = BigInteger.Parse("0396c8c005555e1568c00aaab0000aaab", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var m = h * Fr.Modulus / 3;
        var limbs = Fp.Limbs(m);
        G1 t = G1.Identity;
        for (ulong u = 1; t.IsIdentity; u++)
        {
            t = G1.MulVartime(Sswu.MapG1(Fp.FromUInt64(u)), limbs);
        }

        Assert.True(t.MulByUInt64(3).IsIdentity);
        foreach (ulong k in Multipliers)
        {
            var expected = (k % 3) switch { 0 => G1.Identity, 1 => t, _ => t.Double() };
            Assert.Equal(expected, t.MulByUInt64(k));
        }
    }
}
