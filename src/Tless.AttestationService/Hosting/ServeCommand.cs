using System.CommandLine;
using System.Net;

namespace Tless.AttestationService;

/// <summary>
/// <c>serve</c>: runs one attestation service until Ctrl+C. Used by the service's own executable and by
/// <c>tless as serve</c>.
/// </summary>
public static class ServeCommand
{
    /// <summary>The environment variable holding the password of <c>--cert</c>.</summary>
    public const string CertificatePasswordVariable = "TLESS_AS_CERT_PASSWORD";

    public static Command Create()
    {
        var id = new Option<string>("--id") { Description = "The authority id ([A-Za-z0-9_]+), the prefix of the attributes it mints.", Required = true };
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port).", DefaultValueFactory = _ => 8701 };
        var data = new Option<string>("--data") { Description = "Data directory (database, at-rest key, TLS certificate).", Required = true };
        var listen = new Option<string>("--listen") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var allowSim = new Option<bool>("--allow-simulated") { Description = "Accept simulated TEE evidence (INSECURE, development only)." };
        var simTrust = new Option<string[]>("--sim-trust") { Description = "PEM file(s) of trusted simulated-platform public keys (default: DATA/sim-trust.pem).", AllowMultipleArgumentsPerToken = true };
        var snpCert = new Option<string[]>("--snp-cert") { Description = "SEV-SNP certificate file(s): VCEK/VLEK, ASK/ASVK, ARK.", AllowMultipleArgumentsPerToken = true };
        var collateral = new Option<string?>("--collateral") { Description = "Collateral directory (SNP certificate cache, DCAP collateral)." };
        var cert = new Option<string?>("--cert") { Description = $"PKCS#12 TLS certificate (password in ${CertificatePasswordVariable}); default: a self-signed one made once in DATA." };
        var insecure = new Option<bool>("--insecure-http") { Description = "Serve plain HTTP (loopback development only)." };
        var lifetime = new Option<int>("--token-lifetime") { Description = "Authority token lifetime in seconds.", DefaultValueFactory = _ => 3600 };
        var rate = new Option<int>("--rate-limit") { Description = "Requests per second per client (0 = unlimited).", DefaultValueFactory = _ => 1000 };
        var verbose = new Option<bool>("--verbose") { Description = "Log every refusal (never keys, tokens or evidence)." };

        var serve = new Command("serve", "Run an attestation service (an attribute authority) until Ctrl+C.");
        foreach (var option in new Option[] { id, port, data, listen, allowSim, simTrust, snpCert, collateral, cert, insecure, lifetime, rate, verbose })
        {
            serve.Options.Add(option);
        }

        serve.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parseResult.GetValue(listen), out var address))
            {
                await Console.Error.WriteLineAsync($"--listen '{parseResult.GetValue(listen)}' is not an IP address.").ConfigureAwait(false);
                return 2;
            }

            var options = new AuthorityOptions
            {
                Id = parseResult.GetValue(id)!,
                DataDirectory = Path.GetFullPath(parseResult.GetValue(data)!),
                Port = parseResult.GetValue(port),
                ListenAddress = address,
                AllowSimulated = parseResult.GetValue(allowSim),
                SimTrustFiles = [.. parseResult.GetValue(simTrust) ?? []],
                SnpCertificateFiles = [.. parseResult.GetValue(snpCert) ?? []],
                CollateralDirectory = parseResult.GetValue(collateral),
                CertificatePath = parseResult.GetValue(cert),
                CertificatePassword = Environment.GetEnvironmentVariable(CertificatePasswordVariable),
                InsecureHttp = parseResult.GetValue(insecure),
                TokenLifetime = TimeSpan.FromSeconds(parseResult.GetValue(lifetime)),
                RateLimitPerSecond = parseResult.GetValue(rate),
                RateLimitBurst = Math.Max(1, parseResult.GetValue(rate) * 2),
                ConsoleLogLevel = parseResult.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning,
            };
            try
            {
                await AttestationServiceHost.RunAsync(options, Console.Out, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (TlessException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return serve;
    }
}
