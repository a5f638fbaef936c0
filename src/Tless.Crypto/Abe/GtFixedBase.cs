using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// Constant-time fixed-base exponentiation in GT: table[16·w + j] = base^(j·16^w), one masked table scan and one
/// multiplication per 4-bit window, no squarings. About 590 KB per base; built once per base (≈ 1000 GT
/// multiplications), used for e(g1,g2) and for the e(g1,g2)^α of each authority public key during encryption.
/// </summary>
internal sealed class GtFixedBase
{
    private const int Windows = 64;

    private readonly Fp12[] _table;

    public GtFixedBase(in Gt basePoint)
    {
        _table = new Fp12[Windows * 16];
        var b = basePoint.Value;
        for (var w = 0; w < Windows; w++)
        {
            _table[16 * w] = Fp12.One;
            _table[(16 * w) + 1] = b;
            for (var j = 2; j < 16; j++)
            {
                _table[(16 * w) + j] = _table[(16 * w) + j - 1] * b;
            }

            b = _table[(16 * w) + 15] * b;
        }
    }

    private const int CacheLimit = 64;

    // Authority keys are parsed from bytes in many places, so tables are shared by value, not per object: the
    // first exponentiation of a base uses Gt.Pow, the second builds the table (about four Gt.Pow worth of work).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Gt, CacheEntry> Cache = new();
    private static int s_tables;

    /// <summary>b^k in constant time, using (and, from the second use of b, building) a shared table.</summary>
    public static Gt PowCached(in Gt b, in Scalar k)
    {
        var entry = Cache.GetOrAdd(b, static _ => new CacheEntry());
        var table = entry.Table;
        if (table is null && Volatile.Read(ref s_tables) < CacheLimit && Interlocked.Increment(ref entry.Uses) == 2
            && Interlocked.Increment(ref s_tables) <= CacheLimit)
        {
            table = entry.Table = new GtFixedBase(b);
        }

        if (Cache.Count > 4 * CacheLimit)
        {
            Cache.Clear();
            Volatile.Write(ref s_tables, 0);
        }

        return table is not null ? table.Pow(k) : b.Pow(k);
    }

    private sealed class CacheEntry
    {
        public int Uses;
        public volatile GtFixedBase? Table;
    }

    /// <summary>The generator e(g1, g2), shared by every encryption.</summary>
    public static GtFixedBase Generator { get; } = new(Gt.Generator);

    public Gt Pow(in Scalar k)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        k.GetLimbs(limbs);
        var acc = Fp12.One;
        for (var w = 0; w < Windows; w++)
        {
            var nib = (limbs[w / 16] >> ((w % 16) * 4)) & 0xF;
            var sel = Fp12.One;
            for (var j = 1; j < 16; j++)
            {
                var diff = nib ^ (ulong)j;
                var mask = unchecked(((diff | (0UL - diff)) >> 63) - 1UL);
                sel = Fp12.Select(sel, _table[(16 * w) + j], mask);
            }

            acc *= sel;
        }

        limbs.Clear();
        return new Gt(acc);
    }

    /// <summary>
    /// Decodes a GT encoding checking only that the 12 coefficients are canonical (below p) and the element is not
    /// zero. Used for ciphertext C1 values, which decryption only multiplies into the result: a value outside GT
    /// cannot interact with key material and makes the key-confirmation tag fail, and skipping the order-r check
    /// saves a full exponentiation per row.
    /// </summary>
    public static bool TryDecodeCanonical(ReadOnlySpan<byte> bytes, out Gt value)
    {
        value = Gt.One;
        if (bytes.Length != Gt.ByteLength)
        {
            return false;
        }

        Span<Fp> c = stackalloc Fp[12];
        for (var i = 0; i < 12; i++)
        {
            if (!Fp.TryFromBytes(bytes.Slice(48 * i, 48), out c[i]))
            {
                return false;
            }
        }

        var f = Fp12.FromCoefficients(c);
        if (f.IsZero)
        {
            return false;
        }

        value = new Gt(f);
        return true;
    }
}
