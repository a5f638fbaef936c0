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

    [Theory]
    [InlineData("word-count", "none", "word-count.json")]
    [InlineData("word-count", "tee", "word-count.json")]
    [InlineData("finra", "none", "finra-report.json")]
    [InlineData("finra", "tee", "finra-report.json")]
    [InlineData("finra", "tless", "finra-report.json")]
    [InlineData("ml-training", "none", "validation.json")]
    [InlineData("ml-training", "tee", "validation.json")]
    [InlineData("ml-training", "tless", "validation.json")]
    [InlineData("ml-inference", "none", "predictions-0.json")]
    [InlineData("ml-inference", "tee", "predictions-0.json")]
    [InlineData("ml-inference", "tless", "predictions-0.json")]
    public async Task Demo_EveryWorkflowInEveryMode_RunsAndDecryptsResults(string workflow, string mode, string resultName)
    {
        var file = RunCommandTests.RepositoryFile($"workflows/{workflow}.yaml");
        Assert.True(File.Exists(file), file);

        var (exit, output, error) = await RunCommandTests.RunAsync("demo", "--workflow", file, "--mode", mode);

        Assert.True(exit == 0, error + output);
        Assert.Contains($"mode {mode}", output, StringComparison.Ordinal);
        Assert.Contains("decrypted with the owner's key", output, StringComparison.Ordinal);
        Assert.Contains(resultName, output, StringComparison.Ordinal);
        Assert.Contains("warm", output, StringComparison.Ordinal);
        if (mode != "none")
        {
            Assert.Contains("attested: tee sim INSECURE", output, StringComparison.Ordinal);
            Assert.DoesNotContain("plaintext in the store", output, StringComparison.Ordinal);
            Assert.True(
                output.Contains("no plaintext", StringComparison.Ordinal) || output.Contains("plaintext scan skipped", StringComparison.Ordinal),
                output);
        }
    }
}
