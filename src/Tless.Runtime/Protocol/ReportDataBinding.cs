using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tless.Runtime.Protocol;

/// <summary>
/// The 64 bytes a host puts into its TEE evidence (DESIGN step 2, extended):
/// <code>
/// report_data = SHA-512( "tless/v1" || ecdh_pub(65) || sign_pub(65) || u16be(len(gid)) || gid(ASCII) || tokens_digest(32) )
/// tokens_digest = SHA-256( SHA-256(token_1) || ... || SHA-256(token_n) )   // tokens as sent, ASCII; n = 0 for release
/// </code>
/// Binding both keys and the GID means evidence cannot be replayed for another key; binding the tokens means a
/// host attests for a specific invocation (several tokens in request order for a fan-in node).
/// </summary>
public static class ReportDataBinding
{
    public const int Length = 64;

    /// <summary>The digest over all invocation tokens of one request, in request order.</summary>
    public static byte[] TokensDigest(IReadOnlyList<string> invocationTokens)
    {
        ArgumentNullException.ThrowIfNull(invocationTokens);
        using var outer = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var token in invocationTokens)
        {
            ArgumentNullException.ThrowIfNull(token, nameof(invocationTokens));
            outer.AppendData(InvocationTokens.Digest(token));
        }

        return outer.GetHashAndReset();
    }

    /// <summary>Computes report_data for the given keys (65-byte points), GID and tokens.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> ecdhPublicKey, ReadOnlySpan<byte> signingPublicKey, string gid, IReadOnlyList<string> invocationTokens)
    {
        if (ecdhPublicKey.Length != ProtocolConstants.P256PublicKeyLength)
        {
            throw new ArgumentException("The ECDH public key must be a 65-byte point.", nameof(ecdhPublicKey));
        }

        if (signingPublicKey.Length != ProtocolConstants.P256PublicKeyLength)
        {
            throw new ArgumentException("The signing public key must be a 65-byte point.", nameof(signingPublicKey));
        }

        if (!ProtocolConstants.IsValidGid(gid))
        {
            throw new ArgumentException("The GID must be 16..128 characters of [A-Za-z0-9_-].", nameof(gid));
        }

        Span<byte> gidLength = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(gidLength, (ushort)gid.Length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(Encoding.ASCII.GetBytes(ProtocolConstants.Version));
        hash.AppendData(ecdhPublicKey);
        hash.AppendData(signingPublicKey);
        hash.AppendData(gidLength);
        hash.AppendData(Encoding.ASCII.GetBytes(gid));
        hash.AppendData(TokensDigest(invocationTokens));
        return hash.GetHashAndReset();
    }
}
