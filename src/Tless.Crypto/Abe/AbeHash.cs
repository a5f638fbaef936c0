using System.Collections.Concurrent;
using System.Text;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>The random oracles of the scheme: RFC 9380 hash-to-curve into G2 with separate domain tags.</summary>
internal static class AbeHash
{
    /// <summary>DST of F: attribute name -> G2.</summary>
    public static ReadOnlySpan<byte> AttributeDst => "TLESS-V01-CS01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_CPABE_ATTRIBUTE"u8;

    /// <summary>DST of H: GID -> G2.</summary>
    public static ReadOnlySpan<byte> GidDst => "TLESS-V01-CS01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_CPABE_GID"u8;

    private const int PointCacheLimit = 4096;

    private const int TableLimit = 64;

    // Attribute points are public and deterministic, and encryptors and authorities reuse the same few names. The
    // point of every name is cached (bounded, reset when full); a name used again also gets a fixed-base table
    // (about 300 KB each, at most TableLimit of them) so that F(u)^t costs a table scan instead of a variable-base
    // multiplication.
    private static readonly ConcurrentDictionary<string, Entry> Cache = new(StringComparer.Ordinal);
    private static int s_tables;

    public static G2 Attribute(string fullName) => GetEntry(fullName).Point;

    /// <summary>F(name)^k in constant time.</summary>
    public static G2 AttributeTimes(string fullName, in Scalar k)
    {
        var entry = GetEntry(fullName);
        var table = entry.Table;
        if (table is null && Volatile.Read(ref s_tables) < TableLimit && Interlocked.Increment(ref entry.Uses) == 2
            && Interlocked.Increment(ref s_tables) <= TableLimit)
        {
            table = entry.Table = new G2FixedBase(entry.Point);
        }

        return table is not null ? table.Multiply(k) : entry.Point * k;
    }

    public static G2 Gid(string gid) => G2.HashToCurve(Encoding.UTF8.GetBytes(gid), GidDst);

    private static Entry GetEntry(string fullName)
    {
        if (Cache.TryGetValue(fullName, out var cached))
        {
            return cached;
        }

        var entry = new Entry(G2.HashToCurve(Encoding.UTF8.GetBytes(fullName), AttributeDst));
        if (Cache.Count >= PointCacheLimit)
        {
            Cache.Clear();
            Volatile.Write(ref s_tables, 0);
        }

        return Cache.GetOrAdd(fullName, entry);
    }

    private sealed class Entry(G2 point)
    {
        public readonly G2 Point = point;
        public int Uses;
        public volatile G2FixedBase? Table;
    }
}
