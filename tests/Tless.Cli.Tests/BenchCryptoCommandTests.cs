using System.CommandLine;
using System.Text.Json;
using Tless.Cli.Commands;

namespace Tless.Cli.Tests;

public sealed class BenchCryptoCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = TlessCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Crypto_JsonSubset_PrintsOneObjectWithPositiveMedians()
    {
        var (exit, output, _) = Run("bench", "crypto", "--json", "--iterations", "1", "--only", "g1_mul", "hash_to_g1");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(2, doc.RootElement.EnumerateObject().Count());
        Assert.True(doc.RootElement.GetProperty("g1_mul").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("hash_to_g1").GetDouble() > 0);
    }

    [Fact]
    public void Crypto_Table_HasHeaderAndRow()
    {
        var (exit, output, _) = Run("bench", "crypto", "--iterations", "1", "--only", "g1_decompress_subgroup");
        Assert.Equal(0, exit);
        Assert.Contains("median_us", output, StringComparison.Ordinal);
        Assert.Contains("g1_decompress_subgroup", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Crypto_UnknownOperation_ExitsTwoWithMessage()
    {
        var (exit, _, error) = Run("bench", "crypto", "--only", "nope");
        Assert.Equal(2, exit);
        Assert.Contains("unknown operation", error, StringComparison.Ordinal);
    }
}
