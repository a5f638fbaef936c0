using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Owner;
using Tless.Runtime.Packaging;
using Tless.Runtime.Protocol;
using Tless.Runtime.Storage;
using Tless.Workflows;

namespace Tless.Runtime.Tests;

/// <summary>A temporary directory with a workflow file, its input, a file store and an owner key.</summary>
internal sealed class RuntimeHarness : IDisposable
{
    public const string InputText = "alpha bravo\ncharlie delta\necho foxtrot\ngolf hotel\nindia juliett\n";

    private readonly DirectoryInfo dir = System.IO.Directory.CreateTempSubdirectory("tless-runtime-test-");

    public RuntimeHarness(string middleFunction = "UpperFunction", string name = "chain", int scale = 3, string services = "as1")
    {
        File.WriteAllText(Path.Combine(dir.FullName, "input.txt"), InputText);
        var serviceLines = string.Join("\n", services.Split(',').Select((s, i) => $"    - id: {s}\n      url: https://127.0.0.1:{8701 + i}"));
        var yaml = $"""
            workflow: {name}
            version: 1
            parameters:
              N: {scale}
            authorities:
              user: user
              mode: all-of
              services:
            {serviceLines}
            nodes:
              - name: split
                function: {TestPackages.Namespace}.SplitFunction
                package: {TestPackages.Name}
                scale: 1
                inputs: [input.txt]
              - name: upper
                function: {TestPackages.Namespace}.{middleFunction}
                package: {TestPackages.Name}
                scale: N
              - name: join
                function: {TestPackages.Namespace}.JoinFunction
                package: {TestPackages.Name}
                scale: 1
            edges:
              - from: split
                to: upper
              - from: upper
                to: join
            """;
        WorkflowPath = Path.Combine(dir.FullName, name + ".yaml");
        File.WriteAllText(WorkflowPath, yaml);
        Spec = WorkflowLoader.Load(WorkflowPath);
        Store = new FileObjectStore(Path.Combine(dir.FullName, "store"));
    }

    public string Directory => dir.FullName;

    public string WorkflowPath { get; }

    public WorkflowSpec Spec { get; }

    public FileObjectStore Store { get; }

    public ECDsa OwnerKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ImmutableDictionary<string, int> Scales => Spec.ResolveScales(null);

    public HostWorkflow HostWorkflow => new()
    {
        Spec = Spec,
        Scales = Scales,
        CodeDigests = Spec.Nodes.ToImmutableDictionary(n => n.Name, _ => TestPackages.Functions.Digest),
        Parameters = Spec.ResolveParameters(null),
    };

    public Task<UploadManifest> UploadAsync(OwnerSealer sealer) =>
        WorkflowUploader.UploadAsync(Spec, new Dictionary<string, FunctionPackage> { [TestPackages.Name] = TestPackages.Functions }, sealer, Store, CancellationToken.None);

    public RunRequest Request(UploadManifest manifest, string run, TimeProvider? time = null) => new()
    {
        Workflow = HostWorkflow,
        Run = run,
        EntryTokens = EntryTokens.Create(Spec, Scales, manifest, run, OwnerKey, time ?? TimeProvider.System, TimeSpan.FromMinutes(5)),
    };

    /// <summary>Signs a token as if sent by <paramref name="from"/> with an arbitrary key.</summary>
    public string Token(string run, string from, string to, IEnumerable<InvocationInput>? inputs = null, TimeProvider? time = null, TimeSpan? lifetime = null) =>
        InvocationTokens.Sign(
            InvocationToken.Create(Spec.Name, run, from, to, inputs ?? [], time ?? TimeProvider.System, lifetime ?? TimeSpan.FromMinutes(5)),
            OwnerKey);

    public void Dispose()
    {
        OwnerKey.Dispose();
        dir.Delete(recursive: true);
    }
}
