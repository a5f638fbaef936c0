using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tless.Attestation;
using Tless.Attestation.Sim;
using Tless.AttestationService;
using Tless.Runtime.Authority;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless bench mint</c>: the attribute-minting throughput experiment. Starts N authorities in this process (HTTPS on
/// loopback, pinned), registers a one-node workflow, and serves R mint requests with C in flight. One request is what
/// a function host does: attest to all N authorities in parallel and receive N key parts; a request counts as one
/// mint when all N parts arrived. Everything a host does (keys, evidence, tokens, JSON bodies) is prepared before the
/// timed window; the warm-up goes through <see cref="AuthorityClient"/> and checks the responses, the timed window
/// posts the prepared bodies and checks the status.
/// </summary>
internal static class BenchMintCommand
{
    public static Command Create()
    {
        var authorities = new Option<int[]>("--authorities") { Description = "Number(s) of authorities.", DefaultValueFactory = _ => [1], AllowMultipleArgumentsPerToken = true };
        var concurrency = new Option<int[]>("--concurrency") { Description = "Requests in flight.", DefaultValueFactory = _ => [64], AllowMultipleArgumentsPerToken = true };
        var requests = new Option<int>("--requests") { Description = "Timed mint requests per configuration.", DefaultValueFactory = _ => 2000 };
        var evidence = new Option<string>("--evidence") { Description = "Evidence kind: sim.", DefaultValueFactory = _ => "sim" };
        var json = new Option<bool>("--json") { Description = "Print the rows as a JSON array instead of a table." };
        var output = new Option<string>("--out") { Description = "CSV file to write.", DefaultValueFactory = _ => "bench-mint.csv" };
        var command = new Command("mint", "Attribute-minting throughput and latency vs number of authorities and concurrency.");
        foreach (var option in new Option[] { authorities, concurrency, requests, evidence, json, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var ns = parseResult.GetValue(authorities)!;
            var cs = parseResult.GetValue(concurrency)!;
            var r = parseResult.GetValue(requests);
            var kind = parseResult.GetValue(evidence);
            var errors = new List<string>();
            if (ns.Length == 0 || ns.Any(n => n is < 1 or > 16))
            {
                errors.Add("--authorities must be 1..16.");
            }

            if (cs.Length == 0 || cs.Any(c => c is < 1 or > 4096))
            {
                errors.Add("--concurrency must be 1..4096.");
            }

            if (r is < 1 or > 1_000_000)
            {
                errors.Add("--requests must be 1..1000000.");
            }

            if (kind != "sim")
            {
                errors.Add($"--evidence {kind}: only 'sim' is supported (fixture SNP reports cannot bind fresh host keys).");
            }

            if (errors.Count > 0)
            {
                errors.ForEach(e => Console.Error.WriteLine("error: " + e));
                return 2;
            }

            var rows = new List<MintRow>();
            foreach (var n in ns)
            {
                foreach (var c in cs)
                {
                    rows.Add(await RunAsync(n, c, r, cancellationToken).ConfigureAwait(false));
                    if (!parseResult.GetValue(json))
                    {
                        var row = rows[^1];
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  authorities={row.Authorities} concurrency={row.Concurrency}: {row.MintsPerSecond:F1} mints/s, p50 {row.P50Ms:F1} ms, p99 {row.P99Ms:F1} ms, {row.CpuMsPerMint:F2} CPU ms/mint, {row.HandlerMsPerMint:F2} handler ms/mint"));
                    }
                }
            }

            var csv = new StringBuilder("authorities,concurrency,requests,seconds,mints_per_s,p50_ms,p99_ms\n");
            foreach (var row in rows)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{row.Authorities},{row.Concurrency},{row.Requests},{row.Seconds:F3},{row.MintsPerSecond:F1},{row.P50Ms:F2},{row.P99Ms:F2}\n");
            }

            var path = parseResult.GetValue(output)!;
            await File.WriteAllTextAsync(path, csv.ToString(), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows.Select(x => new Dictionary<string, object>
                {
                    ["authorities"] = x.Authorities,
                    ["concurrency"] = x.Concurrency,
                    ["requests"] = x.Requests,
                    ["seconds"] = Math.Round(x.Seconds, 3),
                    ["mints_per_s"] = Math.Round(x.MintsPerSecond, 1),
                    ["p50_ms"] = Math.Round(x.P50Ms, 2),
                    ["p99_ms"] = Math.Round(x.P99Ms, 2),
                    ["cpu_ms_per_mint"] = Math.Round(x.CpuMsPerMint, 2),
                    ["handler_ms_per_mint"] = Math.Round(x.HandlerMsPerMint, 2),
                })));
            }
            else
            {
                Console.WriteLine($"{"authorities",11} {"concurrency",11} {"requests",8} {"seconds",8} {"mints/s",9} {"p50 ms",8} {"p99 ms",8} {"CPU ms/mint",11} {"handler ms",10}");
                foreach (var x in rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{x.Authorities,11} {x.Concurrency,11} {x.Requests,8} {x.Seconds,8:F2} {x.MintsPerSecond,9:F1} {x.P50Ms,8:F1} {x.P99Ms,8:F1} {x.CpuMsPerMint,11:F2} {x.HandlerMsPerMint,10:F2}"));
                }

                Console.WriteLine($"wrote {path}");
            }

            return 0;
        });
        return command;
    }

    private static async Task<MintRow> RunAsync(int n, int c, int r, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetTempPath(), "tless-bench-mint-" + Guid.NewGuid().ToString("N"));
        using var platform = SimulatedTee.Create();
        using var user = UserSigningKey.Generate();
        var measurement = SimulatedTee.Measure("tless-bench-host"u8);
        var running = new List<RunningAuthority>();
        var clients = new List<AuthorityClient>();
        var https = new List<HttpClient>();
        try
        {
            for (var i = 1; i <= n; i++)
            {
                var authority = await AttestationServiceHost.StartAsync(
                    new AuthorityOptions
                    {
                        Id = $"as{i}",
                        DataDirectory = Path.Combine(temp, $"as{i}"),
                        AllowSimulated = true,
                        SimTrustedKeys = [platform.PublicKey],
                        RateLimitPerSecond = 0,
                        AtRestKey = [.. RandomNumberGenerator.GetBytes(32)],
                        ConsoleLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
                    },
                    cancellationToken).ConfigureAwait(false);
                running.Add(authority);
                var handler = AuthorityClient.CreateHandler(authority.CertificateSha256);
                handler.MaxConnectionsPerServer = c;
                var http = new HttpClient(handler);
                https.Add(http);
                clients.Add(new AuthorityClient(http, authority.ClientOptions with { MaxRetries = 0, AttemptTimeout = TimeSpan.FromMinutes(2) }));
            }

            var infos = new List<AuthorityInfo>();
            foreach (var client in clients)
            {
                infos.Add(await client.GetAuthorityAsync(cancellationToken).ConfigureAwait(false));
            }

            var warmup = Math.Min(100, r);
            var total = r + warmup;
            var registration = new Registration
            {
                Workflow = "bench",
                WorkflowId = WorkflowIds.WorkflowId("bench"),
                Version = 1,
                Mode = AuthorityMode.AllOf,
                User = "user",
                Authorities = [.. infos.Select((info, i) => new RegisteredAuthority { Id = info.Id, Url = running[i].Url.ToString(), TokenKey = info.TokenKey })],
                Nodes =
                [
                    new RegisteredNode
                    {
                        Name = "fn",
                        Id = WorkflowIds.NodeId("bench", "fn"),
                        Function = "Bench.Fn",
                        Package = "bench",
                        Scale = total,
                        CodeDigest = new string('0', 64),
                        Measurements = [new ReferenceMeasurement { Tee = TeeKind.Sim, Measurement = Convert.ToHexStringLower(measurement) }],
                    },
                ],
            };
            var signed = new RegisterRequest { Registration = SignedRegistration.Sign(registration, user).ToJson() };
            foreach (var client in clients)
            {
                await client.RegisterAsync("bench", signed, cancellationToken).ConfigureAwait(false);
            }

            // Host-side work (keys, evidence, tokens) is prepared up front: the experiment measures the authorities.
            var prepared = new AttestRequest[total];
            Parallel.For(0, total, i =>
            {
                using var host = HostIdentity.Create();
                var token = InvocationTokens.Sign(
                    InvocationToken.Create("bench", "run", "user", $"fn#{i}", [], TimeProvider.System, TimeSpan.FromHours(1)), user.Sign);
                prepared[i] = new AttestRequest
                {
                    Tee = "sim",
                    Evidence = Convert.ToBase64String(platform.CreateEvidence(measurement, host.ReportData([token]))),
                    EcdhPublicKey = Convert.ToBase64String(host.KeyAgreementPublicKey),
                    SigningPublicKey = Convert.ToBase64String(host.SigningPublicKey),
                    Gid = host.Gid,
                    InvocationTokens = [token],
                };
            });

            // Warm-up through the client library, which parses and checks every response.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, warmup),
                new ParallelOptions { MaxDegreeOfParallelism = c, CancellationToken = cancellationToken },
                async (i, ct) => await Task.WhenAll(clients.Select(client => client.AttestAsync(prepared[i], ct))).ConfigureAwait(false)).ConfigureAwait(false);

            var bodies = prepared.AsSpan(warmup).ToArray().Select(p => JsonSerializer.SerializeToUtf8Bytes(p, ProtocolJsonContext.Default.AttestRequest)).ToArray();
            var targets = running.Select((a, i) => (Http: https[i], Url: new Uri(a.Url, "v1/attest"))).ToArray();
            using var handlerTime = new HandlerTimeListener();
            var latencies = new ConcurrentBag<double>();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await RunBatchAsync(targets, bodies, c, latencies, cancellationToken).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            var handlerMs = handlerTime.TotalMilliseconds;
            var sorted = latencies.Order().ToArray();
            return new MintRow(n, c, r, seconds, r / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99), cpu / r, handlerMs / r);
        }
        finally
        {
            clients.ForEach(x => x.Dispose());
            https.ForEach(x => x.Dispose());
            foreach (var authority in running)
            {
                await authority.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Task RunBatchAsync((HttpClient Http, Uri Url)[] targets, byte[][] bodies, int concurrency, ConcurrentBag<double> latencies, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, bodies.Length),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var started = Stopwatch.GetTimestamp();
                await Task.WhenAll(targets.Select(t => PostAsync(t.Http, t.Url, bodies[i], ct))).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            });

    private static async Task PostAsync(HttpClient http, Uri url, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url} refused a prepared mint request: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    // CpuMsPerMint: process CPU time (server and client side) per mint, steadier than wall time on a shared machine.
    // HandlerMsPerMint: time inside the authorities' mint handlers (tless.as.mint.duration, summed over authorities)
    // per mint: server work without HTTP, TLS and JSON; wall time, so at high concurrency it includes preemption.
    private sealed record MintRow(int Authorities, int Concurrency, int Requests, double Seconds, double MintsPerSecond, double P50Ms, double P99Ms, double CpuMsPerMint, double HandlerMsPerMint);

    /// <summary>Sums <c>tless.as.mint.duration</c> of every authority in this process while it lives.</summary>
    private sealed class HandlerTimeListener : IDisposable
    {
        private readonly MeterListener listener = new();
        private double total;

        public HandlerTimeListener()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AttestationServiceHost.MeterName && instrument.Name == AttestationServiceHost.MintDurationInstrument)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
            {
                double seen, next;
                do
                {
                    seen = Volatile.Read(ref total);
                    next = seen + value;
                }
                while (Interlocked.CompareExchange(ref total, next, seen) != seen);
            });
            listener.Start();
        }

        public double TotalMilliseconds => Volatile.Read(ref total);

        public void Dispose() => listener.Dispose();
    }
}
