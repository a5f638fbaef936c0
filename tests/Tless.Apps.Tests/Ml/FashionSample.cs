using Tless.Apps.Ml;
using Tless.Apps.Tests.Infrastructure;

namespace Tless.Apps.Tests.Ml;

/// <summary>The committed Fashion-MNIST sample, loaded once.</summary>
internal static class FashionSample
{
    private static readonly Lazy<ImageSet> LazyTrain = new(() => Load("train"));
    private static readonly Lazy<ImageSet> LazyTest = new(() => Load("t10k"));
    private static readonly Lazy<ImageModel> LazyDefaultModel = new(() => TrainingPipeline.Train(Train, new TrainingOptions()));

    public static ImageSet Train => LazyTrain.Value;

    public static ImageSet Test => LazyTest.Value;

    /// <summary>The model at the default settings (trained once per test run).</summary>
    public static ImageModel DefaultModel => LazyDefaultModel.Value;

    private static ImageSet Load(string split)
    {
        var images = IdxFile.ReadImages(RepoFiles.ReadData("fashion-mnist", $"{split}-images-idx3-ubyte.gz"), split);
        return IdxFile.WithLabels(images, IdxFile.ReadLabels(RepoFiles.ReadData("fashion-mnist", $"{split}-labels-idx1-ubyte.gz"), split), split);
    }
}
