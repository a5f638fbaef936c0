namespace Tless.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_WordCount_RunsEndToEndInTlessMode()
    {
        var workflow = RunCommandTests.RepositoryFile("workflows/word-count.yaml");
        Assert.True(File.Exists(workflow), workflow);

        var (exit, output, error) = await RunCommandTests.RunAsync("demo", "--workflow", workflow, "--param", "N=2");

        Assert.True(exit == 0, error + output);
        Assert.Contains("mode tless", output, StringComparison.Ordinal);
        Assert.Contains("decrypted with the owner's key", output, StringComparison.Ordinal);
        Assert.Contains(" the ", output, StringComparison.Ordinal);
        Assert.Contains("cold", output, StringComparison.Ordinal);
        Assert.Contains("warm", output, StringComparison.Ordinal);
        Assert.Contains("attested: tee sim INSECURE", output, StringComparison.Ordinal);
        Assert.Contains("as1, as2", output, StringComparison.Ordinal);
        Assert.Contains("no plaintext", output, StringComparison.Ordinal);
    }
}
