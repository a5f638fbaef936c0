namespace Tless.Crypto.Bls12381;

/// <summary>Scalar recodings for the variable-time algorithms (public scalars only).</summary>
internal static class Wnaf
{
    /// <summary>Width-w NAF of a little-endian limb integer; returns the number of digits (odd digits in (-2^(w-1), 2^(w-1))).</summary>
    public static int Recode(ReadOnlySpan<ulong> limbs, int w, Span<sbyte> digits)
    {
        Span<ulong> k = stackalloc ulong[limbs.Length + 1];
        limbs.CopyTo(k);
        k[limbs.Length] = 0;
        int window = 1 << w;
        int half = window >> 1;
        int i = 0;
        while (!IsZero(k))
        {
            int d = 0;
            if ((k[0] & 1) == 1)
            {
                d = (int)(k[0] & (ulong)(window - 1));
                if (d >= half)
                {
                    d -= window;
                }

                if (d > 0)
                {
                    SubSmall(k, (ulong)d);
                }
                else
                {
                    AddSmall(k, (ulong)(-d));
                }
            }

            digits[i++] = (sbyte)d;
            ShiftRight1(k);
        }

        return i;
    }

    /// <summary>The c-bit unsigned window of the integer starting at bit position <paramref name="bit"/>.</summary>
    public static int Window(ReadOnlySpan<ulong> limbs, int bit, int c)
    {
        int limb = bit / 64;
        int off = bit % 64;
        if (limb >= limbs.Length)
        {
            return 0;
        }

        ulong v = limbs[limb] >> off;
        if (off + c > 64 && limb + 1 < limbs.Length)
        {
            v |= limbs[limb + 1] << (64 - off);
        }

        return (int)(v & ((1UL << c) - 1));
    }

    private static bool IsZero(ReadOnlySpan<ulong> k)
    {
        foreach (var l in k)
        {
            if (l != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void SubSmall(Span<ulong> k, ulong v)
    {
        unchecked
        {
            for (int i = 0; i < k.Length && v != 0; i++)
            {
                ulong old = k[i];
                k[i] = old - v;
                v = old < v ? 1UL : 0UL;
            }
        }
    }

    private static void AddSmall(Span<ulong> k, ulong v)
    {
        unchecked
        {
            for (int i = 0; i < k.Length && v != 0; i++)
            {
                ulong s = k[i] + v;
                v = s < v ? 1UL : 0UL;
                k[i] = s;
            }
        }
    }

    private static void ShiftRight1(Span<ulong> k)
    {
        for (int i = 0; i < k.Length - 1; i++)
        {
            k[i] = (k[i] >> 1) | (k[i + 1] << 63);
        }

        k[^1] >>= 1;
    }
}
