using System.CommandLine;

namespace Tless.Cli.Commands;

/// <summary><c>tless bench ...</c>: the project's own experiments.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Run performance experiments and print medians.");
        bench.Subcommands.Add(BenchAbeCommand.Create());
        bench.Subcommands.Add(BenchCryptoCommand.Create());
        bench.Subcommands.Add(BenchDcapCommand.Create());
        bench.Subcommands.Add(BenchMintCommand.Create());
        return bench;
    }
}
