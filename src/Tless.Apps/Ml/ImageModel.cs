using System.IO.Compression;

namespace Tless.Apps.Ml;

/// <summary>The model that ml-training publishes and ml-inference uses: the PCA projection and the forests.</summary>
public sealed record ImageModel
{
    public const string Format = "tless-image-model/1";

    public string ModelFormat { get; init; } = Format;

    public required int Classes { get; init; }

    public required int Rows { get; init; }

    public required int Columns { get; init; }

    public required PcaProjection Projection { get; init; }

    public required IReadOnlyList<RandomForestModel> Forests { get; init; }

    /// <summary>Predicted class of every image.</summary>
    public int[] Predict(ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rows != Rows || images.Columns != Columns)
        {
            throw new ArgumentException($"images are {images.Rows}x{images.Columns}, the model expects {Rows}x{Columns}", nameof(images));
        }

        var features = Projection.Project(images);
        var k = Projection.Components;
        var predictions = new int[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            predictions[i] = RandomForest.Predict(Forests, features.AsSpan(i * k, k), Classes);
        }

        return predictions;
    }

    public byte[] Serialize() => AppJson.Serialize(this);

    /// <summary>Reads a model (JSON, optionally gzip-compressed) and checks it thoroughly, so that a damaged model
    /// fails here with a clear error instead of mispredicting or looping.</summary>
    public static ImageModel Deserialize(ReadOnlySpan<byte> data, string input)
    {
        var json = IdxFile.Decompress(data, input);
        var model = AppJson.Deserialize<ImageModel>(json, input);
        if (model.ModelFormat != Format)
        {
            throw new AppDataException(input, 0, $"model format '{model.ModelFormat}' is not '{Format}'");
        }

        if (model.Classes is < 2 or > 256 || model.Rows <= 0 || model.Columns <= 0 || model.Projection is null || model.Forests is null
            || model.Forests.Count == 0 || model.Forests.Any(f => f?.Trees is null || f.Trees.Count == 0))
        {
            throw new AppDataException(input, 0, "model is incomplete (classes, image size, projection or forests)");
        }

        model.Projection.Validate(input);
        if (model.Projection.Dimensions != model.Rows * model.Columns)
        {
            throw new AppDataException(input, 0, $"projection has {model.Projection.Dimensions} dimensions for {model.Rows}x{model.Columns} images");
        }

        foreach (var tree in model.Forests.SelectMany(f => f.Trees))
        {
            tree.Validate(model.Projection.Components, model.Classes, input);
        }

        return model;
    }

    /// <summary>The serialized model, gzip-compressed (how the sample model is committed).</summary>
    public byte[] SerializeCompressed()
    {
        using var target = new MemoryStream();
        using (var gzip = new GZipStream(target, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(Serialize());
        }

        return target.ToArray();
    }
}

/// <summary>Accuracy of predictions against labels, with the confusion matrix (rows: true class, columns: predicted).</summary>
public sealed record AccuracyReport
{
    public required int Count { get; init; }

    public required int Correct { get; init; }

    public required double Accuracy { get; init; }

    public required int[][] Confusion { get; init; }

    public static AccuracyReport Compute(IReadOnlyList<int> predictions, IReadOnlyList<byte> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (predictions.Count != labels.Count)
        {
            throw new ArgumentException($"{predictions.Count} predictions for {labels.Count} labels", nameof(labels));
        }

        var confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        var correct = 0;
        for (var i = 0; i < predictions.Count; i++)
        {
            if (labels[i] < classes)
            {
                confusion[labels[i]][predictions[i]]++;
            }

            correct += predictions[i] == labels[i] ? 1 : 0;
        }

        return new AccuracyReport
        {
            Count = predictions.Count,
            Correct = correct,
            Accuracy = predictions.Count == 0 ? 0 : (double)correct / predictions.Count,
            Confusion = confusion,
        };
    }
}
