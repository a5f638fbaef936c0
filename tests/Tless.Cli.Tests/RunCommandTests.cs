using System.CommandLine;
using System.Runtime.CompilerServices;
using Tless.Cli.Commands;

namespace Tless.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("tless-run-cli-");

    public void Dispose() => dir.Delete(recursive: true);

    private string Home => Path.Combine(dir.FullName, "home");

    /// <summary>A file of the repository: from the root recorded at build time, else from this source file's path.</summary>
    internal static string RepositoryFile(string relative, [CallerFilePath] string source = "")
    {
        var recorded = typeof(RunCommandTests).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TlessRepositoryRoot")?.Value;
        var root = !string.IsNullOrEmpty(recorded) && File.Exists(Path.Combine(recorded, "TLess.slnx"))
            ? recorded
            : Path.Combine(Path.GetDirectoryName(source)!, "..", "..");
        return Path.GetFullPath(Path.Combine(root, relative));
    }

    internal static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await TlessCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    private string SmallWordCount()
    {
        File.WriteAllText(Path.Combine(dir.FullName, "text.txt"), "zebra yak zebra xylophone zebra yak\nwalrus zebra\n");
        var path = Path.Combine(dir.FullName, "wc.yaml");
        File.WriteAllText(path, """
            workflow: wc-small
            parameters:
              N: 2
              top_k: 3
            authorities:
              user: user
              services:
                - id: as1
                  url: https://127.0.0.1:1
            nodes:
              - name: splitter
                function: Tless.Apps.WordCount.SplitterFunction
                package: tless-apps
                inputs: [text.txt]
              - name: mapper
                function: Tless.Apps.WordCount.MapperFunction
                package: tless-apps
                scale: N
              - name: reducer
                function: Tless.Apps.WordCount.ReducerFunction
                package: tless-apps
            edges:
              - {from: splitter, to: mapper}
              - {from: mapper, to: reducer}
            """);
        return path;
    }

    [Fact]
    public async Task Run_ModeNone_RunsAndResultsShowsCounts()
    {
        var workflow = SmallWordCount();
        var (exit, output, error) = await RunAsync("run", workflow, "--mode", "none", "--home", Home, "--run", "r1");

        Assert.True(exit == 0, error + output);
        Assert.Contains("run r1 of wc-small (mode none): succeeded", output, StringComparison.Ordinal);
        Assert.Contains("mapper#1", output, StringComparison.Ordinal);
        Assert.Contains("tless results", output, StringComparison.Ordinal);

        var (rexit, routput, rerror) = await RunAsync("results", workflow, "r1", "--home", Home, "--logs");
        Assert.True(rexit == 0, rerror);
        Assert.Contains("\"word\": \"zebra\"", routput, StringComparison.Ordinal);
        Assert.Contains("\"count\": 4", routput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ModeNoneParamScale_UsesParameter()
    {
        var (exit, output, error) = await RunAsync("run", SmallWordCount(), "--mode", "none", "--home", Home, "--param", "N=3", "--json");
        Assert.True(exit == 0, error);
        Assert.StartsWith("{", output.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("\"node\": \"mapper\"", output, StringComparison.Ordinal);
        Assert.Contains("\"index\": 2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TlessWithoutRegistration_FailsSayingWhatToDo()
    {
        Assert.Equal(0, (await RunAsync("keys", "init", "--home", Home)).Exit);
        var (exit, _, error) = await RunAsync("run", SmallWordCount(), "--mode", "tless", "--home", Home);
        Assert.Equal(1, exit);
        Assert.Contains("tless workflow upload", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownWorkflowName_FailsListingBundledNames()
    {
        var (exit, _, error) = await RunAsync("run", "no-such-workflow", "--mode", "none", "--home", Home);
        Assert.Equal(1, exit);
        Assert.Contains("workflow 'no-such-workflow' not found", error, StringComparison.Ordinal);
        Assert.Contains("word-count", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runtime", "knative", "not available")]
    [InlineData("--param", "N", "not name=value")]
    public async Task Run_BadOption_ExitsWithUsageError(string option, string value, string expected)
    {
        var (exit, _, error) = await RunAsync("run", SmallWordCount(), "--mode", "none", "--home", Home, option, value);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadMode_FailsNamingModes()
    {
        var (exit, _, error) = await RunAsync("run", SmallWordCount(), "--mode", "secret", "--home", Home);
        Assert.Equal(1, exit);
        Assert.Contains("expected none, tee or tless", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysInit_Twice_RefusesWithoutForce()
    {
        Assert.Equal(0, (await RunAsync("keys", "init", "--home", Home)).Exit);
        var before = File.ReadAllBytes(Path.Combine(Home, "owner-signing.pem"));

        var (exit, _, error) = await RunAsync("keys", "init", "--home", Home);
        Assert.Equal(1, exit);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(Home, "owner-signing.pem")));

        Assert.Equal(0, (await RunAsync("keys", "init", "--home", Home, "--force")).Exit);
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(Home, "owner-signing.pem")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Home, "owner-abe.key")));
        }
    }

    [Fact]
    public async Task PackageBuild_SameAssemblyTwice_SameDigest()
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "Tless.Apps.dll");
        var first = await RunAsync("package", "build", assembly, "--out", Path.Combine(dir.FullName, "a.zip"));
        var second = await RunAsync("package", "build", assembly, "--out", Path.Combine(dir.FullName, "b.zip"));
        Assert.Equal(0, first.Exit);
        var digest = first.Out.Split('\n').Single(l => l.StartsWith("digest", StringComparison.Ordinal));
        Assert.Contains(digest, second.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.FullName, "a.zip")), File.ReadAllBytes(Path.Combine(dir.FullName, "b.zip")));

        var (iexit, ioutput, _) = await RunAsync("package", "inspect", Path.Combine(dir.FullName, "a.zip"));
        Assert.Equal(0, iexit);
        Assert.Contains("package tless-apps, entry assembly Tless.Apps", ioutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Tless.Runtime.dll", ioutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackageInspect_Garbage_FailsClearly()
    {
        var path = Path.Combine(dir.FullName, "bad.zip");
        File.WriteAllBytes(path, [1, 2, 3]);
        var (exit, _, error) = await RunAsync("package", "inspect", path);
        Assert.Equal(1, exit);
        Assert.Contains("not a valid zip archive", error, StringComparison.Ordinal);
    }
}
