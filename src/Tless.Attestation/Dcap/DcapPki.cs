using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Tless.Attestation.Dcap;

/// <summary>
/// The X.509 work of DCAP done by hand, so that nothing depends on the machine's trust store, the network or
/// OpenSSL's chain policy: ECDSA P-256/SHA-256 signatures on certificates and CRLs, chains to the pinned root,
/// validity at the injected time, and CRL parsing.
/// </summary>
internal static class DcapPki
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const int MaxChainLength = 5;

    /// <summary>Reads the certificates of a PEM text (BEGIN/END CERTIFICATE blocks, anything else between is ignored).</summary>
    public static List<X509Certificate2> ParsePemChain(ReadOnlySpan<byte> pem, string what)
    {
        const string Begin = "-----BEGIN CERTIFICATE-----";
        const string End = "-----END CERTIFICATE-----";
        var text = Encoding.ASCII.GetString(pem);
        var certs = new List<X509Certificate2>();
        var at = 0;
        while (true)
        {
            var start = text.IndexOf(Begin, at, StringComparison.Ordinal);
            if (start < 0)
            {
                break;
            }

            var end = text.IndexOf(End, start, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new TlessFormatException($"{what}: certificate {certs.Count + 1} has no END CERTIFICATE line");
            }

            if (certs.Count == MaxChainLength)
            {
                throw new TlessFormatException($"{what}: more than {MaxChainLength} certificates");
            }

            var body = text[(start + Begin.Length)..end];
            try
            {
                certs.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(body)));
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                throw new TlessFormatException($"{what}: certificate {certs.Count + 1} is not a valid base64 DER certificate: {e.Message}", e);
            }

            at = end + End.Length;
        }

        if (certs.Count == 0)
        {
            throw new TlessFormatException($"{what}: no PEM certificate found");
        }

        return certs;
    }

    /// <summary>Splits a signed X.509 structure (certificate or CRL) into to-be-signed bytes, algorithm and signature.</summary>
    public static (byte[] Tbs, string Algorithm, byte[] Signature) SplitSigned(ReadOnlyMemory<byte> der, string what)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var seq = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var tbs = seq.ReadEncodedValue().ToArray();
            var alg = seq.ReadSequence();
            var oid = alg.ReadObjectIdentifier();
            var sig = seq.ReadBitString(out var unused);
            seq.ThrowIfNotEmpty();
            if (unused != 0)
            {
                throw new TlessFormatException($"{what}: signature bit string has {unused} unused bits");
            }

            return (tbs, oid, sig);
        }
        catch (AsnContentException e)
        {
            throw new TlessFormatException($"{what}: malformed DER: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="signedDer"/> carries a valid ECDSA P-256/SHA-256 signature by <paramref name="issuer"/>.</summary>
    public static bool IsSignedBy(ReadOnlyMemory<byte> signedDer, X509Certificate2 issuer, string what)
    {
        var (tbs, alg, sig) = SplitSigned(signedDer, what);
        if (alg != EcdsaWithSha256)
        {
            return false;
        }

        try
        {
            using var key = issuer.GetECDsaPublicKey();
            return key is not null && key.KeySize == 256 &&
                   key.VerifyData(tbs, sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false; // a public key that is not a valid P-256 point
        }
    }

    /// <summary>Verifies a raw r||s ECDSA P-256/SHA-256 signature with a certificate's key.</summary>
    public static bool VerifyRaw(X509Certificate2 signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var key = signer.GetECDsaPublicKey();
            return key is not null && key.KeySize == 256 && signature.Length == 64 &&
                   key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Verifies a raw r||s ECDSA P-256/SHA-256 signature with a raw x||y public key; false for a key off the curve.</summary>
    public static bool VerifyRaw(ReadOnlySpan<byte> publicKeyXy, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKeyXy.Length != 64 || signature.Length != 64)
        {
            return false;
        }

        try
        {
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKeyXy[..32].ToArray(), Y = publicKeyXy[32..].ToArray() },
            });
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks a leaf-first chain up to the trusted root (the pinned Intel SGX Root CA in production): each certificate
    /// names and is signed by the next (the last by the root), issuers are CAs, all are valid at <paramref name="now"/>.
    /// A self-issued certificate at the end of the chain must be byte-identical to the root. Returns null when the chain
    /// holds, else what is wrong.
    /// </summary>
    public static string? VerifyChain(IReadOnlyList<X509Certificate2> chain, X509Certificate2 root, DateTimeOffset now, string what)
    {
        var certs = chain.ToList();
        if (certs.Count > 0 && certs[^1].SubjectName.RawData.AsSpan().SequenceEqual(certs[^1].IssuerName.RawData))
        {
            if (!certs[^1].RawData.AsSpan().SequenceEqual(root.RawData))
            {
                return $"{what}: the root '{certs[^1].Subject}' (SHA-256 {Convert.ToHexStringLower(SHA256.HashData(certs[^1].RawData))}) is not the pinned Intel SGX Root CA (SHA-256 {Convert.ToHexStringLower(SHA256.HashData(root.RawData))})";
            }

            certs.RemoveAt(certs.Count - 1);
        }

        if (certs.Count == 0)
        {
            return $"{what}: no certificate below the root";
        }

        certs.Add(root);
        for (var i = 0; i < certs.Count; i++)
        {
            var cert = certs[i];
            var issuer = i + 1 < certs.Count ? certs[i + 1] : cert;
            if (!IsValidAt(cert, now))
            {
                return $"{what}: certificate '{cert.Subject}' is not valid at {now:O} (valid {cert.NotBefore.ToUniversalTime():O}..{cert.NotAfter.ToUniversalTime():O})";
            }

            if (i + 1 == certs.Count)
            {
                break; // the pinned root itself: trusted by identity
            }

            if (!cert.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                return $"{what}: certificate '{cert.Subject}' names issuer '{cert.Issuer}' but is followed by '{issuer.Subject}'";
            }

            if (!IsCa(issuer) || !AllowsUsage(issuer, X509KeyUsageFlags.KeyCertSign))
            {
                return $"{what}: issuer '{issuer.Subject}' is not a CA certificate allowed to sign certificates";
            }

            if (cert.Extensions.FirstOrDefault(e => e.Critical && e.Oid?.Value is not ("2.5.29.19" or "2.5.29.15")) is { } critical)
            {
                return $"{what}: certificate '{cert.Subject}' has an unsupported critical extension {critical.Oid?.Value}";
            }

            if (i == 0 && IsCa(cert))
            {
                return $"{what}: leaf certificate '{cert.Subject}' is a CA certificate";
            }

            if (!IsSignedBy(cert.RawData, issuer, what))
            {
                return $"{what}: the signature on certificate '{cert.Subject}' by '{issuer.Subject}' is invalid";
            }
        }

        return null;
    }

    public static bool IsValidAt(X509Certificate2 cert, DateTimeOffset now) =>
        now >= new DateTimeOffset(cert.NotBefore.ToUniversalTime()) && now <= new DateTimeOffset(cert.NotAfter.ToUniversalTime());

    private static bool IsCa(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    /// <summary>True when the certificate has no key usage extension or one that includes <paramref name="usage"/>.</summary>
    public static bool AllowsUsage(X509Certificate2 cert, X509KeyUsageFlags usage) =>
        cert.Extensions.OfType<X509KeyUsageExtension>().All(k => (k.KeyUsages & usage) == usage);

    public static string SerialHex(X509Certificate2 cert) => Convert.ToHexStringLower(cert.SerialNumberBytes.Span);
}

/// <summary>A parsed X.509 v2 CRL (RFC 5280 section 5); its signature is checked by <see cref="VerifyIssuedBy"/>.</summary>
internal sealed class DcapCrl
{
    private DcapCrl(byte[] der, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, HashSet<string> revoked)
    {
        Der = der;
        IssuerName = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        RevokedSerials = revoked;
    }

    public byte[] Der { get; }

    public byte[] IssuerName { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset NextUpdate { get; }

    /// <summary>Serial numbers (lower-case hex of their DER content bytes).</summary>
    public IReadOnlySet<string> RevokedSerials { get; }

    public string Issuer => new X500DistinguishedName(IssuerName).Name;

    /// <summary>Parses DER or PEM ("X509 CRL"); throws <see cref="TlessFormatException"/> naming <paramref name="what"/>.</summary>
    public static DcapCrl Parse(ReadOnlySpan<byte> data, string what)
    {
        var der = data.ToArray();
        var text = data.Length > 0 && data[0] == (byte)'-' ? Encoding.ASCII.GetString(data) : null;
        if (text is not null)
        {
            const string Begin = "-----BEGIN X509 CRL-----";
            const string End = "-----END X509 CRL-----";
            var s = text.IndexOf(Begin, StringComparison.Ordinal);
            var e = text.IndexOf(End, StringComparison.Ordinal);
            if (s < 0 || e < s)
            {
                throw new TlessFormatException($"{what}: PEM without a BEGIN/END X509 CRL block");
            }

            try
            {
                der = Convert.FromBase64String(text[(s + Begin.Length)..e]);
            }
            catch (FormatException ex)
            {
                throw new TlessFormatException($"{what}: bad base64 in the PEM CRL: {ex.Message}", ex);
            }
        }

        var (tbs, _, _) = DcapPki.SplitSigned(der, what);
        try
        {
            var outer = new AsnReader(tbs, AsnEncodingRules.DER);
            var r = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            if (r.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                r.ReadInteger();
            }

            r.ReadSequence(); // signature algorithm (repeated outside)
            var issuer = r.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(r);
            if (!r.HasData || !IsTime(r.PeekTag()))
            {
                throw new TlessFormatException($"{what}: the CRL has no nextUpdate");
            }

            var nextUpdate = ReadTime(r);
            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (r.HasData && r.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var list = r.ReadSequence();
                while (list.HasData)
                {
                    var entry = list.ReadSequence();
                    revoked.Add(Convert.ToHexStringLower(entry.ReadIntegerBytes().Span));
                    ReadTime(entry);
                    if (entry.HasData)
                    {
                        entry.ReadSequence(); // entry extensions
                    }

                    entry.ThrowIfNotEmpty();
                }
            }

            if (r.HasData)
            {
                r.ReadEncodedValue(); // [0] crlExtensions
            }

            r.ThrowIfNotEmpty();
            return new DcapCrl(der, issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (AsnContentException e)
        {
            throw new TlessFormatException($"{what}: malformed CRL: {e.Message}", e);
        }
    }

    /// <summary>Null when this CRL names and is signed by <paramref name="issuer"/>; else what is wrong (freshness is checked apart).</summary>
    public string? VerifyIssuedBy(X509Certificate2 issuer, string what)
    {
        if (!IssuerName.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
        {
            return $"{what}: issued by '{Issuer}', not by '{issuer.Subject}'";
        }

        if (!DcapPki.AllowsUsage(issuer, X509KeyUsageFlags.CrlSign))
        {
            return $"{what}: '{issuer.Subject}' may not sign CRLs";
        }

        return DcapPki.IsSignedBy(Der, issuer, what) ? null : $"{what}: the CRL signature by '{issuer.Subject}' is invalid";
    }

    public bool IsCurrentAt(DateTimeOffset now) => now >= ThisUpdate && now <= NextUpdate;

    public bool IsRevoked(X509Certificate2 cert) => RevokedSerials.Contains(DcapPki.SerialHex(cert));

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader r) =>
        r.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? r.ReadUtcTime() : r.ReadGeneralizedTime();
}
