using System.CommandLine;

namespace Tless.Cli.Commands;

/// <summary>The root of the <c>tless</c> command line; each area adds its command group here.</summary>
internal static class TlessCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("TLess: confidential serverless workflows on clouds you do not trust.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(AttestCommand.Create());
        root.Subcommands.Add(WorkflowCommand.Create());
        root.Subcommands.Add(DatasetsCommand.Create());
        root.Subcommands.Add(AsCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(PackageCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ResultsCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }
}
