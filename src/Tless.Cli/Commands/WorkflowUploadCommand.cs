using System.CommandLine;
using Spectre.Console;
using Tless.Runtime.Hosting;
using Tless.Runtime.Owner;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless workflow upload WORKFLOW [--mode tless|tee|none] [--store URL]</c>: seals every node's code package and the
/// entry nodes' input files for the nodes that read them and writes them to the object store.
/// </summary>
internal static class WorkflowUploadCommand
{
    public static Command Create()
    {
        var workflow = RuntimeCli.WorkflowArgument();
        var mode = RuntimeCli.ModeOption("tless");
        var common = new RuntimeCli.CommonOptions();
        var cmd = new Command("upload", "Encrypt the workflow's code packages and inputs and write them to the object store.");
        cmd.Arguments.Add(workflow);
        cmd.Options.Add(mode);
        common.AddTo(cmd, store: true, parameters: false, packages: true);
        cmd.SetAction((parseResult, ct) => RuntimeCli.GuardAsync(parseResult, async (console, _) =>
        {
            var ctx = common.Read(parseResult, parseResult.GetValue(workflow)!);
            var securityMode = SecurityModes.Parse(parseResult.GetValue(mode)!);
            using var authorities = securityMode == SecurityMode.Tless ? new AuthoritySet(ctx.Endpoints) : null;
            var manifest = await RuntimeCli.WithStatusAsync(console, $"sealing and uploading ({securityMode.ToText()})", async _ =>
                await OwnerOperations.UploadAsync(ctx.Home, ctx.Spec, securityMode, ctx.Store, ctx.Packages(), authorities, ct)).ConfigureAwait(false);
            console.MarkupLine($"uploaded [bold]{Markup.Escape(manifest.Workflow)}[/] for mode {manifest.Mode} to {Markup.Escape(manifest.Store)}:");
            foreach (var (node, code) in manifest.Code)
            {
                console.WriteLine($"  {code.Key} (package {code.Package} {code.Digest[..16]}...)");
            }

            foreach (var (node, inputs) in manifest.Inputs)
            {
                foreach (var input in inputs)
                {
                    console.WriteLine($"  {input.Key} (sha256 {input.Sha256[..16]}...)");
                }
            }

            return 0;
        }));
        return cmd;
    }
}
