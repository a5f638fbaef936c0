using System.CommandLine;

namespace Tless.Cli.Commands;

/// <summary>The root of the <c>tless</c> command line; each area adds its command group here.</summary>
internal static class TlessCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("TLess: confidential serverless workflows on clouds you do not trust.");
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
