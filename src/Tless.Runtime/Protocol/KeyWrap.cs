using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Tless.Runtime.Protocol;

/// <summary>
/// Encrypts a secret (a CP-ABE key part, a workflow key) to a host's ECDH P-256 key:
/// <code>
/// Z    = ECDH(ephemeral, recipient).x                         (32 bytes)
/// info = "tless/v1/wrap" || u16be(len(context)) || context(UTF-8) || epk(65) || recipient_pub(65)
/// key  = HKDF-SHA256(ikm = Z, salt = empty, info, 32)
/// blob = 0x01 || epk(65) || nonce(12) || tag(16) || AES-256-GCM(key, nonce, plaintext, aad = info)
/// </code>
/// The context names what is wrapped and for whom (<see cref="AttestContext"/>, <see cref="ReleaseContext"/>) so a
/// blob cannot be replayed in another transcript.
/// </summary>
public static class KeyWrap
{
    private const byte FormatVersion = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + ProtocolConstants.P256PublicKeyLength + NonceLength + TagLength;
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("tless/v1/wrap");

    /// <summary>The context of a key part minted by <c>POST /v1/attest</c>.</summary>
    public static string AttestContext(string authorityId, string workflow, string node, string gid) =>
        $"attest\n{authorityId}\n{workflow}\n{node}\n{gid}";

    /// <summary>The context of a workflow key released by <c>POST /v1/release</c>.</summary>
    public static string ReleaseContext(string authorityId, string workflow, string gid) =>
        $"release\n{authorityId}\n{workflow}\n{gid}";

    /// <summary>Wraps <paramref name="plaintext"/> to the 65-byte point <paramref name="recipientPublicKey"/>.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext, string context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var recipient = P256.ImportEcdhPoint(recipientPublicKey, "the recipient key");
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var epk = P256.ExportPoint(ephemeral);
        var z = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        var info = Info(context, epk, recipientPublicKey);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, z, 32, [], info);
        CryptographicOperations.ZeroMemory(z);

        var blob = new byte[HeaderLength + plaintext.Length];
        blob[0] = FormatVersion;
        epk.CopyTo(blob, 1);
        var nonce = blob.AsSpan(1 + ProtocolConstants.P256PublicKeyLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        var tag = blob.AsSpan(1 + ProtocolConstants.P256PublicKeyLength + NonceLength, TagLength);
        using (var gcm = new AesGcm(key, TagLength))
        {
            gcm.Encrypt(nonce, plaintext, blob.AsSpan(HeaderLength), tag, info);
        }

        CryptographicOperations.ZeroMemory(key);
        return blob;
    }

    /// <summary>
    /// Unwraps a blob made by <see cref="Wrap"/> for <paramref name="recipient"/> under <paramref name="context"/>;
    /// false when anything is wrong (format, key, context, tampering), without saying what.
    /// </summary>
    public static bool TryUnwrap(ECDiffieHellman recipient, ReadOnlySpan<byte> wrapped, string context, [NotNullWhen(true)] out byte[]? plaintext)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(context);
        plaintext = null;
        if (wrapped.Length < HeaderLength || wrapped[0] != FormatVersion)
        {
            return false;
        }

        var epk = wrapped.Slice(1, ProtocolConstants.P256PublicKeyLength);
        ECDiffieHellman ephemeral;
        try
        {
            ephemeral = P256.ImportEcdhPoint(epk, "the ephemeral key");
        }
        catch (ProtocolException)
        {
            return false;
        }

        byte[] z;
        using (ephemeral)
        {
            try
            {
                z = recipient.DeriveRawSecretAgreement(ephemeral.PublicKey);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        var info = Info(context, epk, P256.ExportPoint(recipient));
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, z, 32, [], info);
        CryptographicOperations.ZeroMemory(z);
        var nonce = wrapped.Slice(1 + ProtocolConstants.P256PublicKeyLength, NonceLength);
        var tag = wrapped.Slice(1 + ProtocolConstants.P256PublicKeyLength + NonceLength, TagLength);
        var result = new byte[wrapped.Length - HeaderLength];
        try
        {
            using var gcm = new AesGcm(key, TagLength);
            gcm.Decrypt(nonce, wrapped[HeaderLength..], tag, result, info);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        plaintext = result;
        return true;
    }

    private static byte[] Info(string context, ReadOnlySpan<byte> epk, ReadOnlySpan<byte> recipient)
    {
        var ctx = Encoding.UTF8.GetBytes(context);
        if (ctx.Length > ushort.MaxValue)
        {
            throw new ArgumentException("The context is too long.", nameof(context));
        }

        var info = new byte[Label.Length + 2 + ctx.Length + epk.Length + recipient.Length];
        var span = info.AsSpan();
        Label.CopyTo(span);
        span = span[Label.Length..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)ctx.Length);
        span = span[2..];
        ctx.CopyTo(span);
        span = span[ctx.Length..];
        epk.CopyTo(span);
        recipient.CopyTo(span[epk.Length..]);
        return info;
    }
}
