using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Tless.Attestation.Common;

/// <summary>Loading X.509 certificates from untrusted bytes and files, with errors that say where and what.</summary>
public static class Certificates
{
    /// <summary>
    /// Reads every certificate in <paramref name="data"/>: one DER certificate, or any number of PEM
    /// "CERTIFICATE" blocks. <paramref name="source"/> names the input in errors. Throws <see cref="TlessFormatException"/>.
    /// </summary>
    public static IReadOnlyList<byte[]> ReadAll(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty)
        {
            throw new TlessFormatException($"{source}: empty, expected a PEM or DER certificate");
        }

        if (data[0] == 0x30)
        {
            var der = data.ToArray();
            Parse(der, source);
            return [der];
        }

        var text = Encoding.ASCII.GetString(data);
        var result = new List<byte[]>();
        var rest = text.AsSpan();
        var offset = 0;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                byte[] der;
                try
                {
                    der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                }
                catch (FormatException ex)
                {
                    throw new TlessFormatException($"{source}: PEM block #{result.Count + 1} at character {offset + fields.Location.Start.Value} is not valid base64", ex);
                }

                Parse(der, $"{source} (certificate #{result.Count + 1})");
                result.Add(der);
            }

            var end = fields.Location.End.Value;
            offset += end;
            rest = rest[end..];
        }

        if (result.Count == 0)
        {
            throw new TlessFormatException($"{source}: no PEM 'CERTIFICATE' block and not DER (first byte 0x{data[0]:X2})");
        }

        return result;
    }

    /// <summary>Reads every certificate from a file (see <see cref="ReadAll(ReadOnlySpan{byte}, string)"/>).</summary>
    public static IReadOnlyList<byte[]> ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new TlessFormatException($"{path}: cannot read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new TlessFormatException($"{path}: cannot read: {ex.Message}", ex);
        }

        return ReadAll(bytes, path);
    }

    /// <summary>Parses one DER certificate; throws <see cref="TlessFormatException"/> naming <paramref name="source"/>.</summary>
    public static X509Certificate2 Parse(byte[] der, string source)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            throw new TlessFormatException($"{source}: not a valid X.509 certificate: {ex.Message}", ex);
        }
    }

    /// <summary>SHA-256 of the DER encoding, upper-case hex (the usual fingerprint notation).</summary>
    public static string Fingerprint(ReadOnlySpan<byte> der) => Convert.ToHexString(SHA256.HashData(der));

    /// <summary>The parts of a certificate that a signature check needs.</summary>
    public sealed record SignedParts(byte[] Tbs, byte[] TbsSignatureAlgorithm, byte[] SignatureAlgorithm, byte[] Signature);

    /// <summary>Splits a DER certificate into to-be-signed bytes, algorithm identifiers and signature value.</summary>
    public static SignedParts Split(ReadOnlySpan<byte> der, string source)
    {
        try
        {
            var outer = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var cert = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var tbs = cert.ReadEncodedValue().ToArray();
            var alg = cert.ReadEncodedValue().ToArray();
            var sig = cert.ReadBitString(out var unused);
            cert.ThrowIfNotEmpty();
            if (unused != 0)
            {
                throw new TlessFormatException($"{source}: signature BIT STRING has {unused} unused bits");
            }

            var tbsReader = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
            if (tbsReader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbsReader.ReadEncodedValue();
            }

            tbsReader.ReadEncodedValue(); // serialNumber
            var tbsAlg = tbsReader.ReadEncodedValue().ToArray();
            return new SignedParts(tbs, tbsAlg, alg, sig);
        }
        catch (AsnContentException ex)
        {
            throw new TlessFormatException($"{source}: malformed certificate DER: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// True when <paramref name="algorithmIdentifier"/> is RSASSA-PSS with SHA-384, MGF1-SHA-384 and salt length 48
    /// (the only algorithm AMD uses in SEV-SNP certificates).
    /// </summary>
    public static bool IsRsaPssSha384(ReadOnlySpan<byte> algorithmIdentifier)
    {
        try
        {
            var seq = new AsnReader(algorithmIdentifier.ToArray(), AsnEncodingRules.DER).ReadSequence();
            if (seq.ReadObjectIdentifier() != "1.2.840.113549.1.1.10")
            {
                return false;
            }

            var p = seq.ReadSequence();
            seq.ThrowIfNotEmpty();
            string? hash = null, mgfHash = null;
            System.Numerics.BigInteger salt = 20, trailer = 1;
            if (p.HasData && p.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                var h = p.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
                hash = h.ReadObjectIdentifier();
            }

            if (p.HasData && p.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                var m = p.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence();
                if (m.ReadObjectIdentifier() != "1.2.840.113549.1.1.8")
                {
                    return false;
                }

                mgfHash = m.ReadSequence().ReadObjectIdentifier();
            }

            if (p.HasData && p.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                salt = p.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2)).ReadInteger();
            }

            if (p.HasData && p.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
            {
                trailer = p.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3)).ReadInteger();
            }

            p.ThrowIfNotEmpty();
            const string Sha384 = "2.16.840.1.101.3.4.2.2";
            return hash == Sha384 && mgfHash == Sha384 && salt == 48 && trailer == 1;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
