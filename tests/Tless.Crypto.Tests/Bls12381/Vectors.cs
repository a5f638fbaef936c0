using System.Text.Json;
using Tless.Testing;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>Loads the shared BLS12-381 vectors (../shared/vectors; sources in its PROVENANCE.txt).</summary>
internal static class Vectors
{
    public static JsonElement Json(params string[] path)
    {
        var file = SharedData.Require(["vectors", .. path]);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return doc.RootElement.Clone();
    }

    public static byte[] Bytes(params string[] path) => File.ReadAllBytes(SharedData.Require(["vectors", .. path]));

    /// <summary>Hex without or with a 0x prefix, left-padded to <paramref name="length"/> bytes when given.</summary>
    public static byte[] Hex(string hex, int length = 0)
    {
        var h = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (h.Length % 2 == 1)
        {
            h = "0" + h;
        }

        var b = Convert.FromHexString(h);
        if (length == 0 || b.Length == length)
        {
            return b;
        }

        var r = new byte[length];
        b.CopyTo(r, length - b.Length);
        return r;
    }
}
