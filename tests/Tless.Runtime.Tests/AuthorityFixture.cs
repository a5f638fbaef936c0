using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.AttestationService;
using Tless.Attestation.Sim;
using Tless.Crypto.Abe;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Owner;
using Tless.Runtime.Packaging;
using Tless.Runtime.Protocol;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Runtime.Tests;

/// <summary>Two attestation services (as1, as2) on loopback that accept one simulated platform; shared by a test class.</summary>
public sealed class AuthorityFixture : IAsyncLifetime
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("tless-as-fixture-");
    private readonly List<RunningAuthority> running = [];

    public SimulatedTee Platform { get; } = SimulatedTee.Create();

    public ImmutableArray<AuthorityEndpoint> Endpoints { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        foreach (var id in new[] { "as1", "as2" })
        {
            running.Add(await AttestationServiceHost.StartAsync(
                new AuthorityOptions
                {
                    Id = id,
                    DataDirectory = Path.Combine(dir.FullName, id),
                    AllowSimulated = true,
                    SimTrustedKeys = [Platform.PublicKey],
                    InsecureHttp = true,
                    AtRestKey = [.. RandomNumberGenerator.GetBytes(32)],
                },
                CancellationToken.None));
        }

        Endpoints = [.. running.Select(r => new AuthorityEndpoint { Id = r.Id, Url = r.Url, CertificateSha256 = r.CertificateSha256 })];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var r in running)
        {
            await r.DisposeAsync();
        }

        Platform.Dispose();
        dir.Delete(recursive: true);
    }
}

/// <summary>One registered and uploaded workflow in mode tless or tee, with its owner keys, over the fixture's authorities.</summary>
internal sealed class SecureSetup : IDisposable
{
    private SecureSetup(RuntimeHarness harness, AuthorityFixture fixture, AuthoritySet authorities, UserSigningKey owner, AuthorityMasterKey ownerAbe, ECDsa ownerEcdsa)
    {
        Harness = harness;
        Fixture = fixture;
        Authorities = authorities;
        Owner = owner;
        OwnerAbe = ownerAbe;
        OwnerEcdsa = ownerEcdsa;
    }

    public RuntimeHarness Harness { get; }

    public AuthorityFixture Fixture { get; }

    public AuthoritySet Authorities { get; }

    public UserSigningKey Owner { get; }

    public ECDsa OwnerEcdsa { get; }

    public AuthorityMasterKey OwnerAbe { get; }

    public WorkflowSpec Spec { get; private set; } = null!;

    public SignedRegistration Signed { get; private set; } = null!;

    public UploadManifest Manifest { get; private set; } = null!;

    public OwnerSealer Sealer { get; private set; } = null!;

    public HostWorkflow Workflow => HostWorkflow.FromRegistration(Spec, Signed, null, Owner.PublicKeySpki.Span);

    /// <summary>Registers with both authorities and uploads; <paramref name="name"/> must be unique per fixture.</summary>
    public static async Task<SecureSetup> CreateAsync(AuthorityFixture fixture, string name, SecurityMode mode, string middleFunction = "UpperFunction")
    {
        var harness = new RuntimeHarness(middleFunction, name, services: "as1,as2");
        var owner = UserSigningKey.Generate();
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(owner.ExportPkcs8Pem());
        var setup = new SecureSetup(harness, fixture, new AuthoritySet(fixture.Endpoints), owner, AuthorityMasterKey.Generate("user"), ecdsa);
        setup.Spec = harness.Spec.WithServiceUrls(fixture.Endpoints.ToDictionary(e => e.Id, e => e.Url));
        var info = await setup.Authorities.GetInfoAsync(CancellationToken.None);
        var workflowKey = mode == SecurityMode.Tee ? RandomNumberGenerator.GetBytes(32) : [];
        var registration = OwnerRegistration.Build(
            setup.Spec,
            null,
            1,
            setup.Spec.Nodes.ToDictionary(n => n.Name, _ => TestPackages.Functions.Digest),
            [new ReferenceMeasurement { Tee = Attestation.TeeKind.Sim, Measurement = HostMeasurement.ForCurrentHost() }],
            info,
            setup.OwnerAbe.PublicKey,
            workflowKey);
        setup.Signed = SignedRegistration.Sign(registration, owner);
        await OwnerRegistration.RegisterAsync(setup.Authorities, setup.Signed, workflowKey, CancellationToken.None);
        setup.Sealer = mode == SecurityMode.Tee
            ? OwnerSealer.ForWorkflowKey(workflowKey)
            : OwnerSealer.ForTless(setup.Spec, await setup.Authorities.GetAbePublicKeysAsync(CancellationToken.None), setup.OwnerAbe);
        setup.Manifest = await WorkflowUploader.UploadAsync(
            setup.Spec, new Dictionary<string, FunctionPackage> { [TestPackages.Name] = TestPackages.Functions }, setup.Sealer, harness.Store, CancellationToken.None);
        return setup;
    }

    public FunctionHost NewHost(SecurityMode mode, string? measurement = null, TimeProvider? time = null)
    {
        var tee = new SimTeeProvider(Fixture.Platform, measurement);
        var options = new FunctionHostOptions { Store = Harness.Store, Time = time ?? TimeProvider.System };
        return mode == SecurityMode.Tee ? FunctionHost.CreateTee(options, tee, Authorities) : FunctionHost.CreateTless(options, tee, Authorities);
    }

    public RunRequest Request(string run, TimeProvider? time = null, TimeSpan? lifetime = null) => new()
    {
        Workflow = Workflow,
        Run = run,
        EntryTokens = EntryTokens.Create(Spec, Workflow.Scales, Manifest, run, OwnerEcdsa, time ?? TimeProvider.System, lifetime ?? TimeSpan.FromMinutes(5)),
    };

    /// <summary>Attests directly to one authority as a host would (for refusal tests that bypass the host's own checks).</summary>
    public async Task<AttestResponse> AttestDirectlyAsync(string authority, IReadOnlyList<string> tokens, string? measurement = null)
    {
        using var identity = HostIdentity.Create();
        var tee = new SimTeeProvider(Fixture.Platform, measurement);
        var evidence = await tee.GetEvidenceAsync(identity.ReportData(tokens), CancellationToken.None);
        return await Authorities.Client(authority).AttestAsync(
            new AttestRequest
            {
                Tee = "sim",
                Evidence = Convert.ToBase64String(evidence),
                EcdhPublicKey = Convert.ToBase64String(identity.KeyAgreementPublicKey),
                SigningPublicKey = Convert.ToBase64String(identity.SigningPublicKey),
                Gid = identity.Gid,
                InvocationTokens = [.. tokens],
            },
            CancellationToken.None);
    }

    public string UserToken(string run, string to, TimeProvider? time = null, TimeSpan? lifetime = null) =>
        InvocationTokens.Sign(
            InvocationToken.Create(Spec.Name, run, ProtocolConstants.UserParent, to,
                Manifest.Inputs.TryGetValue(NodeInstance.Parse(to, "to").Node, out var inputs) ? inputs.Select(i => i.ToInput()) : [],
                time ?? TimeProvider.System, lifetime ?? TimeSpan.FromMinutes(5)),
            OwnerEcdsa);

    public void Dispose()
    {
        Authorities.Dispose();
        OwnerEcdsa.Dispose();
        OwnerAbe.Dispose();
        Owner.Dispose();
        Harness.Dispose();
    }
}
