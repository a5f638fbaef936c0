using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Spectre.Console;
using Tless.Apps;
using Tless.Apps.WordCount;
using Tless.Attestation;
using Tless.AttestationService;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Owner;
using Tless.Runtime.Storage;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless demo</c>: the whole system on one machine. Starts the word-count workflow's attestation services
/// in-process on loopback (HTTPS with pinned self-signed certificates, all-of, simulated TEE allowed), creates owner
/// keys in a temporary home and a local file store, registers, uploads (mode tless), runs word count twice on the
/// inproc runtime (cold, then warm), prints the top words, per-stage timings and what was attested, and scans the
/// store for plaintext.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var workflow = new Option<string>("--workflow") { Description = "The word-count workflow file or name.", DefaultValueFactory = _ => "word-count" };
        var parameters = new Option<string[]>("--param") { Description = "A run parameter name=value (repeatable), e.g. N=8.", AllowMultipleArgumentsPerToken = true };
        var keep = new Option<string?>("--keep") { Description = "Keep everything (home, store, authority data) in this directory instead of a temporary one." };
        var mode = RuntimeCli.ModeOption("tless");
        var cmd = new Command("demo", "Run word count end to end (mode tless by default) with in-process attestation services and a simulated TEE.");
        cmd.Options.Add(workflow);
        cmd.Options.Add(parameters);
        cmd.Options.Add(keep);
        cmd.Options.Add(mode);
        cmd.SetAction((parseResult, ct) => RuntimeCli.GuardAsync(parseResult, async (console, _) =>
        {
            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in parseResult.GetValue(parameters) ?? [])
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !given.TryAdd(item[..eq], item[(eq + 1)..]))
                {
                    throw new RuntimeCli.UsageException($"--param '{item}' is not name=value, or given twice");
                }
            }

            var keepDir = parseResult.GetValue(keep);
            var root = keepDir is null ? Directory.CreateTempSubdirectory("tless-demo-").FullName : Path.GetFullPath(keepDir);
            Directory.CreateDirectory(root);
            try
            {
                return await RunAsync(console, parseResult.GetValue(workflow)!, given, root, SecurityModes.Parse(parseResult.GetValue(mode)!), ct).ConfigureAwait(false);
            }
            finally
            {
                if (keepDir is null)
                {
                    TryDelete(root);
                }
            }
        }));
        return cmd;
    }

    private static async Task<int> RunAsync(
        IAnsiConsole console, string workflowArgument, Dictionary<string, string> parameters, string root, SecurityMode mode, CancellationToken ct)
    {
        var spec = WorkflowLoader.Load(WorkflowFiles.Resolve(workflowArgument));
        var home = new OwnerHome(Path.Combine(root, "home"));
        if (!home.IsInitialized)
        {
            home.Initialize(spec.Authorities.User, force: false);
        }

        var store = new FileObjectStore(Path.Combine(root, "store"));
        console.MarkupLine($"[bold]TLess demo[/]: workflow [bold]{Markup.Escape(spec.Name)}[/], mode {mode.ToText()}, runtime inproc, TEE sim [red](INSECURE: simulated)[/]");
        console.MarkupLine($"owner home {Markup.Escape(home.Directory)}; object store {Markup.Escape(store.Url)}");

        using var platform = home.LoadSimPlatform();
        var running = new List<RunningAuthority>();
        try
        {
            RunReport? cold = null, warm = null;
            RunResults? results = null;
            AuthoritySet? authorities = null;
            await RuntimeCli.WithStatusAsync(console, "starting attestation services", async status =>
            {
                foreach (var service in spec.Authorities.Services)
                {
                    status($"starting attestation service {service.Id}");
                    running.Add(await AttestationServiceHost.StartAsync(
                        new AuthorityOptions
                        {
                            Id = service.Id,
                            DataDirectory = Path.Combine(root, "authorities", service.Id),
                            AllowSimulated = true,
                            SimTrustedKeys = [platform.PublicKey],
                            AtRestKey = [.. RandomNumberGenerator.GetBytes(32)],
                        },
                        ct).ConfigureAwait(false));
                }

                spec = spec.WithServiceUrls(running.ToDictionary(r => r.Id, r => r.Url));
                authorities = new AuthoritySet(running.Select(r => new AuthorityEndpoint { Id = r.Id, Url = r.Url, CertificateSha256 = r.CertificateSha256 }));

                status("packaging functions");
                var packages = PackageSource.Resolve(spec);
                status("registering the workflow with every authority");
                await OwnerOperations.RegisterAsync(
                    home, spec, parameters, packages, authorities,
                    [new ReferenceMeasurement { Tee = TeeKind.Sim, Measurement = HostMeasurement.ForCurrentHost() }], false, TimeProvider.System, ct).ConfigureAwait(false);
                status(mode == SecurityMode.Tless ? "encrypting code and inputs under each node's policy" : $"uploading code and inputs ({mode.ToText()})");
                await OwnerOperations.UploadAsync(home, spec, mode, store, packages, authorities, ct).ConfigureAwait(false);
                status("running (cold, then warm)");
                var reports = new List<RunReport>();
                var last = await OwnerOperations.RunAsync(
                    home, spec, mode, store, parameters, authorities,
                    new RunOptions
                    {
                        Repeat = 2,
                        OnRepeats = reports.AddRange,
                        OnInstance = o => status($"running: {o.Instance} done ({(o.Timing.Warm ? "warm" : "cold")})"),
                    },
                    ct).ConfigureAwait(false);
                cold = reports.Count > 0 ? reports[0] : last;
                warm = reports.Count > 1 ? reports[1] : null;
                if (last.Succeeded)
                {
                    status("decrypting the results with the owner's key");
                    results = await OwnerOperations.ReadResultsAsync(home, spec, store, last.Run, authorities, ct).ConfigureAwait(false);
                }

                return 0;
            }).ConfigureAwait(false);

            using (authorities)
            {
                if (cold is null || !cold.Succeeded || warm is null || !warm.Succeeded || results is null)
                {
                    RuntimeCli.PrintReport(console, warm ?? cold!);
                    return RuntimeCli.ExitFailed;
                }

                PrintResults(console, results);
                PrintTimings(console, cold, warm);
                if (mode != SecurityMode.None)
                {
                    PrintAttestation(console, cold, running);
                }

                await ScanAsync(console, store, FrequentInputWords(spec), mode, ct).ConfigureAwait(false);
                console.MarkupLine($"runs: {cold.Run} (cold), {warm.Run} (warm); everything was in {Markup.Escape(root)}");
                return 0;
            }
        }
        finally
        {
            foreach (var r in running)
            {
                await r.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void PrintResults(IAnsiConsole console, RunResults results)
    {
        var wordCount = results.Results.FirstOrDefault(r => r.Key.EndsWith(ReducerFunction.ResultName, StringComparison.Ordinal));
        if (wordCount.Key is not null)
        {
            PrintWords(console, wordCount.Key, wordCount.Data);
            return;
        }

        // Other workflows: name, size and the start of each (JSON) result, decrypted with the owner's key.
        console.MarkupLine($"[bold]results[/] (decrypted with the owner's key): {results.Results.Length.ToString(CultureInfo.InvariantCulture)}");
        foreach (var (key, data) in results.Results)
        {
            var text = Encoding.UTF8.GetString(data.AsSpan(0, Math.Min(data.Length, 240)));
            var preview = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
            console.MarkupLine($"  {Markup.Escape(key)} ({data.Length.ToString(CultureInfo.InvariantCulture)} bytes): {Markup.Escape(preview)}{(data.Length > 240 ? "..." : "")}");
        }
    }

    private static void PrintWords(IAnsiConsole console, string key, byte[] data)
    {
        var report = AppJson.Deserialize<WordCountReport>(data, key);
        console.MarkupLine($"[bold]result[/] ({Markup.Escape(key)}, decrypted with the owner's key): {report.TotalWords.ToString(CultureInfo.InvariantCulture)} words, {report.DistinctWords.ToString(CultureInfo.InvariantCulture)} distinct, {report.Chunks} chunks");
        var table = new Table().Border(TableBorder.Simple).AddColumn("#").AddColumn("word").AddColumn(new TableColumn("count").RightAligned());
        var rank = 1;
        foreach (var w in report.Top.Take(15))
        {
            table.AddRow((rank++).ToString(CultureInfo.InvariantCulture), Markup.Escape(w.Word), w.Count.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    /// <summary>The ten most frequent words of 6+ letters in the input files (shorter ones occur by chance in megabytes of ciphertext).</summary>
    private static List<string> FrequentInputWords(WorkflowSpec spec)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in spec.Nodes)
        {
            // Only text inputs (CSV, plain text) give words to look for; compressed images give none.
            foreach (var input in node.Inputs.Where(i => i.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || i.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
            {
                var text = File.ReadAllText(spec.ResolveInput(input));
                foreach (var word in text.Split((char[])[.. text.Where(c => !char.IsLetter(c)).Distinct()], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (word.Length >= 6)
                    {
                        var lower = word.ToLowerInvariant();
                        counts[lower] = counts.GetValueOrDefault(lower) + 1;
                    }
                }
            }
        }

        return [.. counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10).Select(kv => kv.Key)];
    }

    private static void PrintTimings(IAnsiConsole console, RunReport cold, RunReport warm)
    {
        console.MarkupLine("[bold]per-stage timings[/], ms, mean per instance (attest: keys + evidence + every authority in parallel; code: fetch + decrypt + digest check + load; inputs: fetch + digest check + decrypt; outputs: encrypt + write + sign tokens)");
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in new[] { "node", "n", "start", "attest", "code", "inputs", "run", "outputs", "total" })
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }

        static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        foreach (var (label, report) in new[] { ("cold", cold), ("warm", warm) })
        {
            foreach (var node in report.Instances.GroupBy(i => i.Node))
            {
                table.AddRow(
                    node.Key, node.Count().ToString(CultureInfo.InvariantCulture), label,
                    F(node.Average(i => i.AttestMs)), F(node.Average(i => i.CodeMs)), F(node.Average(i => i.InputsMs)),
                    F(node.Average(i => i.RunMs)), F(node.Average(i => i.OutputsMs)), F(node.Average(i => i.TotalMs)));
            }
        }

        console.Write(table);
        console.MarkupLine($"end to end: cold {F(cold.ElapsedMs)} ms, warm {F(warm.ElapsedMs)} ms");
    }

    private static void PrintAttestation(IAnsiConsole console, RunReport report, List<RunningAuthority> running)
    {
        var first = report.Attestations.First();
        console.MarkupLine($"[bold]attested[/]: tee {first.Tee} [red]INSECURE (simulated)[/], measurement {first.Measurement}");
        console.MarkupLine(report.Mode == "tless"
            ? $"  nodes {string.Join(", ", report.Attestations.Select(a => a.Node).Distinct())}; every instance attested to all of: {string.Join(", ", first.Authorities)}"
            : $"  the worker attested once; the workflow key was released by {string.Join(", ", first.Authorities)}");
        foreach (var r in running)
        {
            console.MarkupLine($"  authority {r.Id} at {r.Url} (TLS pinned, SHA-256 {r.CertificateSha256?[..16]}...)");
        }
    }

    private static async Task ScanAsync(IAnsiConsole console, IObjectStore store, List<string> words, SecurityMode mode, CancellationToken ct)
    {
        var keys = (await store.ListAsync("", ct).ConfigureAwait(false)).Where(k => !k.EndsWith(".json", StringComparison.Ordinal)).ToList();
        var found = new List<string>();
        foreach (var key in keys)
        {
            var text = Encoding.Latin1.GetString(await store.GetAsync(key, ct).ConfigureAwait(false));
            found.AddRange(words.Where(w => text.Contains(w, StringComparison.OrdinalIgnoreCase)).Select(w => $"{key}: {w}"));
        }

        if (words.Count == 0)
        {
            console.MarkupLine($"[yellow]plaintext scan skipped[/]: the workflow has no text inputs to look for ({keys.Count} objects in the store)");
            return;
        }

        console.MarkupLine(found.Count == 0
            ? $"[green]no plaintext[/]: none of the {keys.Count} objects in the store contains any of the inputs' frequent words ({string.Join(", ", words)})"
            : $"[red]plaintext in the store[/]{(mode == SecurityMode.None ? " (expected in mode none)" : "")}: {found.Count} hits, e.g. {Markup.Escape(string.Join("; ", found.Take(3)))}");
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
