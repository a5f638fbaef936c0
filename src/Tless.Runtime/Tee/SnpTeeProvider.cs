using Tless.Attestation;
using Tless.Attestation.Snp;

namespace Tless.Runtime.Tee;

/// <summary>Where <see cref="SnpTeeProvider"/> finds the SEV-SNP guest interfaces.</summary>
public sealed record SnpTeeOptions
{
    /// <summary>The configfs-tsm report directory (tried first).</summary>
    public string ConfigFsTsmPath { get; init; } = ConfigFsTsm.DefaultRoot;

    /// <summary>The SEV guest device (used when configfs-tsm is missing).</summary>
    public string SevGuestDevicePath { get; init; } = SevGuestDevice.DefaultPath;

    /// <summary>The VMPL to request the report at (0-3); null for the kernel's default.</summary>
    public int? PrivilegeLevel { get; init; }

    /// <summary>Append configfs-tsm's <c>auxblob</c> (the host's certificate table) to the report when there is one.</summary>
    public bool IncludeCertificates { get; init; } = true;
}

/// <summary>
/// AMD SEV-SNP from inside the guest. Evidence is the 1184-byte ATTESTATION_REPORT, followed by the certificate table
/// when the host supplies one (what <see cref="SnpEvidenceVerifier"/> accepts). Reports come from Linux configfs-tsm
/// (provider <c>sev_guest</c>) or, on older kernels, from <c>/dev/sev-guest</c> (ioctl SNP_GET_REPORT, without
/// certificates). The measurement is the report's MEASUREMENT field (offset 0x90, 48 bytes), read from a report taken
/// when the provider is opened.
/// </summary>
public sealed class SnpTeeProvider : ITeeProvider
{
    /// <summary>The configfs-tsm provider name of SEV-SNP guests.</summary>
    public const string TsmProvider = "sev_guest";

    private readonly ConfigFsTsm? tsm;
    private readonly ISevGuestDevice? device;
    private readonly SnpTeeOptions options;

    private SnpTeeProvider(ConfigFsTsm? tsm, ISevGuestDevice? device, SnpTeeOptions options)
    {
        this.tsm = tsm;
        this.device = device;
        this.options = options;
        Measurement = string.Empty;
    }

    /// <inheritdoc/>
    public TeeKind Kind => TeeKind.Snp;

    /// <inheritdoc/>
    public string Measurement { get; private set; }

    /// <summary>Which interface produces the reports: the configfs-tsm directory or the device path.</summary>
    public string Interface => tsm?.Root ?? device!.Path;

    /// <summary>
    /// Finds the guest interface and reads the launch measurement. Throws <see cref="TeeException"/> when this is not
    /// an SEV-SNP guest (no interface, another provider) or the report is malformed.
    /// </summary>
    public static SnpTeeProvider Open(SnpTeeOptions? options = null) =>
        Open(TeeFileSystem.Instance, null, options ?? new SnpTeeOptions());

    internal static SnpTeeProvider Open(ITeeFileSystem fs, ISevGuestDevice? device, SnpTeeOptions options)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PrivilegeLevel is { } vmpl && vmpl is < 0 or > 3)
        {
            throw new ArgumentException($"SEV-SNP privilege level (VMPL) must be 0 to 3, not {vmpl}", nameof(options));
        }

        var tsm = new ConfigFsTsm(fs, options.ConfigFsTsmPath, TsmProvider);
        device ??= new SevGuestDevice(options.SevGuestDevicePath);
        SnpTeeProvider provider;
        if (tsm.IsAvailable)
        {
            provider = new SnpTeeProvider(tsm, null, options);
        }
        else if (device.Exists)
        {
            provider = new SnpTeeProvider(null, device, options);
        }
        else
        {
            throw new TeeException(
                $"no SEV-SNP guest interface: neither configfs-tsm ({options.ConfigFsTsmPath}) nor {options.SevGuestDevicePath} exists (not an SEV-SNP guest, or the sev-guest driver is not loaded)");
        }

        var report = provider.GetReport(new byte[ITeeProvider.ReportDataLength]).Report;
        provider.Measurement = MeasurementOf(report);
        return provider;
    }

    /// <summary>The MEASUREMENT field (offset 0x90, 48 bytes) of an SEV-SNP report, lower-case hex.</summary>
    public static string MeasurementOf(ReadOnlySpan<byte> report)
    {
        try
        {
            return Convert.ToHexStringLower(SnpReport.Parse(report).Measurement.AsSpan());
        }
        catch (TlessFormatException e)
        {
            throw new TeeException($"malformed SEV-SNP report: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        TeeFiles.CheckReportData(reportData);
        cancellationToken.ThrowIfCancellationRequested();
        var (report, certificates) = GetReport(reportData.Span);
        var measurement = MeasurementOf(report);
        if (measurement != Measurement)
        {
            throw new TeeException($"SEV-SNP report measurement {measurement} differs from this guest's {Measurement}");
        }

        return ValueTask.FromResult(certificates is null || !options.IncludeCertificates ? report : [.. report, .. certificates]);
    }

    private (byte[] Report, byte[]? Certificates) GetReport(ReadOnlySpan<byte> reportData)
    {
        byte[] report;
        byte[]? certificates = null;
        string source;
        if (tsm is not null)
        {
            var answer = tsm.GetReport(reportData, options.PrivilegeLevel);
            report = answer.OutBlob;
            certificates = answer.AuxBlob;
            source = "configfs-tsm outblob";
            if (certificates is not null)
            {
                try
                {
                    SnpCertTable.Parse(certificates);
                }
                catch (TlessFormatException e)
                {
                    throw new TeeException($"configfs-tsm auxblob is not an SEV-SNP certificate table: {e.Message}", e);
                }
            }
        }
        else
        {
            var response = device!.GetReport(SevGuestReport.BuildRequest(reportData, options.PrivilegeLevel ?? 0));
            report = SevGuestReport.ParseResponse(response, device.Path);
            source = device.Path + " report";
        }

        if (report.Length != SnpReport.Size)
        {
            throw new TeeException(
                $"{source} is {report.Length} bytes; an SEV-SNP report is exactly {SnpReport.Size} ({(report.Length < SnpReport.Size ? "short" : "oversized")})");
        }

        SnpReport parsed;
        try
        {
            parsed = SnpReport.Parse(report);
        }
        catch (TlessFormatException e)
        {
            throw new TeeException($"malformed SEV-SNP report from {source}: {e.Message}", e);
        }

        TeeFiles.CheckEcho("SEV-SNP", reportData, parsed.ReportData.AsSpan());
        return (report, certificates);
    }
}
