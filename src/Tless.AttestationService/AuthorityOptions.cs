using System.Collections.Immutable;
using System.Net;

namespace Tless.AttestationService;

/// <summary>How to run one attestation service (an attribute authority). Validated at start, all errors at once.</summary>
public sealed record AuthorityOptions
{
    /// <summary>The authority id: an identifier <c>[A-Za-z0-9_]+</c>, the prefix of every attribute it mints.</summary>
    public required string Id { get; init; }

    /// <summary>The directory holding the database, the at-rest key file and the TLS certificate.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The TCP port; 0 picks a free one (see <see cref="RunningAuthority.Url"/>).</summary>
    public int Port { get; init; }

    /// <summary>The address to listen on; loopback by default.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Accept simulated (INSECURE) TEE evidence. Development only.</summary>
    public bool AllowSimulated { get; init; }

    /// <summary>Trusted simulated-platform public keys (PEM or DER SubjectPublicKeyInfo), given directly.</summary>
    public ImmutableArray<byte[]> SimTrustedKeys { get; init; } = [];

    /// <summary>Files with trusted simulated-platform public keys (one PEM "PUBLIC KEY" block or more per file).</summary>
    public ImmutableArray<string> SimTrustFiles { get; init; } = [];

    /// <summary>SEV-SNP certificates (VCEK/VLEK, ASK/ASVK, ARK) for the SNP verifier.</summary>
    public ImmutableArray<string> SnpCertificateFiles { get; init; } = [];

    /// <summary>A collateral directory (SNP certificate cache, DCAP collateral).</summary>
    public string? CollateralDirectory { get; init; }

    /// <summary>A PKCS#12 file with the TLS certificate and key; null makes (once) and reuses a self-signed one under the data directory.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The password of <see cref="CertificatePath"/>, if any.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>Serve plain HTTP (loopback development only; refused for other addresses).</summary>
    public bool InsecureHttp { get; init; }

    /// <summary>The lifetime of authority tokens.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Clock skew tolerated on token expiry.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest accepted request body.</summary>
    public int MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Requests per second per client address (token bucket); 0 disables rate limiting.</summary>
    public int RateLimitPerSecond { get; init; } = 1000;

    /// <summary>Burst size of the per-client token bucket.</summary>
    public int RateLimitBurst { get; init; } = 2000;

    /// <summary>The time a request may take before the server gives up on it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The minimum level written to the console log.</summary>
    public LogLevel ConsoleLogLevel { get; init; } = LogLevel.Warning;

    /// <summary>The at-rest key (32 bytes) instead of <c>TLESS_AS_KEY</c> or the key file; for in-process use.</summary>
    public ImmutableArray<byte> AtRestKey { get; init; } = [];

    /// <summary>Every problem with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Id) || Id.Length > 64 || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            errors.Add($"--id '{Id}' must be 1..64 characters of [A-Za-z0-9_].");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add("--data must name a directory.");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"--port {Port} is not a TCP port (0..65535).");
        }

        if (InsecureHttp && !IPAddress.IsLoopback(ListenAddress))
        {
            errors.Add($"--insecure-http is only allowed on a loopback address, not {ListenAddress}.");
        }

        if (InsecureHttp && CertificatePath is not null)
        {
            errors.Add("--insecure-http and --cert exclude each other.");
        }

        if (CertificatePath is not null && !File.Exists(CertificatePath))
        {
            errors.Add($"--cert '{CertificatePath}' does not exist.");
        }

        foreach (var file in SimTrustFiles.Concat(SnpCertificateFiles))
        {
            if (!File.Exists(file))
            {
                errors.Add($"'{file}' does not exist.");
            }
        }

        if (!AllowSimulated && (!SimTrustFiles.IsDefaultOrEmpty || !SimTrustedKeys.IsDefaultOrEmpty))
        {
            errors.Add("--sim-trust needs --allow-simulated.");
        }

        if (CollateralDirectory is not null && !Directory.Exists(CollateralDirectory))
        {
            errors.Add($"--collateral '{CollateralDirectory}' is not a directory.");
        }

        if (TokenLifetime <= TimeSpan.Zero || ClockSkew < TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("token lifetime and request timeout must be positive, clock skew not negative.");
        }

        if (MaxRequestBodyBytes < 1024)
        {
            errors.Add($"the body limit {MaxRequestBodyBytes} is below 1024 bytes.");
        }

        if (RateLimitPerSecond < 0 || (RateLimitPerSecond > 0 && RateLimitBurst < 1))
        {
            errors.Add("the rate limit must be >= 0 and its burst >= 1.");
        }

        if (!AtRestKey.IsDefaultOrEmpty && AtRestKey.Length != 32)
        {
            errors.Add($"the at-rest key must be 32 bytes, got {AtRestKey.Length}.");
        }

        return errors;
    }
}
