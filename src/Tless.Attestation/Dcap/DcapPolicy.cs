using System.Collections.Frozen;

namespace Tless.Attestation.Dcap;

/// <summary>
/// What a DCAP verifier accepts beyond the cryptographic checks. The default refuses debug enclaves and TDs and
/// accepts the TCB statuses under which Intel still considers the platform patched: <c>UpToDate</c>,
/// <c>SWHardeningNeeded</c>, <c>ConfigurationNeeded</c> and <c>ConfigurationAndSWHardeningNeeded</c> (the last three
/// come with advisory ids that the relying party may want to inspect). <c>OutOfDate</c>,
/// <c>OutOfDateConfigurationNeeded</c> and <c>Revoked</c> are refused.
/// </summary>
public sealed record DcapPolicy
{
    /// <summary>The statuses accepted by default (see the type remarks).</summary>
    public static IReadOnlySet<string> DefaultAcceptedStatuses { get; } = new[]
    {
        DcapTcbStatus.UpToDate,
        DcapTcbStatus.SWHardeningNeeded,
        DcapTcbStatus.ConfigurationNeeded,
        DcapTcbStatus.ConfigurationAndSWHardeningNeeded,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The production default.</summary>
    public static DcapPolicy Production { get; } = new();

    /// <summary>Accept debug enclaves (SGX ATTRIBUTES.DEBUG) and debug TDs (TDX TD_ATTRIBUTES.DEBUG). Check <c>debug_policy</c>.</summary>
    public bool AllowDebug { get; init; }

    /// <summary>The TCB statuses (compared ordinally) under which the evidence is accepted. Check <c>tcb_status</c>.</summary>
    public IReadOnlySet<string> AcceptedStatuses { get; init; } = DefaultAcceptedStatuses;
}

/// <summary>The TCB status names of Intel's TCB info and QE identity (and the converged statuses of the QVL).</summary>
public static class DcapTcbStatus
{
    public const string UpToDate = "UpToDate";
    public const string SWHardeningNeeded = "SWHardeningNeeded";
    public const string ConfigurationNeeded = "ConfigurationNeeded";
    public const string ConfigurationAndSWHardeningNeeded = "ConfigurationAndSWHardeningNeeded";
    public const string OutOfDate = "OutOfDate";
    public const string OutOfDateConfigurationNeeded = "OutOfDateConfigurationNeeded";
    public const string Revoked = "Revoked";
}
