using Tless.Apps.Ml;

namespace Tless.Apps.Tests.Ml;

public sealed class RandomForestTests
{
    private static (float[] Features, byte[] Labels) SmallProblem()
    {
        var images = FashionSample.Train.Slice(0, 800);
        var projection = PcaProjection.Fit(PcaMoments.Compute(images), 8);
        return (projection.Project(images), images.Labels!);
    }

    [Fact]
    public void Train_DefaultSizes_AccuracyOnFashionMnistTestSplitAtLeast075()
    {
        var model = FashionSample.DefaultModel;
        var report = AccuracyReport.Compute(model.Predict(FashionSample.Test), FashionSample.Test.Labels!, model.Classes);
        Assert.Equal(1000, report.Count);
        Assert.True(report.Accuracy >= 0.75, $"accuracy {report.Accuracy}");
        Assert.Equal(report.Correct, Enumerable.Range(0, 10).Sum(c => report.Confusion[c][c]));
    }

    [Fact]
    public void Train_SameSeed_GivesTheSameModel()
    {
        var (features, labels) = SmallProblem();
        var options = new ForestOptions { Trees = 4, MaxDepth = 10, Seed = 7 };
        var a = AppJson.Serialize(RandomForest.Train(features, 8, labels, 10, options));
        var b = AppJson.Serialize(RandomForest.Train(features, 8, labels, 10, options));
        var c = AppJson.Serialize(RandomForest.Train(features, 8, labels, 10, options with { Seed = 8 }));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Train_SeparableData_FitsTrainingSetExactly()
    {
        // Class = which quadrant the point is in: any deep enough tree separates it.
        var random = new Random(1);
        var n = 400;
        var features = new float[n * 2];
        var labels = new byte[n];
        for (var i = 0; i < n; i++)
        {
            features[2 * i] = (float)(random.NextDouble() - 0.5);
            features[(2 * i) + 1] = (float)(random.NextDouble() - 0.5);
            labels[i] = (byte)((features[2 * i] > 0 ? 1 : 0) + (features[(2 * i) + 1] > 0 ? 2 : 0));
        }

        var forest = RandomForest.Train(features, 2, labels, 4, new ForestOptions { Trees = 9, MaxDepth = 20, FeaturesPerSplit = 2 });
        var correct = Enumerable.Range(0, n).Count(i => RandomForest.Predict([forest], features.AsSpan(2 * i, 2), 4) == labels[i]);
        Assert.True(correct >= n - 4, $"{correct} of {n}");
    }

    [Fact]
    public void Train_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => RandomForest.Train(new float[5], 2, new byte[3], 2, new ForestOptions()));
        Assert.Throws<ArgumentException>(() => RandomForest.Train(new float[6], 2, [0, 1, 5], 2, new ForestOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomForest.Train(new float[6], 2, new byte[3], 2, new ForestOptions { Trees = 0 }));
    }

    [Fact]
    public void Validate_CyclicTree_IsRejected()
    {
        var tree = new DecisionTree { Feature = [0, 0, -1], Threshold = [0, 0, 0], Left = [1, 0, -1], Right = [2, 2, -1], Label = [0, 0, 1] };
        var e = Assert.Throws<AppDataException>(() => tree.Validate(4, 2, "model.json"));
        Assert.Contains("node 1", e.Message, StringComparison.Ordinal);
    }
}
