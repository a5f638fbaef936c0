using System.Diagnostics.Metrics;

namespace Tless.AttestationService.Services;

/// <summary>
/// Metrics of one authority (meter <c>Tless.AttestationService</c>): <c>tless.as.mints</c>,
/// <c>tless.as.releases</c>, <c>tless.as.registrations</c>, <c>tless.as.refusals</c> (tag <c>code</c>) and
/// <c>tless.as.mint.duration</c> (ms). Every instrument is tagged with the authority id.
/// </summary>
internal sealed class AuthorityMetrics : IDisposable
{
    public const string MeterName = "Tless.AttestationService";
    private readonly Meter meter;
    private readonly Counter<long> mints;
    private readonly Counter<long> releases;
    private readonly Counter<long> registrations;
    private readonly Counter<long> refusals;
    private readonly Histogram<double> mintDuration;
    private readonly KeyValuePair<string, object?> authority;

    public AuthorityMetrics(IMeterFactory factory, AuthorityOptions options)
    {
        meter = factory.Create(MeterName);
        authority = new("authority", options.Id);
        mints = meter.CreateCounter<long>("tless.as.mints", description: "Key parts minted");
        releases = meter.CreateCounter<long>("tless.as.releases", description: "Workflow keys released (mode tee)");
        registrations = meter.CreateCounter<long>("tless.as.registrations", description: "Registrations accepted");
        refusals = meter.CreateCounter<long>("tless.as.refusals", description: "Requests refused, by problem code");
        mintDuration = meter.CreateHistogram<double>("tless.as.mint.duration", unit: "ms", description: "Time to serve an accepted attestation");
    }

    public void Minted(double milliseconds)
    {
        mints.Add(1, authority);
        mintDuration.Record(milliseconds, authority);
    }

    public void Released() => releases.Add(1, authority);

    public void Registered() => registrations.Add(1, authority);

    public void Refused(string code) => refusals.Add(1, authority, new KeyValuePair<string, object?>("code", code));

    public void Dispose() => meter.Dispose();
}

/// <summary>Source-generated log messages. Keys, tokens and evidence are never arguments.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Authority {Authority} serving on {Url} (TLS certificate SHA-256 {Fingerprint}); TEE kinds accepted: {Tees}")]
    public static partial void Serving(ILogger logger, string authority, string url, string fingerprint, string tees);

    [LoggerMessage(2, LogLevel.Warning, "Authority {Authority} accepts SIMULATED TEE evidence: INSECURE, development only")]
    public static partial void SimulatedAllowed(ILogger logger, string authority);

    [LoggerMessage(3, LogLevel.Information, "Created a new authority {Authority} in {Directory}")]
    public static partial void Created(ILogger logger, string authority, string directory);

    [LoggerMessage(4, LogLevel.Information, "Registered workflow {Workflow} version {Version} (user key {KeyThumbprint})")]
    public static partial void Registered(ILogger logger, string workflow, long version, string keyThumbprint);

    [LoggerMessage(5, LogLevel.Debug, "Minted {Count} attributes for {Workflow}/{Node}#{Instance} ({Tee})")]
    public static partial void Minted(ILogger logger, string workflow, string node, int instance, int count, string tee);

    [LoggerMessage(6, LogLevel.Information, "Refused {Method} {Path}: {Code}: {Message} {LogDetail}")]
    public static partial void Refused(ILogger logger, string method, string path, string code, string message, string? logDetail);

    [LoggerMessage(7, LogLevel.Error, "Unexpected failure serving {Method} {Path}")]
    public static partial void Failed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(8, LogLevel.Warning, "The {Tee} verifier is not available: {Reason}")]
    public static partial void VerifierUnavailable(ILogger logger, string tee, string reason);

    [LoggerMessage(9, LogLevel.Debug, "Released the workflow key of {Workflow} ({Tee})")]
    public static partial void Released(ILogger logger, string workflow, string tee);

    [LoggerMessage(10, LogLevel.Information, "Loaded {Count} registered workflows")]
    public static partial void Loaded(ILogger logger, int count);
}
