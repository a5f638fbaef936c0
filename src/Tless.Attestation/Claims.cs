using System.Collections.Immutable;

namespace Tless.Attestation;

/// <summary>The kinds of trusted execution environment whose evidence TLess understands.</summary>
public enum TeeKind
{
    /// <summary>Simulated TEE for development; INSECURE, proves nothing.</summary>
    Sim,

    /// <summary>AMD SEV-SNP.</summary>
    Snp,

    /// <summary>Intel SGX (DCAP quote v3).</summary>
    Sgx,

    /// <summary>Intel TDX (DCAP quote v4).</summary>
    Tdx,
}

/// <summary>What verified evidence says about the environment that produced it.</summary>
public sealed record AttestationClaims
{
    public required TeeKind Tee { get; init; }

    /// <summary>The launch measurement (SNP MEASUREMENT, SGX MRENCLAVE, TDX MRTD, sim image hash), lower-case hex.</summary>
    public required string Measurement { get; init; }

    /// <summary>The 64 bytes the guest bound into the evidence.</summary>
    public required ImmutableArray<byte> ReportData { get; init; }

    /// <summary>True when the evidence comes from a debuggable environment (its memory is not confidential).</summary>
    public required bool Debug { get; init; }

    /// <summary>True for simulated evidence: it must never be trusted outside development.</summary>
    public bool Insecure { get; init; }

    /// <summary>Chip or platform identity (SNP CHIP_ID, SGX/TDX PPID or FMSPC), hex; null when not present.</summary>
    public string? ChipId { get; init; }

    /// <summary>The TCB the evidence reports, in the TEE's own notation.</summary>
    public string? Tcb { get; init; }

    /// <summary>TCB status (DCAP: UpToDate, SWHardeningNeeded, ...; SNP and sim: UpToDate when the checks pass).</summary>
    public string Status { get; init; } = "UpToDate";

    /// <summary>Security advisory ids that apply to the TCB (Intel-SA-xxxxx).</summary>
    public ImmutableArray<string> Advisories { get; init; } = [];

    /// <summary>Further TEE-specific claims (MRSIGNER, product, policy bits, host data, ...).</summary>
    public ImmutableDictionary<string, string> Extra { get; init; } = ImmutableDictionary<string, string>.Empty;
}

/// <summary>The verdict on one piece of evidence: valid with claims, or the name of the check that failed.</summary>
public sealed record VerificationResult
{
    public bool IsValid => FailedCheck is null;

    /// <summary>A stable name of the first check that failed (for example <c>report_signature</c>), or null.</summary>
    public string? FailedCheck { get; init; }

    /// <summary>A human-readable explanation for operators (never contains secrets).</summary>
    public string? Detail { get; init; }

    /// <summary>The claims parsed from the evidence; present whenever parsing succeeded, even if a check failed.</summary>
    public AttestationClaims? Claims { get; init; }

    public static VerificationResult Valid(AttestationClaims claims) => new() { Claims = claims };

    public static VerificationResult Fail(string check, string detail, AttestationClaims? claims = null) =>
        new() { FailedCheck = check, Detail = detail, Claims = claims };
}

/// <summary>
/// Verifies one kind of TEE evidence. Implementations take their trust anchors, collateral, clock
/// (<see cref="TimeProvider"/>) and policy (for example whether debug evidence is acceptable) in their constructor,
/// never touch the network unless configured to, and never throw on malformed evidence: they return a failed
/// <see cref="VerificationResult"/> naming the check.
/// </summary>
public interface IEvidenceVerifier
{
    TeeKind Tee { get; }

    VerificationResult Verify(ReadOnlySpan<byte> evidence);
}
