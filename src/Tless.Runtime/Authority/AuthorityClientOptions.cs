namespace Tless.Runtime.Authority;

/// <summary>How an <see cref="AuthorityClient"/> reaches one attestation service.</summary>
public sealed record AuthorityClientOptions
{
    /// <summary>The service's base address, e.g. <c>https://127.0.0.1:8701</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>
    /// SHA-256 of the server certificate's DER (hex, colons allowed). When set, the connection is accepted only if the
    /// certificate matches, whatever its chain (this is how self-signed authority certificates are trusted); when
    /// null, the platform's normal chain validation applies.
    /// </summary>
    public string? CertificateSha256 { get; init; }

    /// <summary>Per-attempt timeout.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first attempt for transient failures (5xx, 408, timeouts, connection errors); never for 4xx refusals.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Base delay of the exponential backoff (with jitter).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Clock used for backoff delays and timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
