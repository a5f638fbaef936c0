using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Authority;

/// <summary>
/// The client of one attestation service (docs/protocol.md). Thread-safe; reuse one per authority. Transient
/// failures (5xx, 408, timeouts, refused connections) are retried with exponential backoff; refusals (4xx) are
/// not, and surface as <see cref="AuthorityException"/> carrying the problem's stable code.
/// </summary>
public sealed class AuthorityClient : IDisposable
{
    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    private readonly string name;

    /// <summary>A client with its own connection pool, pinning the certificate when <see cref="AuthorityClientOptions.CertificateSha256"/> is set.</summary>
    public AuthorityClient(AuthorityClientOptions options)
        : this(new HttpClient(CreateHandler(options?.CertificateSha256), disposeHandler: true), options!, ownsHttp: true)
    {
    }

    /// <summary>A client over a caller-provided <see cref="HttpClient"/> (e.g. an in-process test server); the caller disposes it.</summary>
    public AuthorityClient(HttpClient httpClient, AuthorityClientOptions options)
        : this(httpClient, options, ownsHttp: false)
    {
    }

    private AuthorityClient(HttpClient httpClient, AuthorityClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseAddress);
        if (options.MaxRetries < 0 || options.AttemptTimeout <= TimeSpan.Zero || options.RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("MaxRetries must be >= 0, AttemptTimeout > 0 and RetryDelay >= 0.", nameof(options));
        }

        http = httpClient;
        this.ownsHttp = ownsHttp;
        http.BaseAddress ??= options.BaseAddress;
        http.Timeout = Timeout.InfiniteTimeSpan;
        name = options.BaseAddress.GetLeftPart(UriPartial.Authority);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
        pipeline = builder.Build();
    }

    /// <summary>The SHA-256 fingerprint (lower-case hex) of a certificate's DER, as printed by <c>tless as serve</c>.</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>An HTTP handler that accepts exactly the certificate with the given SHA-256 fingerprint (or, when null, validates normally).</summary>
    public static SocketsHttpHandler CreateHandler(string? certificateSha256)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 64,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (certificateSha256 is not null)
        {
            var pin = NormalizeFingerprint(certificateSha256);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), pin),
            };
        }

        return handler;
    }

    /// <summary><c>GET /health</c>: true when the service answers 200.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "health"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (AuthorityException)
        {
            return false;
        }
    }

    /// <summary><c>GET /v1/authority</c>.</summary>
    public Task<AuthorityInfo> GetAuthorityAsync(CancellationToken cancellationToken) =>
        CallAsync(() => new HttpRequestMessage(HttpMethod.Get, "v1/authority"), ProtocolJsonContext.Default.AuthorityInfo, cancellationToken);

    /// <summary><c>PUT /v1/workflows/{workflow}</c>.</summary>
    public Task<RegisterResponse> RegisterAsync(string workflow, RegisterRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflow);
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(
            () => new HttpRequestMessage(HttpMethod.Put, "v1/workflows/" + Uri.EscapeDataString(workflow))
            {
                Content = JsonContent.Create(request, ProtocolJsonContext.Default.RegisterRequest),
            },
            ProtocolJsonContext.Default.RegisterResponse,
            cancellationToken);
    }

    /// <summary><c>POST /v1/attest</c>.</summary>
    public Task<AttestResponse> AttestAsync(AttestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "v1/attest") { Content = JsonContent.Create(request, ProtocolJsonContext.Default.AttestRequest) },
            ProtocolJsonContext.Default.AttestResponse,
            cancellationToken);
    }

    /// <summary><c>POST /v1/release</c> (mode tee).</summary>
    public Task<ReleaseResponse> ReleaseAsync(ReleaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "v1/release") { Content = JsonContent.Create(request, ProtocolJsonContext.Default.ReleaseRequest) },
            ProtocolJsonContext.Default.ReleaseResponse,
            cancellationToken);
    }

    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException e } => e.InnerException is not AuthenticationException,
        { Exception: TimeoutRejectedException } => true,
        { Result: { } r } => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };

    private static byte[] NormalizeFingerprint(string fingerprint)
    {
        var hex = fingerprint.Replace(":", string.Empty, StringComparison.Ordinal).Trim();
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("A certificate fingerprint is 64 hex characters (SHA-256), colons allowed.", nameof(fingerprint));
        }

        return Convert.FromHexString(hex);
    }

    private async Task<T> CallAsync<T>(Func<HttpRequestMessage> request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var result = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
            return result ?? throw new AuthorityException(AuthorityException.BadResponse, (int)response.StatusCode, $"{name} answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw new AuthorityException(AuthorityException.BadResponse, (int)response.StatusCode, $"{name} answered with malformed JSON: {e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(
                async ct =>
                {
                    using var message = request();
                    return await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            throw new AuthorityException("certificate_mismatch", null, $"{name}: the TLS certificate was refused (pinned fingerprint does not match or chain is untrusted).", e);
        }
        catch (HttpRequestException e)
        {
            throw new AuthorityException(AuthorityException.Unreachable, null, $"{name} is unreachable: {e.Message}", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new AuthorityException(AuthorityException.Unreachable, null, $"{name} did not answer in time.", e);
        }
    }

    private async Task<AuthorityException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        ProblemDocument? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ProblemDocument, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
        }
        catch (NotSupportedException)
        {
        }

        var code = problem?.Code ?? string.Create(CultureInfo.InvariantCulture, $"http_{status}");
        var text = problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "request refused";
        return new AuthorityException(code, status, $"{name} refused the request ({status} {code}): {text}");
    }
}
