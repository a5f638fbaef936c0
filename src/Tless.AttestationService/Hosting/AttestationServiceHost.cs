using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Tless.AttestationService.Endpoints;
using Tless.AttestationService.Hosting;
using Tless.AttestationService.Services;
using Tless.AttestationService.Storage;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService;

/// <summary>Starts attestation services: as a process (<c>tless as serve</c>) or in-process (tests, demo, bench).</summary>
public static class AttestationServiceHost
{
    /// <summary>The meter of every authority's metrics; the accepted-mint time is <see cref="MintDurationInstrument"/> (ms).</summary>
    public const string MeterName = Services.AuthorityMetrics.MeterName;

    /// <summary>The histogram of the time to serve one accepted attestation (ms), tagged with the authority id.</summary>
    public const string MintDurationInstrument = "tless.as.mint.duration";

    /// <summary>
    /// A host builder for one authority. Throws <see cref="AuthorityConfigurationException"/> listing every problem
    /// of <paramref name="options"/>.
    /// </summary>
    public static IHostBuilder CreateHostBuilder(AuthorityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new AuthorityConfigurationException(errors);
        }

        return new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
                logging.SetMinimumLevel(options.ConsoleLogLevel);
                logging.AddFilter("Microsoft", LogLevel.Warning);

                // Start-up failures are reported once, by the caller, without a stack trace.
                logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
                logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
            })
            .ConfigureServices(services => AddServices(services, options))
            .ConfigureWebHost(web =>
            {
                web.UseKestrel((context, kestrel) =>
                {
                    kestrel.AddServerHeader = false;
                    kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
                    kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
                    kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
                    kestrel.Limits.MaxConcurrentConnections = 4096;
                    var tls = kestrel.ApplicationServices.GetRequiredService<TlsMaterial>();
                    kestrel.Listen(options.ListenAddress, options.Port, listen =>
                    {
                        // HTTP/2 needs TLS (ALPN); plain HTTP is HTTP/1.1 only.
                        listen.Protocols = tls.Certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                        if (tls.Certificate is not null)
                        {
                            listen.UseHttps(tls.Certificate);
                        }
                    });
                });
                web.Configure(ConfigureApp);
            });
    }

    /// <summary>Starts an authority in this process; dispose the result to stop it.</summary>
    public static async Task<RunningAuthority> StartAsync(AuthorityOptions options, CancellationToken cancellationToken)
    {
        var host = CreateHostBuilder(options).Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        var server = host.Services.GetRequiredService<IServer>();
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server did not report its address.");
        var tls = host.Services.GetRequiredService<TlsMaterial>();
        var state = host.Services.GetRequiredService<AuthorityState>();
        var kinds = host.Services.GetRequiredService<VerifierSet>().Kinds;
        var url = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
        return new RunningAuthority(host, options.Id, url, tls.Fingerprint, state.Info(kinds));
    }

    /// <summary>Runs an authority until <paramref name="cancellationToken"/> fires, printing where it listens.</summary>
    public static async Task RunAsync(AuthorityOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var running = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"authority {running.Id} listening on {running.Url}").ConfigureAwait(false);
        await output.WriteLineAsync(running.CertificateSha256 is null
            ? "WARNING: plain HTTP (--insecure-http): for loopback development only"
            : $"TLS certificate SHA-256: {running.CertificateSha256}  (clients pin this)").ConfigureAwait(false);
        await output.WriteLineAsync(running.Info.TeeKinds.IsEmpty
            ? "WARNING: no TEE kind is accepted (pass --allow-simulated, --snp-cert or --collateral): every attestation will be refused"
            : $"accepted TEE kinds: {string.Join(", ", running.Info.TeeKinds)}").ConfigureAwait(false);
        if (options.AllowSimulated)
        {
            await output.WriteLineAsync("WARNING: simulated TEE evidence is accepted: INSECURE, development only").ConfigureAwait(false);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static void AddServices(IServiceCollection services, AuthorityOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(options.TimeProvider);
        services.AddSingleton(_ => AuthorityStore.Open(options.DataDirectory));
        services.AddSingleton<AuthorityState>();
        services.AddSingleton<VerifierSet>();
        services.AddSingleton<WorkflowRegistry>();
        services.AddSingleton<Minter>();
        services.AddSingleton<AuthorityMetrics>();
        services.AddSingleton<TlsMaterial>();
        services.AddMetrics();
        services.AddRouting();
        services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context => ProblemWriter.WriteAsync(context, 503, ProblemCodes.RequestTimeout, "The request took too long."),
        });
        if (options.RateLimitPerSecond > 0)
        {
            services.AddRateLimiter(o =>
            {
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    RateLimitPartition.GetTokenBucketLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "local",
                        _ => new TokenBucketRateLimiterOptions
                        {
                            TokenLimit = options.RateLimitBurst,
                            TokensPerPeriod = options.RateLimitPerSecond,
                            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        }));
                o.OnRejected = (context, _) =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<AuthorityMetrics>().Refused(ProblemCodes.RateLimited);
                    return new ValueTask(ProblemWriter.WriteAsync(context.HttpContext, 429, ProblemCodes.RateLimited, "Too many requests from this client; retry later."));
                };
            });
        }
    }

    internal static void ConfigureApp(IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var options = services.GetRequiredService<AuthorityOptions>();

        // Open the database, decrypt the keys and build the verifiers now, so that start fails on bad state.
        services.GetRequiredService<Minter>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Tless.AttestationService");
        var tls = services.GetRequiredService<TlsMaterial>();
        Log.Serving(logger, options.Id, $"{options.ListenAddress}:{options.Port}", tls.Fingerprint ?? "(plain http)", string.Join(",", services.GetRequiredService<VerifierSet>().Kinds));

        app.UseMiddleware<ProblemMiddleware>();
        app.UseRouting();
        if (options.RateLimitPerSecond > 0)
        {
            app.UseRateLimiter();
        }

        app.UseRequestTimeouts();
        app.UseEndpoints(AuthorityEndpoints.Map);
    }
}

/// <summary>An authority running in this process.</summary>
public sealed class RunningAuthority : IAsyncDisposable
{
    private readonly IHost host;

    internal RunningAuthority(IHost host, string id, Uri url, string? certificateSha256, AuthorityInfo info)
    {
        this.host = host;
        Id = id;
        Url = url;
        CertificateSha256 = certificateSha256;
        Info = info;
    }

    public string Id { get; }

    /// <summary>The base URL, e.g. <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>SHA-256 of the TLS certificate (lower-case hex) for <see cref="Runtime.Authority.AuthorityClientOptions.CertificateSha256"/>; null over plain HTTP.</summary>
    public string? CertificateSha256 { get; }

    /// <summary>What <c>GET /v1/authority</c> returns.</summary>
    public AuthorityInfo Info { get; }

    /// <summary>Client options that reach (and pin) this authority.</summary>
    public Runtime.Authority.AuthorityClientOptions ClientOptions => new() { BaseAddress = Url, CertificateSha256 = CertificateSha256 };

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }
}

/// <summary>The options of an authority are unusable; <see cref="Errors"/> lists every problem.</summary>
public sealed class AuthorityConfigurationException : TlessException
{
    public AuthorityConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid authority options:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}
