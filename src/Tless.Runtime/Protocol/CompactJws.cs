using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tless.Runtime.Protocol;

/// <summary>
/// Minimal compact JWS (RFC 7515) with ES256 only: <c>b64url(header) . b64url(payload) . b64url(r || s)</c>.
/// The header is exactly <c>{"alg":"ES256","typ":T}</c> plus an optional <c>kid</c>; anything else is refused,
/// so there is no algorithm confusion.
/// </summary>
internal static class CompactJws
{
    public const int MaxLength = 64 * 1024;

    public static string Sign(string type, string? keyId, ReadOnlySpan<byte> payloadJson, ECDsa key) =>
        Sign(type, keyId, payloadJson, data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    public static string Sign(string type, string? keyId, ReadOnlySpan<byte> payloadJson, Es256Signer signer)
    {
        var header = new JwsHeader { Alg = "ES256", Typ = type, Kid = keyId };
        var headerJson = JsonSerializer.SerializeToUtf8Bytes(header, TokenJsonContext.Default.JwsHeader);
        var signingInput = Base64Url.EncodeToString(headerJson) + "." + Base64Url.EncodeToString(payloadJson);
        var signature = signer(Encoding.ASCII.GetBytes(signingInput));
        if (signature.Length != 64)
        {
            throw new ArgumentException($"An ES256 signer must return 64 bytes (r || s), got {signature.Length}.", nameof(signer));
        }

        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Splits and decodes a compact JWS, checking the header; signature not yet verified.</summary>
    public static Parsed Parse(string compact, string expectedType, string what)
    {
        if (string.IsNullOrEmpty(compact))
        {
            throw Malformed(what, "is empty");
        }

        if (compact.Length > MaxLength)
        {
            throw Malformed(what, $"is longer than {MaxLength} characters");
        }

        var first = compact.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : compact.IndexOf('.', first + 1);
        if (first < 0 || second < 0 || compact.IndexOf('.', second + 1) >= 0)
        {
            throw Malformed(what, "is not a compact JWS (three dot-separated parts)");
        }

        var headerBytes = Decode(compact.AsSpan(0, first), what, "header");
        var payload = Decode(compact.AsSpan(first + 1, second - first - 1), what, "payload");
        var signature = Decode(compact.AsSpan(second + 1), what, "signature");

        JwsHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(headerBytes, TokenJsonContext.Default.JwsHeader);
        }
        catch (JsonException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, $"{what}: the header is not valid JSON ({e.Message}).", e);
        }

        if (header is null || header.Alg != "ES256")
        {
            throw Malformed(what, $"has algorithm '{header?.Alg}', only ES256 is accepted");
        }

        if (header.Typ != expectedType)
        {
            throw Malformed(what, $"has type '{header.Typ}', expected '{expectedType}'");
        }

        if (header.Extra is { Count: > 0 })
        {
            throw Malformed(what, $"has unsupported header parameter '{header.Extra.Keys.First()}'");
        }

        if (signature.Length != 64)
        {
            throw Malformed(what, $"has a {signature.Length}-byte signature, expected 64 (ES256 r || s)");
        }

        return new Parsed(header.Kid, payload, signature, Encoding.ASCII.GetBytes(compact, 0, second));
    }

    public static bool VerifySignature(Parsed parsed, ECDsa key) =>
        key.VerifyData(parsed.SigningInput, parsed.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static byte[] Decode(ReadOnlySpan<char> part, string what, string which)
    {
        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                throw Malformed(what, $"has a {which} that is not base64url");
            }
        }

        try
        {
            return Base64Url.DecodeFromChars(part);
        }
        catch (FormatException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, $"{what} has a {which} that is not base64url.", e);
        }
    }

    private static ProtocolException Malformed(string what, string problem) =>
        new(ProblemCodes.TokenMalformed, $"{what} {problem}.");

    internal sealed record Parsed(string? KeyId, byte[] Payload, byte[] Signature, byte[] SigningInput);
}
