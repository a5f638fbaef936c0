using Tless.Apps.Ml;
using Tless.Apps.MlInference;
using Tless.Apps.MlTraining;
using Tless.Apps.Tests.Infrastructure;

namespace Tless.Apps.Tests.Ml;

public sealed class MlWorkflowTests
{
    [Fact]
    public async Task Training_DefaultParameters_EqualsSingleProcessTrainingAndValidates()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-training"));
        var outcome = await DagDriver.RunAsync(workflow, cancellationToken: TestContext.Current.CancellationToken);

        // The distributed run (P PCA shards, R forests) is bit-identical to the single-process pipeline.
        Assert.Equal(FashionSample.DefaultModel.Serialize(), outcome.Results["model.json"]);
        var report = AppJson.Deserialize<ValidationReport>(outcome.Results["validation.json"], "validation.json");
        var expected = AccuracyReport.Compute(FashionSample.DefaultModel.Predict(FashionSample.Test), FashionSample.Test.Labels!, 10);
        Assert.Equal(expected.Correct, report.HeldOut.Correct);
        Assert.True(report.HeldOut.Accuracy >= 0.75);
        Assert.Equal((5000, 32, 2, 24), (report.TrainingImages, report.Components, report.Forests, report.Trees));
        Assert.InRange(report.ExplainedVarianceRatio, 0.5, 1.0);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    public async Task Training_OtherFanOut_EqualsSingleProcessTraining(int p, int r)
    {
        var parameters = new Dictionary<string, string> { ["P"] = $"{p}", ["R"] = $"{r}", ["images"] = "600", ["trees"] = "2", ["components"] = "6", ["seed"] = "5" };
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-training"));
        var outcome = await DagDriver.RunAsync(workflow, parameters, cancellationToken: TestContext.Current.CancellationToken);
        var options = TrainingOptions.FromParameters(parameters, p, r);
        var expected = TrainingPipeline.Train(FashionSample.Train, options);
        Assert.Equal(expected.Serialize(), outcome.Results["model.json"]);
        Assert.Equal(1 + p + r + 1, outcome.Invocations);
    }

    [Fact]
    public async Task Training_TruncatedImageFile_NamesObjectAndImage()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-training"));
        var raw = IdxFile.Decompress(RepoFiles.ReadData("fashion-mnist", "train-images-idx3-ubyte.gz"), "x");
        var cut = raw[..(16 + (784 * 1234) + 5)];
        var e = await Assert.ThrowsAsync<AppDataException>(() => DagDriver.RunAsync(
            workflow, replaceInputs: new Dictionary<string, byte[]> { ["train-images-idx3-ubyte.gz"] = cut }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("train-images-idx3-ubyte.gz", e.Input);
        Assert.Equal(1235, e.Line);
    }

    [Fact]
    public async Task Training_TooManyComponents_NamesParameter()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-training"));
        var e = await Assert.ThrowsAsync<AppParameterException>(() => DagDriver.RunAsync(
            workflow, new Dictionary<string, string> { ["components"] = "900", ["images"] = "50" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("components", e.Name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public async Task Inference_CommittedModel_EqualsDirectPrediction(int batches)
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-inference"));
        var outcome = await DagDriver.RunAsync(workflow, new Dictionary<string, string> { ["N"] = $"{batches}" }, cancellationToken: TestContext.Current.CancellationToken);
        var reports = Enumerable.Range(0, batches)
            .Select(i => AppJson.Deserialize<PredictionReport>(outcome.Results[$"predictions-{i}.json"], "p")).ToList();
        var model = ImageModel.Deserialize(RepoFiles.ReadData("fashion-mnist", "model.json.gz"), "model");
        var expected = model.Predict(FashionSample.Test);
        Assert.Equal(expected, reports.SelectMany(r => r.Predictions));
        Assert.Equal(Enumerable.Range(0, batches), reports.Select(r => r.Batch.Index));
        Assert.Equal(reports.Select(r => r.Batch.Offset), reports.Select(r => r.Batch.Offset).Order());
        var correct = reports.Sum(r => r.Accuracy!.Correct);
        Assert.Equal(expected.Zip(FashionSample.Test.Labels!).Count(p => p.First == p.Second), correct);
        Assert.True(correct >= 750);
    }

    [Fact]
    public async Task Inference_WithoutLabels_PredictsWithoutAccuracy()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-inference")) is var w
            ? w with { Nodes = [.. w.Nodes.Select(n => n.Name == "partition" ? n with { Inputs = [n.Inputs[0]] } : n)] }
            : null!;
        var outcome = await DagDriver.RunAsync(workflow, new Dictionary<string, string> { ["N"] = "2", ["images"] = "30" }, cancellationToken: TestContext.Current.CancellationToken);
        var report = AppJson.Deserialize<PredictionReport>(outcome.Results["predictions-1.json"], "p");
        Assert.Null(report.Accuracy);
        Assert.Equal(new BatchInfo(1, 15, 15), report.Batch);
    }

    [Fact]
    public async Task Inference_CorruptModel_NamesObject()
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("ml-inference"));
        var e = await Assert.ThrowsAsync<AppDataException>(() => DagDriver.RunAsync(
            workflow, replaceInputs: new Dictionary<string, byte[]> { ["model.json.gz"] = "{\"modelFormat\": 3"u8.ToArray() }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("model.json.gz", e.Input);
    }
}
