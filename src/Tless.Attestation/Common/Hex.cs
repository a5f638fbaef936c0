namespace Tless.Attestation.Common;

/// <summary>Lower-case hex, the notation of every claim.</summary>
internal static class Hex
{
    public static string Lower(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
