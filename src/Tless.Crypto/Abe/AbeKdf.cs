using System.Security.Cryptography;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// HKDF-SHA256 from the encapsulated GT element: PRK = Extract(salt = SHA-256(ciphertext body), IKM = GT bytes);
/// the key-confirmation tag and the AEAD key/nonce are Expand outputs under distinct labels.
/// </summary>
internal static class AbeKdf
{
    private static ReadOnlySpan<byte> ConfirmInfo => "tless/cpabe/v1/confirm"u8;

    private static ReadOnlySpan<byte> AeadInfo => "tless/cpabe/v1/aes-256-gcm"u8;

    public static void ConfirmationTag(in Gt key, ReadOnlySpan<byte> body, Span<byte> tag) =>
        Expand(key, body, ConfirmInfo, tag);

    public static bool CheckTag(in Gt key, ReadOnlySpan<byte> body, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[AbeCiphertext.TagSize];
        ConfirmationTag(key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    /// <summary>32-byte AES key followed by a 12-byte nonce (the key is fresh per encapsulation).</summary>
    public static void AeadKeyAndNonce(in Gt key, ReadOnlySpan<byte> body, Span<byte> output44) =>
        Expand(key, body, AeadInfo, output44);

    private static void Expand(in Gt key, ReadOnlySpan<byte> body, ReadOnlySpan<byte> info, Span<byte> output)
    {
        Span<byte> salt = stackalloc byte[32];
        SHA256.HashData(body, salt);
        Span<byte> ikm = stackalloc byte[576];
        Span<byte> prk = stackalloc byte[32];
        try
        {
            key.WriteBytes(ikm);
            HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt, prk);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            CryptographicOperations.ZeroMemory(prk);
        }
    }
}
