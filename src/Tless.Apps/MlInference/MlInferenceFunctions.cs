using Tless.Apps.Ml;
using Tless.Runtime.Sdk;

namespace Tless.Apps.MlInference;

/// <summary>Which slice of the images a predict instance got.</summary>
public sealed record BatchInfo(int Index, int Offset, int Count);

/// <summary>The result of one predict instance.</summary>
public sealed record PredictionReport
{
    public required BatchInfo Batch { get; init; }

    public required IReadOnlyList<int> Predictions { get; init; }

    /// <summary>Present when the images came with labels.</summary>
    public AccuracyReport? Accuracy { get; init; }
}

internal static class MlInferenceNames
{
    public const string Predict = "predict";
    public const string Batch = "batch";
    public const string Model = "model";

    public static string Result(int index) => $"predictions-{index}.json";
}

/// <summary>Entry node: reads the IDX images (and labels, if given), keeps the first <c>images</c> (0 = all) and sends
/// N contiguous batches to the predict nodes.</summary>
public sealed class PartitionFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = AppParameters.GetInt(context.Parameters, "images", 0, 0);
        var images = await ImageInputs.ReadAsync(context, context.Inputs, labelsRequired: false, "inference", cancellationToken).ConfigureAwait(false);
        if (limit > 0 && limit < images.Count)
        {
            images = images.Slice(0, limit);
        }

        var predict = AppContextHelpers.Successor(context, MlInferenceNames.Predict);
        for (var i = 0; i < predict.Scale; i++)
        {
            var start = (int)((long)images.Count * i / predict.Scale);
            var end = (int)((long)images.Count * (i + 1) / predict.Scale);
            var batch = images.Slice(start, end - start);
            await context.SendAsync(predict.Node, i, MlInferenceNames.Batch, AppJson.Serialize(new BatchInfo(i, start, batch.Count)), cancellationToken).ConfigureAwait(false);
            await ImageInputs.SendAsync(context, predict.Node, i, "", batch, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Entry node: reads the trained model (JSON, gzip or not), checks it and sends it to every predict node.</summary>
public sealed class LoadFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Inputs.Count != 1)
        {
            throw new AppDataException(context.Node, 0, $"expected one model input, found {context.Inputs.Count}");
        }

        var input = context.Inputs[0];
        var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
        var model = ImageModel.Deserialize(data.Span, input.Name);
        var bytes = model.Serialize();
        var predict = AppContextHelpers.Successor(context, MlInferenceNames.Predict);
        for (var i = 0; i < predict.Scale; i++)
        {
            await context.SendAsync(predict.Node, i, MlInferenceNames.Model, bytes, cancellationToken).ConfigureAwait(false);
        }

        context.Log($"model: {model.Projection.Components} components, {model.Forests.Sum(f => f.Trees.Count)} trees");
    }
}

/// <summary>Projects its batch with the model's own projection (never refit), votes over the model's forests and
/// writes <c>predictions-{index}.json</c> (with accuracy when labels exist).</summary>
public sealed class PredictFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var modelInput = context.Inputs.SingleOrDefault(i => i.Name == MlInferenceNames.Model)
            ?? throw new AppDataException(context.Node, 0, "no model arrived");
        var batchInput = context.Inputs.SingleOrDefault(i => i.Name == MlInferenceNames.Batch)
            ?? throw new AppDataException(context.Node, 0, "no batch description arrived");
        var model = ImageModel.Deserialize((await context.ReadInputAsync(modelInput, cancellationToken).ConfigureAwait(false)).Span, modelInput.Name);
        var batch = AppJson.Deserialize<BatchInfo>((await context.ReadInputAsync(batchInput, cancellationToken).ConfigureAwait(false)).Span, batchInput.Name);
        var imageInputs = context.Inputs.Where(i => i != modelInput && i != batchInput).ToList();
        var images = await ImageInputs.ReadAsync(context, imageInputs, labelsRequired: false, "the batch", cancellationToken).ConfigureAwait(false);
        if (images.Count != batch.Count)
        {
            throw new AppDataException(batchInput.Name, 0, $"batch says {batch.Count} images, {images.Count} arrived");
        }

        if (images.Rows != model.Rows || images.Columns != model.Columns)
        {
            throw new AppDataException(imageInputs[0].Name, 0, $"images are {images.Rows}x{images.Columns}, the model expects {model.Rows}x{model.Columns}");
        }

        var predictions = model.Predict(images);
        var report = new PredictionReport
        {
            Batch = batch,
            Predictions = predictions,
            Accuracy = images.Labels is null ? null : AccuracyReport.Compute(predictions, images.Labels, model.Classes),
        };
        await context.WriteResultAsync(MlInferenceNames.Result(context.Index), AppJson.Serialize(report), cancellationToken).ConfigureAwait(false);
    }
}
