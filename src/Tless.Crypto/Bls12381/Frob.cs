using System.Numerics;

namespace Tless.Crypto.Bls12381;

/// <summary>Frobenius coefficients, derived once from xi = u + 1 rather than typed in.</summary>
internal static class Frob
{
    /// <summary>xi^((p^k - 1) / 3).</summary>
    internal static readonly Fp2[] Fp6C1 = Powers(3, 1);

    /// <summary>xi^(2 (p^k - 1) / 3).</summary>
    internal static readonly Fp2[] Fp6C2 = Powers(3, 2);

    /// <summary>xi^((p^k - 1) / 6).</summary>
    internal static readonly Fp2[] Fp12C1 = Powers(6, 1);

    private static Fp2[] Powers(int divisor, int multiplier)
    {
        var p = Fp.Modulus;
        var order = (p * p) - 1;
        var xi = new Fp2(Fp.One, Fp.One);
        var result = new Fp2[6];
        var pk = BigInteger.One;
        for (int k = 0; k < 6; k++)
        {
            var e = (pk - 1) / divisor * multiplier % order;
            result[k] = xi.Pow(e);
            pk *= p;
        }

        return result;
    }
}
