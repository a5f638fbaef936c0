using Tless.Attestation;

namespace Tless.Runtime.Tee;

/// <summary>
/// The trusted execution environment the function host runs in, as seen from inside: its kind, its launch
/// measurement, and a way to get fresh evidence that binds 64 bytes of report data chosen by the host.
/// </summary>
public interface ITeeProvider
{
    /// <summary>The kind of TEE (and so of evidence) this provider produces.</summary>
    TeeKind Kind { get; }

    /// <summary>The launch measurement the evidence will carry, lower-case hex (what the user registers).</summary>
    string Measurement { get; }

    /// <summary>
    /// Produces evidence binding <paramref name="reportData"/> (exactly <see cref="ReportDataLength"/> bytes).
    /// Throws <see cref="TeeException"/> when the TEE refuses or its interface is missing.
    /// </summary>
    ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken);

    /// <summary>The length of report data every TEE kind binds.</summary>
    public const int ReportDataLength = 64;
}

/// <summary>The TEE could not produce evidence (interface missing, refused request, malformed answer).</summary>
public sealed class TeeException : TlessException
{
    public TeeException(string message)
        : base(message)
    {
    }

    public TeeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
