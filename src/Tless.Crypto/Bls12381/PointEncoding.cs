namespace Tless.Crypto.Bls12381;

/// <summary>ZCash point-encoding flag checks shared by G1 and G2.</summary>
internal static class PointEncoding
{
    internal const byte CompressedFlag = 0x80;
    internal const byte InfinityFlag = 0x40;
    internal const byte SortFlag = 0x20;

    /// <summary>Checks the three flag bits of byte 0; on infinity also that every other bit is zero.</summary>
    internal static string? CheckFlags(ReadOnlySpan<byte> bytes, bool compressed, out bool infinity, out bool sort)
    {
        byte b0 = bytes[0];
        bool c = (b0 & CompressedFlag) != 0;
        infinity = (b0 & InfinityFlag) != 0;
        sort = (b0 & SortFlag) != 0;
        if (c != compressed)
        {
            return compressed
                ? "encoding is not marked compressed (flag 0x80 is clear in byte 0)."
                : "encoding is marked compressed (flag 0x80 is set in byte 0) but has the uncompressed length.";
        }

        if (!compressed && sort)
        {
            return "uncompressed encoding has the sort flag (0x20) set in byte 0.";
        }

        if (infinity)
        {
            if (sort)
            {
                return "point at infinity has the sort flag (0x20) set in byte 0.";
            }

            if ((b0 & 0x1F) != 0 || bytes[1..].ContainsAnyExcept((byte)0))
            {
                return "point at infinity has non-zero coordinate bytes.";
            }
        }

        return null;
    }
}
