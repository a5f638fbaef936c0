namespace Tless.Attestation;

/// <summary>
/// What a verifier accepts beyond the cryptographic checks. The defaults are a production policy: no debug
/// environments, no SEV-SNP migration agent. Each TEE uses the fields that apply to it (noted per field).
/// </summary>
public sealed record VerifierPolicy
{
    /// <summary>The production default.</summary>
    public static VerifierPolicy Production { get; } = new();

    /// <summary>Accept evidence from debuggable environments (all TEEs). The failed check is <c>debug_policy</c>.</summary>
    public bool AllowDebug { get; init; }

    /// <summary>SEV-SNP: refuse reports whose platform runs with SMT enabled (PLATFORM_INFO.SMT_EN). Check <c>smt_policy</c>.</summary>
    public bool RequireSmtDisabled { get; init; }

    /// <summary>SEV-SNP: accept guests that may be migrated by a migration agent (POLICY.MIGRATE_MA). Check <c>migration_policy</c>.</summary>
    public bool AllowMigrationAgent { get; init; }

    /// <summary>SEV-SNP: the highest VMPL whose reports are accepted (0 is the most privileged); null accepts 0..3.</summary>
    public int? MaximumVmpl { get; init; }

    /// <summary>SEV-SNP: refuse reports whose REPORTED_TCB is below this floor in any component. Check <c>tcb_policy</c>.</summary>
    public Snp.SnpTcbFloor? MinimumSnpTcb { get; init; }

    /// <summary>Simulated TEE: refuse evidence older than this (by its embedded timestamp); null disables the age check.</summary>
    public TimeSpan? MaxEvidenceAge { get; init; }

    /// <summary>Tolerance for clocks that run ahead (evidence timestamps in the future) and for certificate validity edges.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}
