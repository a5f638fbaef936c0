using Tless.Attestation;
using Tless.Attestation.Sim;

namespace Tless.Runtime.Tee;

/// <summary>
/// The simulated TEE (INSECURE, for development): evidence signed by a <see cref="SimulatedTee"/> platform key over
/// the host image measurement (<see cref="HostMeasurement"/> unless given) and the report data.
/// </summary>
public sealed class SimTeeProvider : ITeeProvider
{
    private readonly SimulatedTee platform;
    private readonly byte[] measurement;
    private readonly bool debug;

    /// <param name="platform">The simulated platform whose key signs the evidence (owned by the caller).</param>
    /// <param name="measurementHex">The measurement to claim (48-byte hex); null for the running host image.</param>
    /// <param name="debug">Whether to claim a debuggable environment.</param>
    public SimTeeProvider(SimulatedTee platform, string? measurementHex = null, bool debug = false)
    {
        ArgumentNullException.ThrowIfNull(platform);
        this.platform = platform;
        this.debug = debug;
        var hex = measurementHex ?? HostMeasurement.ForCurrentHost();
        try
        {
            measurement = Convert.FromHexString(hex);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"sim measurement '{hex}' is not hex", nameof(measurementHex), e);
        }

        if (measurement.Length != SimEvidence.MeasurementSize)
        {
            throw new ArgumentException($"sim measurement must be {SimEvidence.MeasurementSize} bytes, got {measurement.Length}", nameof(measurementHex));
        }

        Measurement = Convert.ToHexStringLower(measurement);
    }

    /// <inheritdoc/>
    public TeeKind Kind => TeeKind.Sim;

    /// <inheritdoc/>
    public string Measurement { get; }

    /// <inheritdoc/>
    public ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        if (reportData.Length != ITeeProvider.ReportDataLength)
        {
            throw new ArgumentException($"report data must be {ITeeProvider.ReportDataLength} bytes, got {reportData.Length}", nameof(reportData));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(platform.CreateEvidence(measurement, reportData.Span, debug));
    }
}
