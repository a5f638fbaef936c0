using System.CommandLine;
using Tless.Apps.Ml;
using Tless.Cli.Commands;

namespace Tless.Cli.Tests;

public sealed class DatasetsCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("tless-datasets-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = TlessCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private void WriteSplit(string split, int count, int seed)
    {
        // Two classes that differ in brightness: learnable with any projection.
        var random = new Random(seed);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 2)).ToArray();
        var pixels = new byte[count * 16];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((labels[i / 16] * 120) + random.Next(100));
        }

        var dir = Directory.CreateDirectory(Path.Combine(_dir.FullName, "fashion-mnist"));
        File.WriteAllBytes(Path.Combine(dir.FullName, $"{split}-images-idx3-ubyte.gz"), IdxFile.WriteImages(new ImageSet { Count = count, Rows = 4, Columns = 4, Pixels = pixels }));
        File.WriteAllBytes(Path.Combine(dir.FullName, $"{split}-labels-idx1-ubyte.gz"), IdxFile.WriteLabels(labels));
    }

    [Fact]
    public void TrainModel_SmallData_WritesALoadableModel()
    {
        WriteSplit("train", 80, 1);
        WriteSplit("t10k", 20, 2);
        var model = Path.Combine(_dir.FullName, "out", "m.json.gz");
        var (exit, output, error) = Run("datasets", "train-model", "--data", _dir.FullName, "--out", model, "--param", "components=3", "--param", "trees=3", "--param", "R=1");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("held-out accuracy", output, StringComparison.Ordinal);
        var loaded = ImageModel.Deserialize(File.ReadAllBytes(model), "m.json.gz");
        Assert.Equal((3, 1, 2), (loaded.Projection.Components, loaded.Forests.Count, loaded.Classes));
    }

    [Fact]
    public void TrainModel_MissingFiles_ExitsOneNamingTheFile()
    {
        var (exit, _, error) = Run("datasets", "train-model", "--data", _dir.FullName, "--out", Path.Combine(_dir.FullName, "m.gz"));
        Assert.Equal(DatasetsCommand.ExitFailed, exit);
        Assert.Contains("train-images-idx3-ubyte.gz", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--param", "components")]
    [InlineData("--param", "trees=0")]
    public void TrainModel_BadParameter_IsRefused(string option, string value)
    {
        WriteSplit("train", 10, 1);
        WriteSplit("t10k", 4, 2);
        var (exit, _, error) = Run("datasets", "train-model", "--data", _dir.FullName, "--out", Path.Combine(_dir.FullName, "m.gz"), option, value);
        Assert.NotEqual(0, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_UnknownSet_IsAUsageError()
    {
        var (exit, _, error) = Run("datasets", "fetch", "--dir", _dir.FullName, "--set", "imagenet");
        Assert.Equal(DatasetsCommand.ExitUsage, exit);
        Assert.Contains("unknown --set imagenet", error, StringComparison.Ordinal);
    }
}
