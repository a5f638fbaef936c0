using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Tless.Attestation;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Owner;
using Tless.Runtime.Storage;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless run WORKFLOW [--runtime inproc] [--mode none|tee|tless] [--param k=v]... [--store URL]</c>: runs a workflow
/// on the inproc runtime in this process and prints per-instance timings and the results' keys.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var workflow = RuntimeCli.WorkflowArgument();
        var runtime = new Option<string>("--runtime") { Description = "The runtime: inproc (one worker process hosting every instance).", DefaultValueFactory = _ => "inproc" };
        var mode = RuntimeCli.ModeOption("tless");
        var run = new Option<string?>("--run") { Description = "The run id (default: time stamp + random)." };
        var repeat = new Option<int>("--repeat") { Description = "Run N times on the same worker (runs after the first are warm).", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--parallel") { Description = "The most instances running at once.", DefaultValueFactory = _ => Math.Max(2, Environment.ProcessorCount * 2) };
        var json = new Option<bool>("--json") { Description = "Print the run report as JSON." };
        var tee = new Option<string>("--tee")
        {
            Description = "The TEE the worker runs in (modes tee, tless): sim (INSECURE, the home's simulated platform), snp, tdx or sgx (this machine's TEE interface).",
            DefaultValueFactory = _ => "sim",
        };
        var common = new RuntimeCli.CommonOptions();

        var cmd = new Command("run", "Run a workflow on the inproc runtime (file path or finra|ml-training|ml-inference|word-count).");
        cmd.Arguments.Add(workflow);
        cmd.Options.Add(runtime);
        cmd.Options.Add(mode);
        cmd.Options.Add(run);
        cmd.Options.Add(repeat);
        cmd.Options.Add(parallel);
        cmd.Options.Add(json);
        cmd.Options.Add(tee);
        common.AddTo(cmd, store: true, parameters: true, packages: true);
        cmd.SetAction((parseResult, ct) => RuntimeCli.GuardAsync(parseResult, async (console, error) =>
        {
            if (parseResult.GetValue(runtime) is not "inproc")
            {
                error.WriteLine($"error: --runtime '{parseResult.GetValue(runtime)}' is not available; this build has: inproc");
                return RuntimeCli.ExitUsage;
            }

            if (parseResult.GetValue(repeat) < 1 || parseResult.GetValue(parallel) < 1)
            {
                error.WriteLine("error: --repeat and --parallel must be at least 1");
                return RuntimeCli.ExitUsage;
            }

            if (!Registration.TryParseTee(parseResult.GetValue(tee), out var teeKind))
            {
                error.WriteLine($"error: --tee '{parseResult.GetValue(tee)}' is not one of sim, snp, tdx, sgx");
                return RuntimeCli.ExitUsage;
            }

            var ctx = common.Read(parseResult, parseResult.GetValue(workflow)!);
            var securityMode = SecurityModes.Parse(parseResult.GetValue(mode)!);
            var teeProvider = teeKind == TeeKind.Sim || securityMode == SecurityMode.None ? null : TeeProviders.Create(teeKind);
            using var authorities = securityMode == SecurityMode.None ? null : new AuthoritySet(ctx.Endpoints);
            var reports = new List<RunReport>();
            var report = await RuntimeCli.WithStatusAsync(console, $"running {ctx.Spec.Name} ({securityMode.ToText()})", async status =>
                await OwnerOperations.RunAsync(
                    ctx.Home,
                    ctx.Spec,
                    securityMode,
                    ctx.Store,
                    ctx.Parameters,
                    authorities,
                    new RunOptions
                    {
                        Run = parseResult.GetValue(run),
                        Repeat = parseResult.GetValue(repeat),
                        MaxParallelism = parseResult.GetValue(parallel),
                        Packages = securityMode == SecurityMode.None ? ctx.Packages() : null,
                        Tee = teeProvider,
                        OnInstance = o => status($"running {ctx.Spec.Name}: {o.Instance} done"),
                        OnRepeats = reports.AddRange,
                    },
                    ct)).ConfigureAwait(false);
            if (reports.Count == 0)
            {
                reports.Add(report);
            }

            if (parseResult.GetValue(json))
            {
                parseResult.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(reports.Count == 1 ? report : (object)reports, RuntimeCli.Json));
            }
            else
            {
                foreach (var r in reports)
                {
                    RuntimeCli.PrintReport(console, r);
                }

                if (report.Succeeded)
                {
                    console.MarkupLine($"results: [bold]tless results {Markup.Escape(ctx.WorkflowArgument)} {report.Run}{Markup.Escape(ctx.ExtraArguments)}[/]");
                }
            }

            return report.Succeeded ? 0 : RuntimeCli.ExitFailed;
        }));
        return cmd;
    }
}

/// <summary>Options and printing shared by the runtime's commands.</summary>
internal static class RuntimeCli
{
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Argument<string> WorkflowArgument() =>
        new("WORKFLOW") { Description = "A workflow file, or one of finra, ml-training, ml-inference, word-count (workflows/NAME.yaml)." };

    public static Option<string> ModeOption(string defaultMode) => new("--mode")
    {
        Description = "Security mode: none (plaintext), tee (one workflow key after attestation), tless (per-node CP-ABE + chaining).",
        DefaultValueFactory = _ => defaultMode,
    };

    /// <summary>Runs a command body, printing library errors as one clear line (exit 1) and usage errors (exit 2).</summary>
    public static async Task<int> GuardAsync(ParseResult parseResult, Func<IAnsiConsole, TextWriter, Task<int>> body)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = ReferenceEquals(output, Console.Out) ? InteractionSupport.Detect : InteractionSupport.No,
            Ansi = ReferenceEquals(output, Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
        });
        try
        {
            return await body(console, error).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }
        catch (Exception e) when (e is TlessException or ArgumentException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitFailed;
        }
    }

    /// <summary>Runs <paramref name="work"/> under a spinner on an interactive terminal; silently otherwise (pipes, --json, tests).</summary>
    public static async Task<T> WithStatusAsync<T>(IAnsiConsole console, string text, Func<Action<string>, Task<T>> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }

        return await console.Status().StartAsync(text, ctx => work(s => ctx.Status(Markup.Escape(s)))).ConfigureAwait(false);
    }

    public static void PrintReport(IAnsiConsole console, RunReport report)
    {
        var status = report.Succeeded ? "[green]succeeded[/]" : "[red]FAILED[/]";
        console.MarkupLine($"run [bold]{report.Run}[/] of [bold]{Markup.Escape(report.Workflow)}[/] (mode {report.Mode}): {status} in {report.ElapsedMs.ToString("F0", CultureInfo.InvariantCulture)} ms");
        if (!report.Succeeded)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(report.Error ?? "unknown")}");
        }

        if (report.Instances.Length > 0)
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (var h in new[] { "instance", "start", "attest ms", "code ms", "inputs ms", "run ms", "outputs ms", "total ms" })
            {
                table.AddColumn(new TableColumn(h).RightAligned());
            }

            static string Ms(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
            foreach (var i in report.Instances)
            {
                table.AddRow($"{i.Node}#{i.Index}", i.Warm ? "warm" : "cold", Ms(i.AttestMs), Ms(i.CodeMs), Ms(i.InputsMs), Ms(i.RunMs), Ms(i.OutputsMs), Ms(i.TotalMs));
            }

            console.Write(table);
        }

        foreach (var a in report.Attestations.GroupBy(a => (a.Tee, a.Measurement, string.Join(",", a.Authorities), a.Insecure)))
        {
            var insecure = a.Key.Insecure ? " [red]INSECURE (simulated TEE)[/]" : "";
            console.MarkupLine($"attested: tee [bold]{a.Key.Tee}[/]{insecure}, measurement {a.Key.Measurement[..Math.Min(24, a.Key.Measurement.Length)]}..., authorities {a.Key.Item3} — nodes {string.Join(", ", a.Select(x => x.Node).Distinct())}");
        }

        foreach (var key in report.Results)
        {
            console.MarkupLine($"result: {Markup.Escape(key)}");
        }
    }

    /// <summary>Prints opened results: text when it is UTF-8 (shortened), else the size.</summary>
    public static void PrintResults(IAnsiConsole console, RunResults results, string? outDirectory, bool logs, int maxChars = 4000)
    {
        foreach (var (key, data) in results.Results.Concat(logs ? results.Logs : []))
        {
            var name = key[(key.LastIndexOf('/') + 1)..];
            console.MarkupLine($"[bold]{Markup.Escape(key)}[/] ({data.Length} bytes)");
            if (outDirectory is not null)
            {
                Directory.CreateDirectory(outDirectory);
                var path = Path.Combine(outDirectory, name);
                File.WriteAllBytes(path, data);
                console.MarkupLine($"  written to {Markup.Escape(path)}");
                continue;
            }

            if (TryText(data, out var text))
            {
                console.WriteLine(text.Length <= maxChars ? text : text[..maxChars] + $"\n... ({text.Length - maxChars} more characters; use --out DIR)");
            }
            else
            {
                console.MarkupLine("  binary; use --out DIR to save it");
            }
        }
    }

    private static bool TryText(byte[] data, out string text)
    {
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
            return !text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>A usage error (bad option value): exit 2.</summary>
    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>The options every runtime command shares: --home, --store, --param, --as-url, --as-pin, --package.</summary>
    internal sealed class CommonOptions
    {
        public Option<string?> Home { get; } = new("--home") { Description = "The owner's directory (keys, registrations); default TLESS_HOME or ~/.tless." };

        public Option<string?> Store { get; } = new("--store") { Description = "The object store URL (file:///dir or a directory); default HOME/store." };

        public Option<string[]> Parameters { get; } = new("--param") { Description = "A run parameter name=value (repeatable).", AllowMultipleArgumentsPerToken = true };

        public Option<string[]> AsUrls { get; } = new("--as-url") { Description = "Override an attestation service's URL: id=url (repeatable).", AllowMultipleArgumentsPerToken = true };

        public Option<string[]> AsPins { get; } = new("--as-pin") { Description = "Pin an attestation service's TLS certificate: id=sha256hex (repeatable).", AllowMultipleArgumentsPerToken = true };

        public Option<string[]> PackageFiles { get; } = new("--package") { Description = "Use a prebuilt package file: name=file (repeatable); default: build from the assembly named after the package.", AllowMultipleArgumentsPerToken = true };

        private bool hasParameters;
        private bool hasPackages;

        public void AddTo(Command command, bool store, bool parameters, bool packages)
        {
            command.Options.Add(Home);
            if (store)
            {
                command.Options.Add(Store);
            }

            if (parameters)
            {
                command.Options.Add(Parameters);
                hasParameters = true;
            }

            command.Options.Add(AsUrls);
            command.Options.Add(AsPins);
            if (packages)
            {
                command.Options.Add(PackageFiles);
                hasPackages = true;
            }
        }

        public Context Read(ParseResult parseResult, string workflowArgument)
        {
            var home = OwnerHome.Resolve(parseResult.GetValue(Home));
            var spec = WorkflowLoader.Load(WorkflowFiles.Resolve(workflowArgument));
            var urls = Pairs(parseResult.GetValue(AsUrls), "--as-url");
            try
            {
                spec = spec.WithServiceUrls(urls.ToDictionary(kv => kv.Key, kv => Uri.TryCreate(kv.Value, UriKind.Absolute, out var u) ? u : throw new UsageException($"--as-url {kv.Key}: '{kv.Value}' is not an absolute URL")));
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--as-url: {e.Message}");
            }

            var storeUrl = parseResult.GetValue(Store) ?? Path.Combine(home.Directory, "store");
            var parameters = hasParameters ? Pairs(parseResult.GetValue(Parameters), "--param") : [];
            var packageFiles = hasPackages ? Pairs(parseResult.GetValue(PackageFiles), "--package") : [];
            var extra = new StringBuilder();
            if (parseResult.GetValue(Home) is { } h)
            {
                extra.Append(CultureInfo.InvariantCulture, $" --home {h}");
            }

            if (parseResult.GetValue(Store) is { } s)
            {
                extra.Append(CultureInfo.InvariantCulture, $" --store {s}");
            }

            foreach (var u in parseResult.GetValue(AsUrls) ?? [])
            {
                extra.Append(CultureInfo.InvariantCulture, $" --as-url {u}");
            }

            foreach (var p in parseResult.GetValue(AsPins) ?? [])
            {
                extra.Append(CultureInfo.InvariantCulture, $" --as-pin {p}");
            }

            return new Context
            {
                Home = home,
                Spec = spec,
                WorkflowArgument = workflowArgument,
                Store = ObjectStoreFactory.Open(storeUrl),
                Parameters = parameters,
                Endpoints = OwnerOperations.Endpoints(spec, Pairs(parseResult.GetValue(AsPins), "--as-pin")),
                PackageFiles = packageFiles,
                ExtraArguments = extra.ToString(),
            };
        }

        private static Dictionary<string, string> Pairs(string[]? items, string option)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in items ?? [])
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new UsageException($"{option} '{item}' is not name=value");
                }

                if (!result.TryAdd(item[..eq], item[(eq + 1)..]))
                {
                    throw new UsageException($"{option} '{item[..eq]}' is given twice");
                }
            }

            return result;
        }
    }

    internal sealed record Context
    {
        public required OwnerHome Home { get; init; }

        public required WorkflowSpec Spec { get; init; }

        public required string WorkflowArgument { get; init; }

        public required IObjectStore Store { get; init; }

        public required Dictionary<string, string> Parameters { get; init; }

        public required System.Collections.Immutable.ImmutableArray<AuthorityEndpoint> Endpoints { get; init; }

        public required Dictionary<string, string> PackageFiles { get; init; }

        /// <summary>The --home/--store/--as-* arguments given, to repeat in hints.</summary>
        public required string ExtraArguments { get; init; }

        public Dictionary<string, Runtime.Packaging.FunctionPackage> Packages() => PackageSource.Resolve(Spec, PackageFiles);
    }
}
