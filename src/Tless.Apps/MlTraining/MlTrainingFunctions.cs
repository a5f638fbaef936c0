using Tless.Apps.Ml;
using Tless.Runtime.Sdk;

namespace Tless.Apps.MlTraining;

internal static class MlTrainingNames
{
    public const string Pca = "pca";
    public const string Validation = "validation";
    public const string Moments = "moments";
    public const string Forest = "forest";
    public const string Projection = "projection";
    public const string HeldOutPrefix = "heldout-";
    public const string ModelResult = "model.json";
    public const string ValidationResult = "validation.json";
}

/// <summary>Entry node: reads the training and held-out IDX files (held-out names contain "t10k" or "test"), keeps the
/// first <c>images</c> training images (0 = all), sends P contiguous shards to the PCA nodes and the held-out split to
/// validation.</summary>
public sealed class PartitionFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = AppParameters.GetInt(context.Parameters, "images", 0, 0);
        var heldOutInputs = context.Inputs.Where(i => ImageInputs.IsHeldOut(i.Name)).ToList();
        var trainInputs = context.Inputs.Except(heldOutInputs).ToList();
        var train = await ImageInputs.ReadAsync(context, trainInputs, labelsRequired: true, "training", cancellationToken).ConfigureAwait(false);
        var heldOut = await ImageInputs.ReadAsync(context, heldOutInputs, labelsRequired: true, "the held-out split", cancellationToken).ConfigureAwait(false);
        if (limit > 0 && limit < train.Count)
        {
            train = train.Slice(0, limit);
        }

        var pca = AppContextHelpers.Successor(context, MlTrainingNames.Pca);
        var shards = TrainingPipeline.Shard(train, pca.Scale);
        for (var i = 0; i < shards.Count; i++)
        {
            await ImageInputs.SendAsync(context, pca.Node, i, "", shards[i], cancellationToken).ConfigureAwait(false);
        }

        var validation = AppContextHelpers.Successor(context, MlTrainingNames.Validation);
        await ImageInputs.SendAsync(context, validation.Node, 0, MlTrainingNames.HeldOutPrefix, heldOut, cancellationToken).ConfigureAwait(false);
        context.Log($"{train.Count} training images in {shards.Count} shards, {heldOut.Count} held out");
    }
}

/// <summary>Computes its shard's exact PCA moments and sends them, with the shard, to every random-forest node.</summary>
public sealed class PcaFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shard = await ImageInputs.ReadAsync(context, context.Inputs, labelsRequired: true, "the PCA shard", cancellationToken).ConfigureAwait(false);
        var moments = PcaMoments.Compute(shard).Serialize();
        var forest = AppContextHelpers.SingleSuccessor(context);
        for (var j = 0; j < forest.Scale; j++)
        {
            await context.SendAsync(forest.Node, j, MlTrainingNames.Moments, moments, cancellationToken).ConfigureAwait(false);
            await ImageInputs.SendAsync(context, forest.Node, j, "", shard, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Fan-in of all PCA nodes: merges their moments in PCA-index order (so every random-forest node derives the
/// bit-identical projection), projects all shards and grows forest number <c>index</c> with seed
/// <c>seed + 7919 * index</c>. Sends the forest and the projection to validation.</summary>
public sealed class RandomForestFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = TrainingOptions.FromParameters(context.Parameters, pcaShards: 0, forests: context.Scale);
        var moments = new List<PcaMoments>();
        var shards = new List<ImageSet>();
        foreach (var group in context.Inputs.GroupBy(i => i.FromIndex).OrderBy(g => g.Key))
        {
            var momentsInput = group.SingleOrDefault(i => i.Name == MlTrainingNames.Moments)
                ?? throw new AppDataException($"{context.Node}#{context.Index}", 0, $"no PCA moments from instance {group.Key}");
            var data = await context.ReadInputAsync(momentsInput, cancellationToken).ConfigureAwait(false);
            moments.Add(PcaMoments.Deserialize(data.Span, $"{momentsInput.From}#{momentsInput.FromIndex}/{momentsInput.Name}"));
            var shard = await ImageInputs.ReadAsync(context, group.Where(i => i != momentsInput).ToList(), labelsRequired: true, $"shard {group.Key}", cancellationToken).ConfigureAwait(false);
            if (shard.Count != moments[^1].Count)
            {
                throw new AppDataException($"{momentsInput.From}#{momentsInput.FromIndex}", 0, $"moments of {moments[^1].Count} images for a shard of {shard.Count}");
            }

            shards.Add(shard);
        }

        if (shards.Count == 0)
        {
            throw new AppDataException($"{context.Node}#{context.Index}", 0, "no PCA shards arrived");
        }

        if (options.Components > shards[0].PixelsPerImage)
        {
            throw new AppParameterException("components", $"{options.Components} is more than the {shards[0].PixelsPerImage} pixels per image");
        }

        var projection = PcaProjection.Fit(PcaMoments.Merge(moments), options.Components);
        var train = ImageSet.Concat(shards);
        var features = projection.Project(train);
        var forest = RandomForest.Train(features, projection.Components, train.Labels!, TrainingPipeline.Classes(train), TrainingPipeline.ForestOptionsFor(options, context.Index));
        var validation = AppContextHelpers.SingleSuccessor(context);
        await context.SendAsync(validation.Node, 0, MlTrainingNames.Forest, AppJson.Serialize(forest), cancellationToken).ConfigureAwait(false);
        await context.SendAsync(validation.Node, 0, MlTrainingNames.Projection, AppJson.Serialize(new ProjectionMessage(TrainingPipeline.Classes(train), train.Rows, train.Columns, train.Count, projection)), cancellationToken).ConfigureAwait(false);
        context.Log($"forest {context.Index}: {forest.Trees.Count} trees, {forest.Trees.Sum(t => t.Feature.Length)} nodes on {train.Count} images");
    }
}

/// <summary>The projection a random-forest node used, with the class count and image size.</summary>
public sealed record ProjectionMessage(int Classes, int Rows, int Columns, int TrainingImages, PcaProjection Projection);

/// <summary>The validation result: accuracy of the combined forests on the held-out split.</summary>
public sealed record ValidationReport
{
    public required int TrainingImages { get; init; }

    public required int Components { get; init; }

    public required int Forests { get; init; }

    public required int Trees { get; init; }

    public required double ExplainedVarianceRatio { get; init; }

    public required AccuracyReport HeldOut { get; init; }
}

/// <summary>Fan-in of partition (held-out split) and all random-forest nodes: checks that every forest was grown on
/// the same projection, votes over all forests, writes <c>validation.json</c> and publishes the model as
/// <c>model.json</c>.</summary>
public sealed class ValidationFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var heldOutInputs = context.Inputs.Where(i => i.Name.StartsWith(MlTrainingNames.HeldOutPrefix, StringComparison.Ordinal)).ToList();
        var heldOut = await ImageInputs.ReadAsync(context, heldOutInputs, labelsRequired: true, "the held-out split", cancellationToken).ConfigureAwait(false);

        var forests = new List<RandomForestModel>();
        byte[]? projectionBytes = null;
        foreach (var input in context.Inputs.Except(heldOutInputs).OrderBy(i => i.FromIndex).ThenBy(i => i.Name, StringComparer.Ordinal))
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            var name = $"{input.From}#{input.FromIndex}/{input.Name}";
            if (input.Name == MlTrainingNames.Forest)
            {
                forests.Add(AppJson.Deserialize<RandomForestModel>(data.Span, name));
            }
            else if (input.Name == MlTrainingNames.Projection)
            {
                // Every forest node derives the projection from the same moments in the same order: any difference is a fault.
                projectionBytes ??= data.ToArray();
                if (!data.Span.SequenceEqual(projectionBytes))
                {
                    throw new AppDataException(name, 0, "projection differs from the other random-forest nodes'");
                }
            }
            else
            {
                throw new AppDataException(name, 0, "unexpected input");
            }
        }

        if (projectionBytes is null || forests.Count == 0)
        {
            throw new AppDataException(context.Node, 0, "no forests arrived");
        }

        var message = AppJson.Deserialize<ProjectionMessage>(projectionBytes, MlTrainingNames.Projection);
        var model = new ImageModel { Classes = message.Classes, Rows = message.Rows, Columns = message.Columns, Projection = message.Projection, Forests = forests };
        var modelBytes = model.Serialize();
        model = ImageModel.Deserialize(modelBytes, MlTrainingNames.ModelResult);
        var accuracy = AccuracyReport.Compute(model.Predict(heldOut), heldOut.Labels!, model.Classes);
        var projection = model.Projection;
        var report = new ValidationReport
        {
            TrainingImages = message.TrainingImages,
            Components = projection.Components,
            Forests = forests.Count,
            Trees = forests.Sum(f => f.Trees.Count),
            ExplainedVarianceRatio = projection.ExplainedVariance.Sum() / projection.TotalVariance,
            HeldOut = accuracy,
        };
        await context.WriteResultAsync(MlTrainingNames.ModelResult, modelBytes, cancellationToken).ConfigureAwait(false);
        await context.WriteResultAsync(MlTrainingNames.ValidationResult, AppJson.Serialize(report), cancellationToken).ConfigureAwait(false);
        context.Log($"held-out accuracy {accuracy.Accuracy:F4} over {accuracy.Count} images");
    }
}
