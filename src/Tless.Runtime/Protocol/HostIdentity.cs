using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Tless.Runtime.Protocol;

/// <summary>
/// The keys a function host makes inside its TEE for one attested identity: a GID, an ECDH P-256 key that receives
/// key parts, and an ECDSA P-256 key that signs its successors' invocation tokens. The private keys never leave
/// this object; dispose it when the identity expires.
/// </summary>
public sealed class HostIdentity : IDisposable
{
    private HostIdentity(string gid, ECDiffieHellman keyAgreement, ECDsa signing)
    {
        Gid = gid;
        KeyAgreement = keyAgreement;
        Signing = signing;
        KeyAgreementPublicKey = P256.ExportPoint(keyAgreement);
        SigningPublicKey = P256.ExportPoint(signing);
    }

    /// <summary>43 characters of base64url (256 random bits).</summary>
    public string Gid { get; }

    /// <summary>The ECDH key that key parts are wrapped to.</summary>
    public ECDiffieHellman KeyAgreement { get; }

    /// <summary>The ECDSA key that signs successors' invocation tokens.</summary>
    public ECDsa Signing { get; }

    /// <summary>65-byte uncompressed point of <see cref="KeyAgreement"/>.</summary>
    public byte[] KeyAgreementPublicKey { get; }

    /// <summary>65-byte uncompressed point of <see cref="Signing"/>.</summary>
    public byte[] SigningPublicKey { get; }

    /// <summary>Makes fresh keys and a fresh GID.</summary>
    public static HostIdentity Create() =>
        new(
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)),
            ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256),
            ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The report data to request evidence with, for an attestation carrying <paramref name="invocationTokens"/>.</summary>
    public byte[] ReportData(IReadOnlyList<string> invocationTokens) =>
        ReportDataBinding.Compute(KeyAgreementPublicKey, SigningPublicKey, Gid, invocationTokens);

    /// <summary>Signs an invocation token for a successor.</summary>
    public string SignInvocation(InvocationToken token) => InvocationTokens.Sign(token, Signing);

    /// <summary>Unwraps a key part or workflow key sent to this identity.</summary>
    public bool TryUnwrap(ReadOnlySpan<byte> wrapped, string context, [NotNullWhen(true)] out byte[]? plaintext) =>
        KeyWrap.TryUnwrap(KeyAgreement, wrapped, context, out plaintext);

    public void Dispose()
    {
        KeyAgreement.Dispose();
        Signing.Dispose();
    }
}
