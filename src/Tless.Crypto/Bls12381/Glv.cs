using System.Numerics;

namespace Tless.Crypto.Bls12381;

/// <summary>
/// Constant-time GLV decomposition for G1: k = k1 + q * x^2 with 0 &lt;= k1 &lt; x^2 and q &lt; 2^128, by Barrett
/// division with fixed-size limb arithmetic (no branch or memory index depends on k).
/// </summary>
internal static class Glv
{
    // d = x^2 (x = -0xd201000000010000), 128 bits
    private static readonly ulong[] D = Fp.Limbs(new BigInteger(G1.BlsX) * G1.BlsX);

    // mu = floor(2^384 / d), 257 bits: five limbs
    private static readonly ulong[] Mu = Pad(Fp.Limbs((BigInteger.One << 384) / (new BigInteger(G1.BlsX) * G1.BlsX)), 5);

    private static ulong[] Pad(ulong[] v, int n)
    {
        var r = new ulong[n];
        v.CopyTo(r, 0);
        return r;
    }

    /// <summary>Splits a canonical scalar (4 limbs, below r) into k1 (2 limbs, below x^2) and q (2 limbs).</summary>
    internal static void Decompose(ReadOnlySpan<ulong> k, Span<ulong> k1, Span<ulong> q)
    {
        unchecked
        {
            // t = k * mu (9 limbs); q_est = t >> 384 = t[6..8]; since k < 2^255 the estimate is q or q - 1
            Span<ulong> t = stackalloc ulong[9];
            t.Clear();
            for (int i = 0; i < 4; i++)
            {
                ulong carry = 0;
                for (int j = 0; j < 5; j++)
                {
                    ulong hi = Math.BigMul(k[i], Mu[j], out ulong lo);
                    lo += carry;
                    hi += lo < carry ? 1UL : 0UL;
                    lo += t[i + j];
                    hi += lo < t[i + j] ? 1UL : 0UL;
                    t[i + j] = lo;
                    carry = hi;
                }

                t[i + 5] = carry;
            }

            ulong q0 = t[6];
            ulong q1 = t[7];

            // r = k - q_est * d (fits in 3 limbs, below 2d)
            ulong p0hi = Math.BigMul(q0, D[0], out ulong p0);
            ulong p1hi = Math.BigMul(q0, D[1], out ulong p1lo);
            ulong p2hi = Math.BigMul(q1, D[0], out ulong p2lo);
            ulong m1 = p0hi + p1lo;
            ulong c = m1 < p1lo ? 1UL : 0UL;
            m1 += p2lo;
            c += m1 < p2lo ? 1UL : 0UL;
            ulong m2 = p1hi + p2hi + c + (q1 * D[1]);

            ulong borrow = 0;
            ulong r0 = Sub(k[0], p0, ref borrow);
            ulong r1 = Sub(k[1], m1, ref borrow);
            ulong r2 = Sub(k[2], m2, ref borrow);

            // one masked correction: if r >= d then r -= d, q += 1
            ulong b2 = 0;
            ulong s0 = Sub(r0, D[0], ref b2);
            ulong s1 = Sub(r1, D[1], ref b2);
            _ = Sub(r2, 0, ref b2);
            ulong take = b2 - 1; // all ones when r >= d
            k1[0] = (s0 & take) | (r0 & ~take);
            k1[1] = (s1 & take) | (r1 & ~take);
            ulong inc = take & 1;
            q[0] = q0 + inc;
            q[1] = q1 + (q[0] < inc ? 1UL : 0UL);
            t.Clear();
        }
    }

    // |x| has its top bit set, so the two-word division by it needs no normalization; V = floor((2^128 - 1) / |x|) - 2^64
    private const ulong AbsX = G1.BlsX;
    private static readonly ulong V = (ulong)((((BigInteger.One << 128) - 1) / AbsX) - (BigInteger.One << 64));

    /// <summary>
    /// Splits n = (n1, n0) below x^2 into n = lo + hi |x| with lo, hi below |x|, in constant time (Moller and
    /// Granlund 2011, division by an invariant integer with a precomputed reciprocal; both corrections are masked).
    /// </summary>
    internal static void DivRemAbsX(ulong n0, ulong n1, out ulong lo, out ulong hi)
    {
        unchecked
        {
            // n < x^2 implies n1 < |x|, the precondition of the algorithm
            ulong qh = Math.BigMul(V, n1, out ulong ql);
            ql += n0;
            qh += n1 + (ql < n0 ? 1UL : 0UL);
            qh += 1;
            ulong r = n0 - (qh * AbsX);
            ulong m1 = 0UL - (r > ql ? 1UL : 0UL);
            qh += m1;
            r += AbsX & m1;
            ulong m2 = 0UL - (r >= AbsX ? 1UL : 0UL);
            qh -= m2;
            r -= AbsX & m2;
            lo = r;
            hi = qh;
        }
    }

    private static ulong Sub(ulong a, ulong b, ref ulong borrow)
    {
        unchecked
        {
            ulong d = a - b;
            ulong b1 = a < b ? 1UL : 0UL;
            ulong d2 = d - borrow;
            borrow = b1 | (d < borrow ? 1UL : 0UL);
            return d2;
        }
    }
}
