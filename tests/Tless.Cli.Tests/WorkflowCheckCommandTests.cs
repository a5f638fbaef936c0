using System.CommandLine;
using Tless.Cli.Commands;

namespace Tless.Cli.Tests;

public sealed class WorkflowCheckCommandTests : IDisposable
{
    private const string WordCount = """
        workflow: word-count
        parameters:
          N: 4
        authorities:
          services:
            - id: as1
              url: https://127.0.0.1:8701
            - id: as2
              url: https://127.0.0.1:8702
        nodes:
          - name: splitter
            function: Tless.Apps.WordCount.SplitterFunction
            package: tless-apps
            inputs: [missing.txt]
          - name: mapper
            function: Tless.Apps.WordCount.MapperFunction
            package: tless-apps
            scale: N
          - name: reducer
            function: Tless.Apps.WordCount.ReducerFunction
            package: tless-apps
        edges:
          - {from: splitter, to: mapper}
          - {from: mapper, to: reducer}
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("tless-workflow-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = TlessCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Check_ValidFile_PrintsDagAndExitsZero()
    {
        var (exit, output, error) = Run("workflow", "check", Write("wc.yaml", WordCount));

        Assert.Equal(0, exit);
        Assert.Contains("workflow word-count version 1 (full form)", output, StringComparison.Ordinal);
        Assert.Contains("scale N=4", output, StringComparison.Ordinal);
        Assert.Contains("  user -> splitter", output, StringComparison.Ordinal);
        Assert.Contains("  mapper -> reducer", output, StringComparison.Ordinal);
        Assert.Contains("order: splitter -> mapper -> reducer", output, StringComparison.Ordinal);
        Assert.DoesNotContain("policies:", output, StringComparison.Ordinal);
        Assert.Contains("warning: input 'missing.txt' of node 'splitter' does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithPolicies_PrintsEveryNodePolicyAndTheOutputPolicy()
    {
        var (exit, output, _) = Run("workflow", "check", Write("wc.yaml", WordCount), "--policies");

        Assert.Equal(0, exit);
        Assert.Contains("mapper    as1.wf:word-count & as1.node:mapper & as1.anc:splitter & as2.wf:word-count & as2.node:mapper & as2.anc:splitter", output, StringComparison.Ordinal);
        Assert.Contains("splitter  as1.wf:word-count & as1.node:splitter & as1.anc:user", output, StringComparison.Ordinal);
        Assert.Contains("user.owner:word-count", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Param_OverridesTheDefault()
    {
        var (exit, output, error) = Run("workflow", "check", Write("wc.yaml", WordCount), "--param", "N=16", "--param", "top_k=3");

        Assert.Equal(0, exit);
        Assert.Contains("scale N=16", output, StringComparison.Ordinal);
        Assert.Contains("note: parameter 'top_k' is not declared", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("N=0")]
    [InlineData("N=lots")]
    public void Check_BadScaleParam_ExitsOne(string param)
    {
        var (exit, _, error) = Run("workflow", "check", Write("wc.yaml", WordCount), "--param", param);

        Assert.Equal(WorkflowCheckCommand.ExitInvalid, exit);
        Assert.Contains("error: parameter 'N' (scale of node 'mapper')", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("N")]
    [InlineData("=3")]
    [InlineData("9x=3")]
    public void Check_MalformedParam_ExitsTwo(string param)
    {
        var (exit, _, error) = Run("workflow", "check", Write("wc.yaml", WordCount), "--param", param);

        Assert.Equal(WorkflowCheckCommand.ExitUsage, exit);
        Assert.StartsWith("error: --param", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SimpleForm_LoadsAsIs()
    {
        var path = Write("word-count.yaml", "funcs: [{name: splitter, scale: 1, chains_to: mapper}, {name: mapper, scale: N, chains_to: reducer}, {name: reducer, scale: 1}]\n");

        var (exit, output, _) = Run("workflow", "check", path, "--param", "N=2", "--policies");

        Assert.Equal(0, exit);
        Assert.Contains("workflow word-count version 1 (simple form)", output, StringComparison.Ordinal);
        Assert.Contains("scale N=2", output, StringComparison.Ordinal);
        Assert.Contains("as1.wf:word-count & as1.node:reducer & as1.anc:mapper", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_InvalidFile_PrintsEveryErrorWithPositionAndExitsOne()
    {
        var path = Write("bad.yaml", """
            workflow: bad
            authorities:
              services:
                - {id: as1, url: https://127.0.0.1:8701}
            nodes:
              - {name: a, function: F.A, package: p, scale: 0}
              - {name: a, function: F.B, package: p}
            edges:
              - {from: a, to: ghost}
            """);

        var (exit, output, error) = Run("workflow", "check", path);

        Assert.Equal(WorkflowCheckCommand.ExitInvalid, exit);
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                $"{path}:6:49: bad_scale: scale '0' is neither an integer in 1..100000 nor a parameter name",
                $"{path}:7:12: duplicate_node: node 'a' is already declared at line 6",
                $"{path}:9:19: unknown_node: edge names node 'ghost', which is not declared",
                "3 error(s)",
            ],
            lines);
    }

    [Fact]
    public void Check_MissingFile_ReportsIoErrorAndExitsOne()
    {
        var (exit, _, error) = Run("workflow", "check", Path.Combine(_dir.FullName, "nope.yaml"));

        Assert.Equal(WorkflowCheckCommand.ExitInvalid, exit);
        Assert.Contains("nope.yaml:1:1: io_error: the workflow file does not exist", error, StringComparison.Ordinal);
    }
}
