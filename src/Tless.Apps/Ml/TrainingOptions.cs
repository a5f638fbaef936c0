namespace Tless.Apps.Ml;

/// <summary>The ml-training settings (run parameters P, R, components, trees, max_depth, images, seed).</summary>
public sealed record TrainingOptions
{
    public int PcaShards { get; init; } = 2;

    public int Forests { get; init; } = 2;

    public int Components { get; init; } = 32;

    public int TreesPerForest { get; init; } = 12;

    public int MaxDepth { get; init; } = 16;

    /// <summary>Use only the first k training images; 0 = all.</summary>
    public int Images { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>The seed of forest <paramref name="index"/>: forests differ, and each is reproducible.</summary>
    public int ForestSeed(int index) => unchecked(Seed + (7919 * index));

    public static TrainingOptions FromParameters(IReadOnlyDictionary<string, string> parameters, int pcaShards, int forests) => new()
    {
        PcaShards = pcaShards,
        Forests = forests,
        Components = AppParameters.GetInt(parameters, "components", 32, 1, 4096),
        TreesPerForest = AppParameters.GetInt(parameters, "trees", 12, 1, 10_000),
        MaxDepth = AppParameters.GetInt(parameters, "max_depth", 16, 1, 64),
        Images = AppParameters.GetInt(parameters, "images", 0, 0),
        Seed = AppParameters.GetInt(parameters, "seed", 42, int.MinValue),
    };
}

/// <summary>
/// ml-training in one process, stage by stage exactly as the workflow distributes it: shard -> moments per shard ->
/// merge in shard order -> fit -> project -> R forests. The CLI uses it to (re)build the committed sample model.
/// </summary>
public static class TrainingPipeline
{
    /// <summary>Cuts <paramref name="images"/> into <paramref name="parts"/> contiguous shards of about equal size.</summary>
    public static IReadOnlyList<ImageSet> Shard(ImageSet images, int parts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        return Enumerable.Range(0, parts)
            .Select(p =>
            {
                var start = (int)((long)images.Count * p / parts);
                var end = (int)((long)images.Count * (p + 1) / parts);
                return images.Slice(start, end - start);
            })
            .ToList();
    }

    /// <summary>The number of classes: one more than the largest label.</summary>
    public static int Classes(ImageSet labelled) => Math.Max(2, labelled.Labels!.Max() + 1);

    public static ImageModel Train(ImageSet train, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Labels is null)
        {
            throw new ArgumentException("training images need labels", nameof(train));
        }

        if (options.Images > 0 && options.Images < train.Count)
        {
            train = train.Slice(0, options.Images);
        }

        var shards = Shard(train, options.PcaShards);
        var moments = shards.Select(PcaMoments.Compute).ToList();
        var projection = PcaProjection.Fit(PcaMoments.Merge(moments), options.Components);
        var features = projection.Project(ImageSet.Concat(shards));
        var classes = Classes(train);
        var forests = Enumerable.Range(0, options.Forests)
            .Select(j => RandomForest.Train(features, projection.Components, train.Labels!, classes, ForestOptionsFor(options, j)))
            .ToList();
        return new ImageModel { Classes = classes, Rows = train.Rows, Columns = train.Columns, Projection = projection, Forests = forests };
    }

    public static ForestOptions ForestOptionsFor(TrainingOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new() { Trees = options.TreesPerForest, MaxDepth = options.MaxDepth, Seed = options.ForestSeed(index) };
    }
}
