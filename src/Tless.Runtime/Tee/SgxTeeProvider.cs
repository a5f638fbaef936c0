using Tless.Attestation;

namespace Tless.Runtime.Tee;

/// <summary>Where <see cref="SgxTeeProvider"/> finds Gramine's attestation interface.</summary>
public sealed record SgxTeeOptions
{
    /// <summary>Gramine's pseudo-filesystem for attestation.</summary>
    public string AttestationPath { get; init; } = "/dev/attestation";
}

/// <summary>
/// Intel SGX inside a Gramine enclave. Evidence is the DCAP quote v3 from Gramine's <c>/dev/attestation</c>: the host
/// writes 64 bytes to <c>user_report_data</c> and reads <c>quote</c>; <c>attestation_type</c> must be <c>dcap</c>
/// (set <c>sgx.remote_attestation = "dcap"</c> in the manifest). The measurement is MRENCLAVE, read from
/// <c>my_target_info</c> (sgx_target_info_t, MRENCLAVE at offset 0, 32 bytes) without generating a quote; each quote's
/// MRENCLAVE is checked against it. The user_report_data/quote pair is process-wide, so requests are serialized.
/// </summary>
public sealed class SgxTeeProvider : ITeeProvider
{
    private const ushort QuoteVersion = 3;
    private const uint TeeTypeSgx = 0;
    private const int TargetInfoSize = 512;
    private const int MrEnclaveOffset = 64;
    private const int MrEnclaveSize = 32;
    private const int ReportDataOffset = 320;

    private readonly ITeeFileSystem fs;
    private readonly string root;
    private readonly Lock gate = new();

    private SgxTeeProvider(ITeeFileSystem fs, string root, string measurement)
    {
        this.fs = fs;
        this.root = root;
        Measurement = measurement;
    }

    /// <inheritdoc/>
    public TeeKind Kind => TeeKind.Sgx;

    /// <inheritdoc/>
    public string Measurement { get; }

    /// <summary>
    /// Opens Gramine's attestation interface and reads MRENCLAVE. Throws <see cref="TeeException"/> when not inside a
    /// Gramine enclave or when remote attestation is not DCAP.
    /// </summary>
    public static SgxTeeProvider Open(SgxTeeOptions? options = null) => Open(TeeFileSystem.Instance, options ?? new SgxTeeOptions());

    internal static SgxTeeProvider Open(ITeeFileSystem fs, SgxTeeOptions options)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        var root = options.AttestationPath.TrimEnd('/');
        if (!fs.DirectoryExists(root))
        {
            throw new TeeException($"no SGX attestation interface: {root} does not exist (not running inside a Gramine SGX enclave)");
        }

        var type = TeeFiles.Io("read", root + "/attestation_type", () => TeeFiles.ReadText(fs, root + "/attestation_type"));
        if (type != "dcap")
        {
            throw new TeeException($"Gramine attestation type is '{type}', not 'dcap' (set sgx.remote_attestation = \"dcap\" in the manifest)");
        }

        var targetInfo = TeeFiles.Io("read", root + "/my_target_info", () => fs.ReadFile(root + "/my_target_info"));
        if (targetInfo.Length != TargetInfoSize)
        {
            throw new TeeException($"{root}/my_target_info is {targetInfo.Length} bytes, not the {TargetInfoSize} of sgx_target_info_t");
        }

        return new SgxTeeProvider(fs, root, Convert.ToHexStringLower(targetInfo.AsSpan(0, MrEnclaveSize)));
    }

    /// <summary>MRENCLAVE of an SGX quote v3, lower-case hex.</summary>
    public static string MeasurementOf(byte[] quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var checkedQuote = DcapQuoteLayout.Check(quote, QuoteVersion, TeeTypeSgx, DcapQuoteLayout.SgxBodySize, "SGX quote");
        return Convert.ToHexStringLower(DcapQuoteLayout.Body(checkedQuote, DcapQuoteLayout.SgxBodySize).Slice(MrEnclaveOffset, MrEnclaveSize));
    }

    /// <inheritdoc/>
    public ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        TeeFiles.CheckReportData(reportData);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] raw;
        lock (gate)
        {
            TeeFiles.Io("write", root + "/user_report_data", () => fs.WriteFile(root + "/user_report_data", reportData.Span));
            raw = TeeFiles.Io("read", root + "/quote", () => fs.ReadFile(root + "/quote"));
        }

        var quote = DcapQuoteLayout.Check(raw, QuoteVersion, TeeTypeSgx, DcapQuoteLayout.SgxBodySize, root + "/quote");
        var body = DcapQuoteLayout.Body(quote, DcapQuoteLayout.SgxBodySize);
        TeeFiles.CheckEcho("SGX", reportData.Span, body.Slice(ReportDataOffset, ITeeProvider.ReportDataLength));
        var measurement = Convert.ToHexStringLower(body.Slice(MrEnclaveOffset, MrEnclaveSize));
        if (measurement != Measurement)
        {
            throw new TeeException($"SGX quote MRENCLAVE {measurement} differs from this enclave's {Measurement} (my_target_info)");
        }

        return ValueTask.FromResult(quote);
    }
}
