using System.Buffers.Binary;

namespace Tless.Runtime.Tee;

/// <summary>
/// Just enough of the Intel DCAP quote layout (header 48 bytes, report body, u32 signature data length, signature data)
/// for a guest to check what its TEE returned and to read its own measurement; full verification is the attestation
/// service's job.
/// </summary>
internal static class DcapQuoteLayout
{
    public const int HeaderSize = 48;
    public const int SgxBodySize = 384;
    public const int TdxBodySize = 584;
    public const int MaxQuoteSize = 64 * 1024;

    /// <summary>
    /// Checks version, TEE type and lengths, and returns the quote without trailing zero padding (which some quote
    /// generators add). Throws <see cref="TeeException"/> naming <paramref name="source"/>.
    /// </summary>
    public static byte[] Check(byte[] quote, ushort version, uint teeType, int bodySize, string source)
    {
        var minimum = HeaderSize + bodySize + 4;
        if (quote.Length < minimum)
        {
            throw new TeeException($"{source} is {quote.Length} bytes, too short for a quote v{version} (at least {minimum})");
        }

        if (quote.Length > MaxQuoteSize)
        {
            throw new TeeException($"{source} is {quote.Length} bytes, oversized for a quote (at most {MaxQuoteSize})");
        }

        var actualVersion = BinaryPrimitives.ReadUInt16LittleEndian(quote);
        var actualTee = BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(4));
        if (actualVersion != version || actualTee != teeType)
        {
            throw new TeeException($"{source} is a quote v{actualVersion} with TEE type 0x{actualTee:x}, not v{version} with TEE type 0x{teeType:x}");
        }

        var signatureLength = BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(HeaderSize + bodySize));
        var declared = (long)minimum + signatureLength;
        if (declared > quote.Length)
        {
            throw new TeeException($"{source} is {quote.Length} bytes but its signature data needs {declared} (short)");
        }

        if (quote.AsSpan((int)declared).ContainsAnyExcept((byte)0))
        {
            throw new TeeException($"{source} is {quote.Length} bytes: {quote.Length - declared} bytes after the {declared}-byte quote are not padding (oversized)");
        }

        return declared == quote.Length ? quote : quote[..(int)declared];
    }

    /// <summary>The report body of a checked quote.</summary>
    public static ReadOnlySpan<byte> Body(byte[] quote, int bodySize) => quote.AsSpan(HeaderSize, bodySize);
}
