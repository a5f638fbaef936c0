using System.Text;
using Tless.Apps.Tests.Infrastructure;
using Tless.Apps.WordCount;

namespace Tless.Apps.Tests.WordCount;

public sealed class WordCountWorkflowTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public async Task Run_CommittedSample_EqualsSingleProcessCount(int mappers)
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("word-count"));
        var outcome = await DagDriver.RunAsync(workflow, new Dictionary<string, string> { ["N"] = $"{mappers}", ["top_k"] = "25" }, cancellationToken: TestContext.Current.CancellationToken);

        var report = AppJson.Deserialize<WordCountReport>(outcome.Results[ReducerFunction.ResultName], "result");
        var text = string.Concat(workflow.Nodes[0].Inputs.Select(f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(workflow.Path)!, f), Encoding.UTF8) + "\n"));
        var reference = WordCountReference.Count(text);
        var expectedTop = reference.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(25)
            .Select(p => new WordFrequency(p.Key, p.Value));
        Assert.Equal(reference.Values.Sum(), report.TotalWords);
        Assert.Equal(reference.Count, report.DistinctWords);
        Assert.Equal(mappers, report.Chunks);
        Assert.Equal(expectedTop, report.Top);
        Assert.Equal("the", report.Top[0].Word);
        Assert.Equal(1 + mappers + 1, outcome.Invocations);
    }

    [Fact]
    public async Task Run_FilesParameter_CountsOnlyTheFirstFiles()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("word-count"));
        var outcome = await DagDriver.RunAsync(workflow, new Dictionary<string, string> { ["files"] = "1" }, cancellationToken: TestContext.Current.CancellationToken);
        var report = AppJson.Deserialize<WordCountReport>(outcome.Results[ReducerFunction.ResultName], "result");
        var first = workflow.Nodes[0].Inputs.Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!;
        var reference = WordCountReference.Count(File.ReadAllText(RepoFiles.Data("word-count", first)));
        Assert.Equal(reference.Values.Sum(), report.TotalWords);
    }

    [Fact]
    public async Task Run_InvalidUtf8Input_NamesInputAndLine()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("word-count"));
        var name = Path.GetFileName(workflow.Nodes[0].Inputs[1]);
        byte[] bad = [.. "line one\nline two\nbad "u8, 0xC3, 0x28, .. " here\n"u8];
        var e = await Assert.ThrowsAsync<AppDataException>(() => DagDriver.RunAsync(
            workflow, replaceInputs: new Dictionary<string, byte[]> { [name] = bad }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(name, e.Input);
        Assert.Equal(3, e.Line);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("top_k", "many")]
    [InlineData("top_k", "-1")]
    [InlineData("files", "-2")]
    public async Task Run_BadParameter_NamesIt(string name, string value)
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("word-count"));
        var e = await Assert.ThrowsAsync<AppParameterException>(() => DagDriver.RunAsync(
            workflow, new Dictionary<string, string> { [name] = value }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(name, e.Name);
    }

    [Fact]
    public async Task Reducer_MalformedCounts_NamesInput()
    {
        var context = new SingleNodeContext("reducer", [("counts", "mapper", 2, "{\"totalWords\": 3, \"counts\": {\"a\": \"x\"}}"u8.ToArray())]);
        var e = await Assert.ThrowsAsync<AppDataException>(async () => await new ReducerFunction().RunAsync(context, TestContext.Current.CancellationToken));
        Assert.Equal("counts", e.Input);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public async Task Splitter_WiredToTwoSuccessors_SaysTheWorkflowIsWrong()
    {
        var context = new SingleNodeContext(
            "splitter",
            [("a.txt", "user", 0, "some words"u8.ToArray())],
            [new Tless.Runtime.Sdk.FunctionSuccessor("mapper", 2), new Tless.Runtime.Sdk.FunctionSuccessor("other", 1)]);
        var e = await Assert.ThrowsAsync<AppWorkflowException>(async () => await new SplitterFunction().RunAsync(context, TestContext.Current.CancellationToken));
        Assert.Contains("exactly one successor", e.Message, StringComparison.Ordinal);
        Assert.Empty(context.Sent);
    }
}
