using System.Security.Cryptography;

namespace Tless.Workflows;

/// <summary>
/// The user's ECDSA P-256 signing key (ES256): signs registrations and the invocation tokens of entry nodes.
/// Signatures are IEEE P1363 (r || s, 64 bytes) over SHA-256 of the message, as in JWS.
/// </summary>
public sealed class UserSigningKey : IDisposable
{
    private readonly ECDsa key;

    private UserSigningKey(ECDsa key)
    {
        this.key = key;
        PublicKeySpki = key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The public key as DER SubjectPublicKeyInfo.</summary>
    public ReadOnlyMemory<byte> PublicKeySpki { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="PublicKeySpki"/>.</summary>
    public string Thumbprint => Thumbprints.Of(PublicKeySpki.Span);

    /// <summary>A fresh random key.</summary>
    public static UserSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Imports an unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>); TlessFormatException when it is not a P-256 key.</summary>
    public static UserSigningKey ImportPkcs8Pem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            var fields = PemEncoding.Find(pem);
            if (pem[fields.Label] != "PRIVATE KEY")
            {
                throw new TlessFormatException($"expected a PEM 'PRIVATE KEY' (PKCS#8) block but found '{pem[fields.Label]}'");
            }

            ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(pem[fields.Base64Data]), out _);
            if (ecdsa.KeySize != 256 || ecdsa.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new TlessFormatException("the signing key is not an ECDSA P-256 key");
            }

            return new UserSigningKey(ecdsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException)
        {
            ecdsa.Dispose();
            throw new TlessFormatException("the signing key is not a PKCS#8 PEM ECDSA P-256 private key: " + e.Message, e);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>The private key as unencrypted PKCS#8 PEM; store it with owner-only permissions.</summary>
    public string ExportPkcs8Pem() => PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey());

    /// <summary>ES256 signature (64 bytes, r || s) of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>
    /// Verifies an ES256 signature by the P-256 key <paramref name="publicKeySpki"/>; false for a wrong signature or a
    /// key that is not P-256 (never throws for bad input).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKeySpki, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(publicKeySpki, out var read);
            if (read != publicKeySpki.Length || ecdsa.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                return false;
            }

            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose() => key.Dispose();
}

internal static class Thumbprints
{
    public static string Of(ReadOnlySpan<byte> spki) => Convert.ToHexStringLower(SHA256.HashData(spki));
}
