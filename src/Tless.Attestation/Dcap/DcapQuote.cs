using System.Buffers.Binary;

namespace Tless.Attestation.Dcap;

/// <summary>
/// An Intel DCAP ECDSA quote: version 3 (SGX, 384-byte enclave report body) or version 4 (TDX, 584-byte TD report
/// body), layouts as in Intel's sgx_quote_3.h / sgx_quote_4.h. Parsing only checks structure; the verifier checks
/// meaning.
/// </summary>
internal sealed class DcapQuote
{
    public const int HeaderSize = 48;
    public const int SgxBodySize = 384;
    public const int TdxBodySize = 584;
    public const int MaxQuoteSize = 64 * 1024;
    public const ushort AttestationKeyEcdsaP256 = 2;
    public const uint TeeTypeSgx = 0x00;
    public const uint TeeTypeTdx = 0x81;
    public const ushort CertTypePckChain = 5;
    public const ushort CertTypeQeReport = 6;

    public static ReadOnlySpan<byte> IntelQeVendorId =>
        [0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07];

    public required ushort Version { get; init; }

    public required ushort AttestationKeyType { get; init; }

    public required uint TeeType { get; init; }

    /// <summary>QE SVN in v3; reserved in v4.</summary>
    public required ushort QeSvn { get; init; }

    /// <summary>PCE SVN in v3; reserved in v4.</summary>
    public required ushort PceSvn { get; init; }

    public required byte[] QeVendorId { get; init; }

    /// <summary>Header and report body: the bytes the attestation key signs.</summary>
    public required byte[] SignedBytes { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>ECDSA P-256 signature r||s (64 B) over <see cref="SignedBytes"/>.</summary>
    public required byte[] Signature { get; init; }

    /// <summary>The attestation public key, raw x||y (64 B).</summary>
    public required byte[] AttestationKey { get; init; }

    public required byte[] QeReport { get; init; }

    public required byte[] QeReportSignature { get; init; }

    public required byte[] QeAuthData { get; init; }

    /// <summary>The PCK certificate chain (certification data type 5), PEM text bytes.</summary>
    public required byte[] PckChainPem { get; init; }

    /// <summary>Parses a quote; throws <see cref="TlessFormatException"/> saying what is wrong and where.</summary>
    public static DcapQuote Parse(ReadOnlySpan<byte> quote)
    {
        if (quote.Length > MaxQuoteSize)
        {
            throw new TlessFormatException($"quote: {quote.Length} bytes is more than the {MaxQuoteSize} accepted");
        }

        if (quote.Length < HeaderSize)
        {
            throw new TlessFormatException($"quote: {quote.Length} bytes is shorter than the {HeaderSize}-byte header");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(quote);
        var bodySize = version switch
        {
            3 => SgxBodySize,
            4 => TdxBodySize,
            _ => throw new TlessFormatException($"quote: header.version {version} is not supported (3 = SGX, 4 = TDX)"),
        };

        var r = new DcapReader(quote, "quote");
        r.UInt16("header.version");
        var keyType = r.UInt16("header.att_key_type");
        var teeType = r.UInt32("header.tee_type");
        var qeSvn = r.UInt16("header.qe_svn");
        var pceSvn = r.UInt16("header.pce_svn");
        var vendor = r.Bytes(16, "header.qe_vendor_id");
        r.Bytes(20, "header.user_data");
        var body = r.Bytes(bodySize, "report_body");
        var signed = quote[..(HeaderSize + bodySize)].ToArray();
        var sigLen = r.UInt32("signature_data_len");
        if (sigLen > (uint)r.Remaining)
        {
            throw new TlessFormatException(
                $"quote: signature_data_len at offset {HeaderSize + bodySize} is {sigLen} but only {r.Remaining} bytes follow");
        }

        // Quote generation hands out fixed-size buffers (the TDX fixture has 70 zero bytes after the signature data):
        // zero padding is accepted, any other trailing byte is not.
        var end = HeaderSize + bodySize + 4 + (int)sigLen;
        if (quote[end..].IndexOfAnyExcept((byte)0) is var junk and >= 0)
        {
            throw new TlessFormatException($"quote: unexpected non-zero byte at offset {end + junk}, after the {sigLen}-byte signature data");
        }

        r = new DcapReader(quote[..end], "quote");
        r.Bytes(HeaderSize + bodySize + 4, "header, body and signature_data_len");

        var signature = r.Bytes(64, "signature_data.signature");
        var attKey = r.Bytes(64, "signature_data.attestation_key");
        byte[] qeReport, qeSig, auth, pem;
        var offset = r.Position;
        if (version == 3)
        {
            (qeReport, qeSig, auth, pem) = ReadQeCertificationData(ref r, "quote", 0);
            r.End();
        }
        else
        {
            var type = r.UInt16("signature_data.certification_data.type");
            if (type != CertTypeQeReport)
            {
                throw new TlessFormatException(
                    $"quote: certification data type {type} at offset {offset} is not supported for v4 (expected 6, QE report certification data)");
            }

            var size = r.UInt32("signature_data.certification_data.size");
            if (size != r.Remaining)
            {
                throw new TlessFormatException($"quote: certification data size {size} at offset {offset + 2} but {r.Remaining} bytes follow");
            }

            var inner = r.Bytes((int)size, "signature_data.certification_data.data");
            var ir = new DcapReader(inner, "quote QE report certification data", offset + 6);
            (qeReport, qeSig, auth, pem) = ReadQeCertificationData(ref ir, "quote QE report certification data", offset + 6);
            ir.End();
        }

        return new DcapQuote
        {
            Version = version,
            AttestationKeyType = keyType,
            TeeType = teeType,
            QeSvn = qeSvn,
            PceSvn = pceSvn,
            QeVendorId = vendor,
            SignedBytes = signed,
            Body = body,
            Signature = signature,
            AttestationKey = attKey,
            QeReport = qeReport,
            QeReportSignature = qeSig,
            QeAuthData = auth,
            PckChainPem = pem,
        };
    }

    // QE report (384) | QE report signature (64) | auth data (u16 len + data) | certification data (u16 type, u32 size, data)
    private static (byte[] QeReport, byte[] QeSig, byte[] Auth, byte[] Pem) ReadQeCertificationData(ref DcapReader r, string structure, int baseOffset)
    {
        var qeReport = r.Bytes(SgxBodySize, "qe_report");
        var qeSig = r.Bytes(64, "qe_report_signature");
        var authLen = r.UInt16("qe_auth_data.size");
        var auth = r.Bytes(authLen, "qe_auth_data.data");
        var typeAt = baseOffset + r.Position;
        var type = r.UInt16("certification_data.type");
        if (type != CertTypePckChain)
        {
            throw new TlessFormatException(
                $"{structure}: certification data type {type} at offset {typeAt} is not supported (expected 5, PEM PCK certificate chain)");
        }

        var size = r.UInt32("certification_data.size");
        if (size > (uint)r.Remaining)
        {
            throw new TlessFormatException($"{structure}: certification data size {size} at offset {typeAt + 2} but only {r.Remaining} bytes follow");
        }

        var pem = r.Bytes((int)size, "certification_data.data");
        return (qeReport, qeSig, auth, pem);
    }
}

/// <summary>The SGX enclave report body (sgx_report_body_t, 384 bytes): the application enclave's or the QE's.</summary>
internal sealed record SgxReportBody(
    byte[] CpuSvn,
    uint MiscSelect,
    byte[] Attributes,
    byte[] MrEnclave,
    byte[] MrSigner,
    byte[] ConfigId,
    ushort IsvProdId,
    ushort IsvSvn,
    ushort ConfigSvn,
    byte[] ReportData)
{
    /// <summary>ATTRIBUTES.FLAGS bit 1.</summary>
    public bool Debug => (Attributes[0] & 0x02) != 0;

    public static SgxReportBody Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length != DcapQuote.SgxBodySize)
        {
            throw new ArgumentException($"an SGX report body is {DcapQuote.SgxBodySize} bytes, not {body.Length}", nameof(body));
        }

        return new SgxReportBody(
            body[..16].ToArray(),
            BinaryPrimitives.ReadUInt32LittleEndian(body[16..]),
            body.Slice(48, 16).ToArray(),
            body.Slice(64, 32).ToArray(),
            body.Slice(128, 32).ToArray(),
            body.Slice(192, 64).ToArray(),
            BinaryPrimitives.ReadUInt16LittleEndian(body[256..]),
            BinaryPrimitives.ReadUInt16LittleEndian(body[258..]),
            BinaryPrimitives.ReadUInt16LittleEndian(body[260..]),
            body.Slice(320, 64).ToArray());
    }
}

/// <summary>The TDX 1.0 TD report body (sgx_report2_body_t, 584 bytes).</summary>
internal sealed record TdReportBody(
    byte[] TeeTcbSvn,
    byte[] MrSeam,
    byte[] MrSignerSeam,
    byte[] SeamAttributes,
    byte[] TdAttributes,
    byte[] Xfam,
    byte[] MrTd,
    byte[] MrConfigId,
    byte[] MrOwner,
    byte[] MrOwnerConfig,
    byte[][] Rtmr,
    byte[] ReportData)
{
    /// <summary>TD_ATTRIBUTES.TUD.DEBUG (bit 0).</summary>
    public bool Debug => (TdAttributes[0] & 0x01) != 0;

    public static TdReportBody Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length != DcapQuote.TdxBodySize)
        {
            throw new ArgumentException($"a TD report body is {DcapQuote.TdxBodySize} bytes, not {body.Length}", nameof(body));
        }

        return new TdReportBody(
            body[..16].ToArray(),
            body.Slice(16, 48).ToArray(),
            body.Slice(64, 48).ToArray(),
            body.Slice(112, 8).ToArray(),
            body.Slice(120, 8).ToArray(),
            body.Slice(128, 8).ToArray(),
            body.Slice(136, 48).ToArray(),
            body.Slice(184, 48).ToArray(),
            body.Slice(232, 48).ToArray(),
            body.Slice(280, 48).ToArray(),
            [body.Slice(328, 48).ToArray(), body.Slice(376, 48).ToArray(), body.Slice(424, 48).ToArray(), body.Slice(472, 48).ToArray()],
            body.Slice(520, 64).ToArray());
    }
}
