using System.CommandLine;
using Tless.Runtime.Hosting;
using Tless.Runtime.Owner;

namespace Tless.Cli.Commands;

/// <summary><c>tless results WORKFLOW RUN</c>: opens a run's final results (and logs) with the owner's key.</summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var workflow = RuntimeCli.WorkflowArgument();
        var run = new Argument<string>("RUN") { Description = "The run id (printed by tless run)." };
        var outDir = new Option<string?>("--out") { Description = "Write each result to this directory instead of printing it." };
        var logs = new Option<bool>("--logs") { Description = "Also show the functions' log lines." };
        var common = new RuntimeCli.CommonOptions();
        var cmd = new Command("results", "Decrypt and show the final results of a run with the owner's key.");
        cmd.Arguments.Add(workflow);
        cmd.Arguments.Add(run);
        cmd.Options.Add(outDir);
        cmd.Options.Add(logs);
        common.AddTo(cmd, store: true, parameters: false, packages: false);
        cmd.SetAction((parseResult, ct) => RuntimeCli.GuardAsync(parseResult, async (console, error) =>
        {
            var ctx = common.Read(parseResult, parseResult.GetValue(workflow)!);
            var runId = parseResult.GetValue(run)!;
            if (!Runtime.Inproc.RunIds.IsValid(runId))
            {
                throw new RuntimeCli.UsageException($"'{runId}' is not a run id");
            }

            using var authorities = new AuthoritySet(ctx.Endpoints);
            var results = await OwnerOperations.ReadResultsAsync(ctx.Home, ctx.Spec, ctx.Store, runId, authorities, ct).ConfigureAwait(false);
            if (!results.Report.Succeeded)
            {
                await error.WriteLineAsync($"error: run {runId} {results.Report.Status}: {results.Report.Error}").ConfigureAwait(false);
                return RuntimeCli.ExitFailed;
            }

            RuntimeCli.PrintResults(console, results, parseResult.GetValue(outDir), parseResult.GetValue(logs));
            return 0;
        }));
        return cmd;
    }
}
