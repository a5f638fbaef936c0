using System.Security.Cryptography;
using Tless.Attestation.Sim;
using Tless.AttestationService;

namespace Tless.Cli.Tests;

/// <summary>The manual flow of docs/runtime.md: keys init, register, upload, run, results against two running authorities.</summary>
public sealed class WorkflowRegisterCommandTests : IAsyncLifetime
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("tless-register-cli-");
    private readonly List<RunningAuthority> authorities = [];

    private string Home => Path.Combine(dir.FullName, "home");

    public async ValueTask InitializeAsync()
    {
        Assert.Equal(0, (await RunCommandTests.RunAsync("keys", "init", "--home", Home)).Exit);
        var platformKey = SimulatedTee.ReadPublicKey(File.ReadAllBytes(Path.Combine(Home, "sim-platform.pub.pem")));
        foreach (var id in new[] { "as1", "as2" })
        {
            authorities.Add(await AttestationServiceHost.StartAsync(
                new AuthorityOptions
                {
                    Id = id,
                    DataDirectory = Path.Combine(dir.FullName, id),
                    AllowSimulated = true,
                    SimTrustedKeys = [platformKey],
                    InsecureHttp = true,
                    AtRestKey = [.. RandomNumberGenerator.GetBytes(32)],
                },
                CancellationToken.None));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var a in authorities)
        {
            await a.DisposeAsync();
        }

        dir.Delete(recursive: true);
    }

    private string[] Common() =>
        ["--home", Home, "--as-url", $"as1={authorities[0].Url}", "--as-url", $"as2={authorities[1].Url}"];

    [Fact]
    public async Task RegisterUploadRunResults_Tless_Succeeds()
    {
        File.WriteAllText(Path.Combine(dir.FullName, "text.txt"), "quokka quokka numbat\nquokka bilby\n");
        var workflow = Path.Combine(dir.FullName, "wc.yaml");
        File.WriteAllText(workflow, """
            workflow: wc-cli
            parameters:
              N: 2
            authorities:
              user: user
              mode: all-of
              services:
                - id: as1
                  url: http://127.0.0.1:1
                - id: as2
                  url: http://127.0.0.1:2
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

        var register = await RunCommandTests.RunAsync(["workflow", "register", workflow, .. Common()]);
        Assert.True(register.Exit == 0, register.Err);
        Assert.Contains("registered wc-cli", register.Out, StringComparison.Ordinal);

        // Running before uploading is refused, saying what to run.
        var early = await RunCommandTests.RunAsync(["run", workflow, "--mode", "tless", .. Common()]);
        Assert.Equal(1, early.Exit);
        Assert.Contains("tless workflow upload", early.Err, StringComparison.Ordinal);

        var upload = await RunCommandTests.RunAsync(["workflow", "upload", workflow, "--mode", "tless", .. Common()]);
        Assert.True(upload.Exit == 0, upload.Err);
        var store = Directory.GetFiles(Path.Combine(Home, "store"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(store);
        Assert.All(store, f => Assert.DoesNotContain("quokka", File.ReadAllText(f), StringComparison.Ordinal));

        var run = await RunCommandTests.RunAsync(["run", workflow, "--mode", "tless", "--run", "cli1", .. Common()]);
        Assert.True(run.Exit == 0, run.Err + run.Out);
        Assert.Contains("attested: tee sim", run.Out, StringComparison.Ordinal);

        var results = await RunCommandTests.RunAsync(["results", workflow, "cli1", .. Common()]);
        Assert.True(results.Exit == 0, results.Err);
        Assert.Contains("\"word\": \"quokka\"", results.Out, StringComparison.Ordinal);
        Assert.Contains("\"count\": 3", results.Out, StringComparison.Ordinal);

        // Another home (another owner key) cannot read the results.
        var other = Path.Combine(dir.FullName, "other");
        Assert.Equal(0, (await RunCommandTests.RunAsync("keys", "init", "--home", other)).Exit);
        var stolen = await RunCommandTests.RunAsync(["results", workflow, "cli1", "--store", Path.Combine(Home, "store"), "--home", other,
            "--as-url", $"as1={authorities[0].Url}", "--as-url", $"as2={authorities[1].Url}"]);
        Assert.Equal(1, stolen.Exit);
        Assert.Contains("cannot be opened with the owner's key", stolen.Err, StringComparison.Ordinal);
    }
}
