using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Tless.Runtime.Hosting;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Inproc;

/// <summary>One run to execute: the workflow as the host trusts it, a run id, and the user's entry tokens.</summary>
public sealed record RunRequest
{
    public required HostWorkflow Workflow { get; init; }

    /// <summary>The run id (<see cref="RunIds"/>).</summary>
    public required string Run { get; init; }

    /// <summary>The user-signed invocation tokens of the entry node instances to start.</summary>
    public required ImmutableDictionary<NodeInstance, ImmutableArray<string>> EntryTokens { get; init; }
}

/// <summary>How a run went: status, error, per-instance timings, results, and what was attested.</summary>
public sealed record RunReport
{
    [JsonPropertyName("workflow")]
    public required string Workflow { get; init; }

    [JsonPropertyName("run")]
    public required string Run { get; init; }

    [JsonPropertyName("mode")]
    public required string Mode { get; init; }

    /// <summary><c>running</c>, <c>succeeded</c> or <c>failed</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>The failure (naming the instance and the cause), or null.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("startedAt")]
    public DateTimeOffset StartedAt { get; init; }

    [JsonPropertyName("elapsedMs")]
    public double ElapsedMs { get; init; }

    [JsonPropertyName("instances")]
    public ImmutableArray<InstanceReport> Instances { get; init; } = [];

    /// <summary>Keys of the sealed final results.</summary>
    [JsonPropertyName("results")]
    public ImmutableArray<string> Results { get; init; } = [];

    /// <summary>Distinct attested identities (TEE, measurement, authorities).</summary>
    [JsonPropertyName("attestations")]
    public ImmutableArray<AttestationReport> Attestations { get; init; } = [];

    [JsonIgnore]
    public bool Succeeded => Status == RunStatus.Succeeded;

    /// <summary>Throws <see cref="RunFailedException"/> with <see cref="Error"/> unless the run succeeded.</summary>
    public RunReport EnsureSucceeded() =>
        Succeeded ? this : throw new RunFailedException($"run '{Run}' of '{Workflow}' {Status}: {Error}", null);
}

/// <summary>Run status strings.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>The timings of one instance, in milliseconds.</summary>
public sealed record InstanceReport
{
    [JsonPropertyName("node")]
    public required string Node { get; init; }

    [JsonPropertyName("index")]
    public required int Index { get; init; }

    [JsonPropertyName("warm")]
    public required bool Warm { get; init; }

    [JsonPropertyName("attestMs")]
    public double AttestMs { get; init; }

    [JsonPropertyName("codeMs")]
    public double CodeMs { get; init; }

    [JsonPropertyName("inputsMs")]
    public double InputsMs { get; init; }

    [JsonPropertyName("runMs")]
    public double RunMs { get; init; }

    [JsonPropertyName("outputsMs")]
    public double OutputsMs { get; init; }

    [JsonPropertyName("totalMs")]
    public double TotalMs { get; init; }

    public static InstanceReport From(InstanceTiming t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new InstanceReport
        {
            Node = t.Node,
            Index = t.Index,
            Warm = t.Warm,
            AttestMs = t.Attest.TotalMilliseconds,
            CodeMs = t.Code.TotalMilliseconds,
            InputsMs = t.Inputs.TotalMilliseconds,
            RunMs = t.Run.TotalMilliseconds,
            OutputsMs = t.Outputs.TotalMilliseconds,
            TotalMs = t.Total.TotalMilliseconds,
        };
    }
}

/// <summary>An attested identity as recorded in the run report.</summary>
public sealed record AttestationReport
{
    [JsonPropertyName("node")]
    public required string Node { get; init; }

    [JsonPropertyName("tee")]
    public required string Tee { get; init; }

    [JsonPropertyName("measurement")]
    public required string Measurement { get; init; }

    [JsonPropertyName("authorities")]
    public required ImmutableArray<string> Authorities { get; init; }

    [JsonPropertyName("insecure")]
    public bool Insecure { get; init; }
}

/// <summary>Run ids: 1..64 characters of letters, digits, <c>_</c> and <c>-</c>.</summary>
public static class RunIds
{
    public static bool IsValid(string? run) =>
        !string.IsNullOrEmpty(run) && run.Length <= 64 && run.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>A new run id: UTC time stamp plus 4 random hex digits (sortable).</summary>
    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetUtcNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)
            + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
    }
}

[JsonSerializable(typeof(RunReport))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class RunJson : JsonSerializerContext;
