using System.Collections.Immutable;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Hosting;

/// <summary>
/// What the (untrusted) scheduler hands a function host: the target instance and the signed invocation tokens that
/// ask for it (one per parent instance that sent to it; the user's token for entry nodes).
/// </summary>
public sealed record Invocation
{
    public required string Run { get; init; }

    public required NodeInstance Target { get; init; }

    /// <summary>Compact invocation tokens (<see cref="InvocationTokens"/>).</summary>
    public required ImmutableArray<string> Tokens { get; init; }
}

/// <summary>Where one instance's time went. <see cref="Warm"/> is true when the instance reused an attested identity and loaded code.</summary>
public sealed record InstanceTiming
{
    public required string Node { get; init; }

    public required int Index { get; init; }

    public required bool Warm { get; init; }

    /// <summary>Key generation, evidence, attestation to every authority and key combination (zero when warm).</summary>
    public TimeSpan Attest { get; init; }

    /// <summary>Fetching, decrypting, checking and loading the code package (zero when warm).</summary>
    public TimeSpan Code { get; init; }

    /// <summary>Fetching, checking and decrypting the inputs.</summary>
    public TimeSpan Inputs { get; init; }

    /// <summary>The function itself.</summary>
    public TimeSpan Run { get; init; }

    /// <summary>Encrypting and writing outputs and signing successors' tokens.</summary>
    public TimeSpan Outputs { get; init; }

    public TimeSpan Total { get; init; }
}

/// <summary>A successor invocation produced by an instance: the scheduler routes <see cref="Token"/> to <see cref="Target"/>.</summary>
public sealed record Dispatch(NodeInstance Target, string Token);

/// <summary>What an invocation produced.</summary>
public sealed record InvocationOutcome
{
    public required NodeInstance Instance { get; init; }

    public required ImmutableArray<Dispatch> Dispatches { get; init; }

    /// <summary>Keys of the final results written (sealed for the user).</summary>
    public required ImmutableArray<string> Results { get; init; }

    public required InstanceTiming Timing { get; init; }

    /// <summary>What was attested for this instance (null in mode none).</summary>
    public AttestationSummary? Attestation { get; init; }
}

/// <summary>What an attested identity proved: TEE kind, measurement and the authorities that vouched for it.</summary>
public sealed record AttestationSummary
{
    public required string Tee { get; init; }

    public required string Measurement { get; init; }

    public required ImmutableArray<string> Authorities { get; init; }

    /// <summary>The GID the key parts are bound to (tless) or empty (tee).</summary>
    public string Gid { get; init; } = "";

    /// <summary>When the identity expires (warm reuse ends then).</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>True when the evidence came from the simulated TEE (INSECURE).</summary>
    public bool Insecure { get; init; }
}
