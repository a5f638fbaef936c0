using MathNet.Numerics.LinearAlgebra;
using Tless.Apps.Ml;

namespace Tless.Apps.Tests.Ml;

public sealed class PcaTests
{
    private static ImageSet Subset(int count) => FashionSample.Train.Slice(0, count);

    [Fact]
    public void Compute_EqualsDirectCovarianceByMatrixProduct()
    {
        var images = Subset(300);
        var moments = PcaMoments.Compute(images);
        var d = images.PixelsPerImage;
        var x = Matrix<double>.Build.Dense(images.Count, d, (i, j) => images.Pixels[(i * d) + j] / 255.0);
        var mean = x.ColumnSums() / images.Count;
        var centered = x - Matrix<double>.Build.Dense(images.Count, d, (_, j) => mean[j]);
        var scatter = centered.TransposeThisAndMultiply(centered);
        for (var j = 0; j < d; j++)
        {
            Assert.Equal(mean[j], moments.Mean[j], 12);
        }

        var maxDiff = Enumerable.Range(0, d * d).Max(k => Math.Abs(scatter[k / d, k % d] - moments.Scatter[k]));
        Assert.True(maxDiff < 1e-9, $"max difference {maxDiff}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Merge_OfShards_EqualsMomentsOfAll(int shards)
    {
        var images = Subset(400);
        var whole = PcaMoments.Compute(images);
        var merged = PcaMoments.Merge(TrainingPipelineShard(images, shards).Select(PcaMoments.Compute));
        Assert.Equal(whole.Count, merged.Count);
        Assert.True(whole.Mean.Zip(merged.Mean).Max(p => Math.Abs(p.First - p.Second)) < 1e-12);
        Assert.True(whole.Scatter.Zip(merged.Scatter).Max(p => Math.Abs(p.First - p.Second)) < 1e-8);
    }

    [Fact]
    public void Fit_Basis_IsOrthonormalWithDescendingVarianceAndMatchesIndependentEigenvalues()
    {
        var images = Subset(500);
        var moments = PcaMoments.Compute(images);
        var projection = PcaProjection.Fit(moments, 10);
        var d = projection.Dimensions;
        var basis = Matrix<double>.Build.Dense(10, d, (c, j) => projection.Basis[(c * d) + j]);
        var gram = basis * basis.Transpose();
        Assert.True((gram - Matrix<double>.Build.DenseIdentity(10)).Enumerate().Max(Math.Abs) < 1e-9);
        Assert.True(projection.ExplainedVariance.Zip(projection.ExplainedVariance.Skip(1)).All(p => p.First >= p.Second));

        // Independent: the top eigenvalues of the covariance are the squared singular values of the centered data / (n - 1).
        var x = Matrix<double>.Build.Dense(images.Count, d, (i, j) => (images.Pixels[(i * d) + j] / 255.0) - moments.Mean[j]);
        var singular = x.Svd(computeVectors: false).S;
        for (var c = 0; c < 10; c++)
        {
            var expected = singular[c] * singular[c] / (images.Count - 1);
            Assert.Equal(expected, projection.ExplainedVariance[c], expected * 1e-9);
        }

        // Projected features have the component variances.
        var features = projection.Project(images);
        var variance0 = Enumerable.Range(0, images.Count).Select(i => (double)features[i * 10]).ToArray();
        Assert.Equal(projection.ExplainedVariance[0], MathNet.Numerics.Statistics.Statistics.Variance(variance0), projection.ExplainedVariance[0] * 1e-5);
    }

    [Fact]
    public void Serialize_RoundTrips_AndRejectsTruncation()
    {
        var moments = PcaMoments.Compute(Subset(50));
        var bytes = moments.Serialize();
        var back = PcaMoments.Deserialize(bytes, "m");
        Assert.Equal(moments.Count, back.Count);
        Assert.Equal(moments.Mean, back.Mean);
        Assert.Equal(moments.Scatter, back.Scatter);
        var e = Assert.Throws<AppDataException>(() => PcaMoments.Deserialize(bytes[..^8], "pca#1/moments"));
        Assert.Equal("pca#1/moments", e.Input);
    }

    private static IReadOnlyList<ImageSet> TrainingPipelineShard(ImageSet images, int parts) => TrainingPipeline.Shard(images, parts);
}
