using System.CommandLine;

namespace Tless.Cli.Commands;

/// <summary><c>tless bench ...</c>: the project's own experiments.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Run performance experiments and print medians.");
        return bench;
    }
}
