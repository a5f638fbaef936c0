using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Tless.Attestation.Common;

namespace Tless.Attestation.Snp;

/// <summary>The role of a certificate in the AMD SEV-SNP hierarchy.</summary>
internal enum AmdCertRole
{
    Ark,
    Ask,
    Asvk,
    Vcek,
    Vlek,
}

/// <summary>One parsed AMD certificate (ARK, ASK/ASVK, VCEK/VLEK) with the SEV-SNP extensions decoded.</summary>
internal sealed class AmdCertificate
{
    // SHA-256 fingerprints (DER) of the AMD root keys, pinned: an ARK is trusted only if it is one of these.
    // Milan and Genoa computed from the ARKs served by AMD KDS (fixtures/attestation/amd-roots); Turin from KDS's
    // /vcek/v1/Turin/cert_chain ARK (self-signature checked).
    private static readonly ImmutableDictionary<string, SnpProduct> PinnedArks = new Dictionary<string, SnpProduct>
    {
        ["69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD"] = SnpProduct.Milan,
        ["4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1"] = SnpProduct.Genoa,
        ["1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A"] = SnpProduct.Turin,
    }.ToImmutableDictionary(StringComparer.Ordinal);

    private const string OidStructVersion = "1.3.6.1.4.1.3704.1.1";
    private const string OidProductName = "1.3.6.1.4.1.3704.1.2";
    private const string OidBlSpl = "1.3.6.1.4.1.3704.1.3.1";
    private const string OidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
    private const string OidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
    private const string OidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
    private const string OidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";
    private const string OidHwId = "1.3.6.1.4.1.3704.1.4";
    private const string OidCspId = "1.3.6.1.4.1.3704.1.5";

    private AmdCertificate(byte[] der, X509Certificate2 cert, string source, string fingerprint, string cn)
    {
        Der = der;
        Source = source;
        Fingerprint = fingerprint;
        Subject = cert.SubjectName.RawData;
        Issuer = cert.IssuerName.RawData;
        SubjectCn = cn;
        NotBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        Parts = Certificates.Split(der, source);
        Certificate = cert;
    }

    public byte[] Der { get; }

    public string Source { get; }

    public string Fingerprint { get; }

    public byte[] Subject { get; }

    public byte[] Issuer { get; }

    public string SubjectCn { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public Certificates.SignedParts Parts { get; }

    public X509Certificate2 Certificate { get; }

    public AmdCertRole Role { get; private init; }

    /// <summary>The product this certificate belongs to (from the pinned ARK, or the ASK/ASVK name).</summary>
    public SnpProduct Product { get; private init; }

    /// <summary>VCEK/VLEK: the TCB SPLs (bl, tee, snp, ucode, fmc).</summary>
    public (int Bl, int Tee, int Snp, int Ucode, int? Fmc) Spl { get; private init; }

    /// <summary>VCEK: the chip id (8 or 64 bytes); null for VLEK.</summary>
    public byte[]? HwId { get; private init; }

    public string? ProductName { get; private init; }

    public string? CspId { get; private init; }

    /// <summary>Parses and classifies a certificate; throws <see cref="TlessFormatException"/> if it is not an AMD SEV-SNP one.</summary>
    public static AmdCertificate Parse(byte[] der, string source)
    {
        var cert = Certificates.Parse(der, source);
        var fp = Certificates.Fingerprint(der);
        var cn = cert.GetNameInfo(X509NameType.SimpleName, false);
        if (PinnedArks.TryGetValue(fp, out var arkProduct))
        {
            return new AmdCertificate(der, cert, source, fp, cn) { Role = AmdCertRole.Ark, Product = arkProduct };
        }

        if (cn.StartsWith("ARK-", StringComparison.Ordinal))
        {
            // Classified so that the chain check can say "not a pinned ARK" instead of "unknown certificate".
            return new AmdCertificate(der, cert, source, fp, cn) { Role = AmdCertRole.Ark, Product = SnpProduct.Unknown };
        }

        if (cn.StartsWith("SEV-VLEK-", StringComparison.Ordinal))
        {
            return new AmdCertificate(der, cert, source, fp, cn) { Role = AmdCertRole.Asvk, Product = ProductFromName(cn["SEV-VLEK-".Length..]) };
        }

        if (cn is "SEV-VCEK" or "SEV-VLEK")
        {
            return ParseEndEntity(der, cert, source, fp, cn, cn == "SEV-VCEK" ? AmdCertRole.Vcek : AmdCertRole.Vlek);
        }

        if (cn.StartsWith("SEV-", StringComparison.Ordinal))
        {
            return new AmdCertificate(der, cert, source, fp, cn) { Role = AmdCertRole.Ask, Product = ProductFromName(cn["SEV-".Length..]) };
        }

        throw new TlessFormatException($"{source}: '{cn}' is not an AMD SEV-SNP certificate (expected ARK-*, SEV-*, SEV-VLEK-*, SEV-VCEK or SEV-VLEK)");
    }

    private static AmdCertificate ParseEndEntity(byte[] der, X509Certificate2 cert, string source, string fp, string cn, AmdCertRole role)
    {
        int Spl(string oid, string name) => ReadInteger(cert, oid, name, source)
            ?? throw new TlessFormatException($"{source}: {role} certificate lacks the {name} extension ({oid})");

        var productName = ReadIa5(cert, OidProductName, source);
        var product = productName is null ? SnpProduct.Unknown : ProductFromName(productName.Split('-')[0]);
        var hwIdRaw = cert.Extensions[OidHwId]?.RawData;
        byte[]? hwId = null;
        if (role == AmdCertRole.Vcek)
        {
            hwId = hwIdRaw is null
                ? throw new TlessFormatException($"{source}: VCEK certificate lacks the hwID extension ({OidHwId})")
                : DecodeHwId(hwIdRaw, source);
        }

        _ = ReadInteger(cert, OidStructVersion, "structVersion", source);
        return new AmdCertificate(der, cert, source, fp, cn)
        {
            Role = role,
            Product = product,
            ProductName = productName,
            Spl = (Spl(OidBlSpl, "blSPL"), Spl(OidTeeSpl, "teeSPL"), Spl(OidSnpSpl, "snpSPL"), Spl(OidUcodeSpl, "ucodeSPL"),
                ReadInteger(cert, OidFmcSpl, "fmcSPL", source)),
            HwId = hwId,
            CspId = ReadIa5(cert, OidCspId, source),
        };
    }

    /// <summary>hwID comes either as the raw chip id (64 bytes; 8 on Turin) or as a DER OCTET STRING wrapping it.</summary>
    internal static byte[] DecodeHwId(byte[] value, string source)
    {
        if (value.Length is 64 or 8)
        {
            return value;
        }

        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.DER);
            var inner = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
            if (inner.Length is 64 or 8)
            {
                return inner;
            }
        }
        catch (AsnContentException)
        {
        }

        throw new TlessFormatException($"{source}: hwID extension has {value.Length} bytes: neither a raw chip id (8 or 64 bytes) nor an OCTET STRING wrapping one");
    }

    private static int? ReadInteger(X509Certificate2 cert, string oid, string name, string source)
    {
        var ext = cert.Extensions[oid];
        if (ext is null)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER);
            var ok = reader.TryReadInt32(out var value);
            reader.ThrowIfNotEmpty();
            return ok && value is >= 0 and <= 255 ? value : throw new TlessFormatException($"{source}: {name} ({oid}) is not an integer 0..255");
        }
        catch (AsnContentException ex)
        {
            throw new TlessFormatException($"{source}: {name} ({oid}) is not a DER INTEGER: {ex.Message}", ex);
        }
    }

    private static string? ReadIa5(X509Certificate2 cert, string oid, string source)
    {
        var ext = cert.Extensions[oid];
        if (ext is null)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER);
            var s = reader.ReadCharacterString(UniversalTagNumber.IA5String);
            reader.ThrowIfNotEmpty();
            return s;
        }
        catch (AsnContentException ex)
        {
            throw new TlessFormatException($"{source}: extension {oid} is not an IA5String: {ex.Message}", ex);
        }
    }

    private static SnpProduct ProductFromName(string name) => name switch
    {
        "Milan" => SnpProduct.Milan,
        "Genoa" => SnpProduct.Genoa,
        "Turin" => SnpProduct.Turin,
        _ => SnpProduct.Unknown,
    };
}
