using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Tless.Crypto.Abe;

/// <summary>
/// Hybrid encryption: the CP-ABE KEM encapsulates a GT element, HKDF-SHA256 derives an AES-256-GCM key and nonce
/// from it (salted with the hash of the ABE ciphertext), and AES-GCM encrypts the payload with the caller's
/// associated data.
/// </summary>
/// <remarks>
/// Format: "TLAH", 1, ABE ciphertext length (u32), ABE ciphertext ("TLAC..."), AES-GCM ciphertext, 16-byte tag.
/// </remarks>
public static class AbeHybrid
{
    private static ReadOnlySpan<byte> Magic => "TLAH"u8;

    private const byte Version = 1;

    private const int HeaderPrefix = 4 + 1 + 4;

    private const int GcmTagSize = 16;

    private static ReadOnlySpan<byte> AssociatedDataLabel => "tless/ad/v1"u8;

    /// <summary>Encrypts <paramref name="plaintext"/> so that only key parts (of one GID) satisfying the policy decrypt.</summary>
    public static byte[] Encrypt(IEnumerable<AuthorityPublicKey> authorities, Policy policy, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var abe = CpAbe.Encapsulate(authorities, policy, out var key);
        var abeLength = abe.EncodedLength;
        var output = new byte[checked(HeaderPrefix + abeLength + plaintext.Length + GcmTagSize)];
        Magic.CopyTo(output);
        output[4] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(5), (uint)abeLength);
        var abeSpan = output.AsSpan(HeaderPrefix, abeLength);
        abe.ToBytes().CopyTo(abeSpan);

        Span<byte> keyNonce = stackalloc byte[44];
        try
        {
            AbeKdf.AeadKeyAndNonce(key, abe.Body, keyNonce);
            using var gcm = new AesGcm(keyNonce[..32], GcmTagSize);
            var body = output.AsSpan(HeaderPrefix + abeLength);
            gcm.Encrypt(keyNonce[32..], plaintext, body[..plaintext.Length], body[plaintext.Length..], associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyNonce);
        }

        return output;
    }

    /// <summary>
    /// Decrypts with key parts of one GID. Returns false when the keys do not satisfy the policy, mix GIDs, or the
    /// ciphertext or associated data were altered. Throws <see cref="TlessFormatException"/> when the bytes are not
    /// a well-formed hybrid ciphertext at all.
    /// </summary>
    public static bool TryDecrypt(IEnumerable<UserKeyPart> keys, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, [NotNullWhen(true)] out byte[]? plaintext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        plaintext = null;
        var abeLength = Split(ciphertext);
        var abe = AbeCiphertext.FromBytesLazy(ciphertext.Slice(HeaderPrefix, abeLength));
        var body = ciphertext[(HeaderPrefix + abeLength)..];
        if (!CpAbe.TryDecapsulate(keys, abe, out var key))
        {
            return false;
        }

        Span<byte> keyNonce = stackalloc byte[44];
        try
        {
            AbeKdf.AeadKeyAndNonce(key, abe.Body, keyNonce);
            using var gcm = new AesGcm(keyNonce[..32], GcmTagSize);
            var length = body.Length - GcmTagSize;
            var result = new byte[length];
            try
            {
                gcm.Decrypt(keyNonce[32..], body[..length], body[length..], result, associatedData);
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(result);
                return false;
            }

            plaintext = result;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyNonce);
        }
    }

    /// <summary>
    /// The policy from the header (public). Checks the envelope, header and lengths (not the group elements); throws
    /// <see cref="TlessFormatException"/> on malformed bytes.
    /// </summary>
    public static Policy ReadPolicy(ReadOnlySpan<byte> ciphertext) => AbeCiphertext.FromBytesLazy(ciphertext.Slice(HeaderPrefix, Split(ciphertext))).Policy;

    /// <summary>
    /// An unambiguous associated-data encoding binding an object to its place: "tless/ad/v1" then each of object name,
    /// workflow and node as a u32 big-endian UTF-8 length and the bytes.
    /// </summary>
    public static byte[] AssociatedData(string objectName, string workflow, string node)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(node);
        var w = new AbeWriter(64 + (objectName.Length + workflow.Length + node.Length) * 3);
        w.Write(AssociatedDataLabel);
        foreach (var s in (ReadOnlySpan<string>)[objectName, workflow, node])
        {
            byte[] bytes;
            try
            {
                bytes = AbeWriter.StrictUtf8.GetBytes(s);
            }
            catch (System.Text.EncoderFallbackException e)
            {
                throw new ArgumentException("Associated data strings must be valid UTF-16 (no lone surrogates).", nameof(objectName), e);
            }

            w.WriteUInt32(bytes.Length);
            w.Write(bytes);
        }

        return w.ToArray();
    }

    // Validates the envelope and returns the length of the embedded ABE ciphertext.
    private static int Split(ReadOnlySpan<byte> ciphertext)
    {
        const string what = "ABE hybrid ciphertext";
        if (ciphertext.Length < HeaderPrefix)
        {
            throw new TlessFormatException($"{what}: {ciphertext.Length} bytes is too short for the header ({HeaderPrefix} bytes)");
        }

        if (!ciphertext[..4].SequenceEqual(Magic))
        {
            throw new TlessFormatException($"{what}: bad magic (expected 'TLAH')");
        }

        if (ciphertext[4] != Version)
        {
            throw new TlessFormatException($"{what}: unsupported version {ciphertext[4]} (expected {Version})");
        }

        var abeLength = BinaryPrimitives.ReadUInt32BigEndian(ciphertext[5..]);
        var rest = ciphertext.Length - HeaderPrefix;
        if (abeLength > (uint)rest || rest - (int)abeLength < GcmTagSize)
        {
            throw new TlessFormatException(
                $"{what}: the ABE part claims {abeLength} bytes but only {rest} follow the header (and a {GcmTagSize}-byte tag is needed after it)");
        }

        return (int)abeLength;
    }
}
