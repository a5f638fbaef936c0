using Tless.Attestation;

namespace Tless.Runtime.Tee;

/// <summary>Where <see cref="TdxTeeProvider"/> finds the TDX guest interface.</summary>
public sealed record TdxTeeOptions
{
    /// <summary>The configfs-tsm report directory.</summary>
    public string ConfigFsTsmPath { get; init; } = ConfigFsTsm.DefaultRoot;
}

/// <summary>
/// Intel TDX from inside the trust domain. Evidence is the DCAP quote v4 from Linux configfs-tsm (provider
/// <c>tdx_guest</c>; the kernel asks the host's quote generation service). The measurement is MRTD from the TD report
/// body (body offset 136, 48 bytes), read from a quote taken when the provider is opened.
/// </summary>
public sealed class TdxTeeProvider : ITeeProvider
{
    /// <summary>The configfs-tsm provider name of TDX guests.</summary>
    public const string TsmProvider = "tdx_guest";

    private const ushort QuoteVersion = 4;
    private const uint TeeTypeTdx = 0x81;
    private const int MrTdOffset = 136;
    private const int MrTdSize = 48;
    private const int ReportDataOffset = 520;

    private readonly ConfigFsTsm tsm;

    private TdxTeeProvider(ConfigFsTsm tsm)
    {
        this.tsm = tsm;
        Measurement = string.Empty;
    }

    /// <inheritdoc/>
    public TeeKind Kind => TeeKind.Tdx;

    /// <inheritdoc/>
    public string Measurement { get; private set; }

    /// <summary>
    /// Opens configfs-tsm and reads MRTD. Throws <see cref="TeeException"/> when this is not a TDX guest or the quote
    /// is malformed.
    /// </summary>
    public static TdxTeeProvider Open(TdxTeeOptions? options = null) => Open(TeeFileSystem.Instance, options ?? new TdxTeeOptions());

    internal static TdxTeeProvider Open(ITeeFileSystem fs, TdxTeeOptions options)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        var provider = new TdxTeeProvider(new ConfigFsTsm(fs, options.ConfigFsTsmPath, TsmProvider));
        provider.Measurement = MeasurementOf(provider.GetQuote(new byte[ITeeProvider.ReportDataLength]));
        return provider;
    }

    /// <summary>MRTD of a TDX quote v4, lower-case hex.</summary>
    public static string MeasurementOf(byte[] quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var checkedQuote = DcapQuoteLayout.Check(quote, QuoteVersion, TeeTypeTdx, DcapQuoteLayout.TdxBodySize, "TDX quote");
        return Convert.ToHexStringLower(DcapQuoteLayout.Body(checkedQuote, DcapQuoteLayout.TdxBodySize).Slice(MrTdOffset, MrTdSize));
    }

    /// <inheritdoc/>
    public ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        TeeFiles.CheckReportData(reportData);
        cancellationToken.ThrowIfCancellationRequested();
        var quote = GetQuote(reportData.Span);
        var measurement = MeasurementOf(quote);
        if (measurement != Measurement)
        {
            throw new TeeException($"TDX quote MRTD {measurement} differs from this guest's {Measurement}");
        }

        return ValueTask.FromResult(quote);
    }

    private byte[] GetQuote(ReadOnlySpan<byte> reportData)
    {
        var outBlob = tsm.GetReport(reportData, privilegeLevel: null).OutBlob;
        var quote = DcapQuoteLayout.Check(outBlob, QuoteVersion, TeeTypeTdx, DcapQuoteLayout.TdxBodySize, "configfs-tsm outblob");
        TeeFiles.CheckEcho("TDX", reportData, DcapQuoteLayout.Body(quote, DcapQuoteLayout.TdxBodySize).Slice(ReportDataOffset, ITeeProvider.ReportDataLength));
        return quote;
    }
}
