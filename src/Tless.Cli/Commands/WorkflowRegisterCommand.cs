using System.CommandLine;
using Spectre.Console;
using Tless.Attestation;
using Tless.Runtime.Hosting;
using Tless.Runtime.Owner;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless workflow register WORKFLOW</c>: builds the registration (DAG, scales, package digests, reference
/// measurements, authorities' token keys, the owner's CP-ABE key, a workflow key for mode tee), signs it with the
/// owner's key and deposits it with every attestation service.
/// </summary>
internal static class WorkflowRegisterCommand
{
    public static Command Create()
    {
        var workflow = RuntimeCli.WorkflowArgument();
        var measurements = new Option<string[]>("--measurement")
        {
            Description = "A reference measurement tee:hex (repeatable); default: the simulated TEE measurement of this host build.",
            AllowMultipleArgumentsPerToken = true,
        };
        var allowDebug = new Option<bool>("--allow-debug") { Description = "Let debug TEEs get keys (development only)." };
        var common = new RuntimeCli.CommonOptions();
        var cmd = new Command("register", "Sign the workflow's registration and deposit it with every attestation service.");
        cmd.Arguments.Add(workflow);
        cmd.Options.Add(measurements);
        cmd.Options.Add(allowDebug);
        common.AddTo(cmd, store: false, parameters: true, packages: true);
        cmd.SetAction((parseResult, ct) => RuntimeCli.GuardAsync(parseResult, async (console, _) =>
        {
            var ctx = common.Read(parseResult, parseResult.GetValue(workflow)!);
            var references = ParseMeasurements(parseResult.GetValue(measurements) ?? []);
            using var authorities = new AuthoritySet(ctx.Endpoints);
            var signed = await RuntimeCli.WithStatusAsync(console, "building packages and registering", async _ =>
                await OwnerOperations.RegisterAsync(
                    ctx.Home, ctx.Spec, ctx.Parameters, ctx.Packages(), authorities, references, parseResult.GetValue(allowDebug), TimeProvider.System, ct)).ConfigureAwait(false);
            var r = signed.Registration;
            console.MarkupLine($"registered [bold]{Markup.Escape(r.Workflow)}[/] version {r.Version} with {string.Join(", ", r.Authorities.Select(a => a.Id))} (mode {r.Mode.ToText()})");
            foreach (var node in r.Nodes)
            {
                console.WriteLine($"  {node.Name}: scale {node.Scale}, code {node.CodeDigest[..16]}..., parents [{string.Join(", ", node.Parents)}]");
            }

            foreach (var m in references)
            {
                console.WriteLine($"  reference measurement: {Registration.TeeText(m.Tee)} {m.Measurement}");
            }

            console.WriteLine($"owner key SHA-256: {signed.KeyThumbprint}");
            return 0;
        }));
        return cmd;
    }

    private static List<ReferenceMeasurement> ParseMeasurements(string[] items)
    {
        if (items.Length == 0)
        {
            return [new ReferenceMeasurement { Tee = TeeKind.Sim, Measurement = HostMeasurement.ForCurrentHost() }];
        }

        var result = new List<ReferenceMeasurement>();
        foreach (var item in items)
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !Registration.TryParseTee(item[..colon], out var tee))
            {
                throw new RuntimeCli.UsageException($"--measurement '{item}' is not tee:hex with tee one of sim, snp, sgx, tdx");
            }

            var hex = item[(colon + 1)..].ToLowerInvariant();
            if (hex.Length is not (64 or 96) || !hex.All(char.IsAsciiHexDigit))
            {
                throw new RuntimeCli.UsageException($"--measurement '{item}': the measurement must be 64 or 96 hex characters");
            }

            result.Add(new ReferenceMeasurement { Tee = tee, Measurement = hex });
        }

        return result;
    }
}
