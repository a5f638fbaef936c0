using System.Security.Cryptography;
using Tless.Crypto.Abe;
using Tless.Runtime.Hosting;
using Tless.Runtime.Owner;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.Runtime.Tests.Owner;

public sealed class OwnerTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("tless-owner-test-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void Initialize_Twice_RefusesWithoutForceAndKeepsKeys()
    {
        var home = new OwnerHome(Path.Combine(dir.FullName, "h"));
        Assert.False(home.IsInitialized);
        home.Initialize("user", force: false);
        Assert.True(home.IsInitialized);
        var before = File.ReadAllBytes(Path.Combine(home.Directory, OwnerHome.AbeKeyFile));

        var e = Assert.Throws<OwnerHomeException>(() => home.Initialize("user", force: false));
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(home.Directory, OwnerHome.AbeKeyFile)));

        using var abe = home.LoadAbeKey();
        Assert.Equal("user", abe.AuthorityId);
        using var signing = home.LoadSigningKey();
        using var ecdsa = home.LoadSigningEcdsa();
        Assert.Equal(signing.PublicKeySpki.ToArray(), ecdsa.ExportSubjectPublicKeyInfo());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home.Directory, OwnerHome.SigningKeyFile)));
        }
    }

    [Fact]
    public void Load_Uninitialized_SaysToRunKeysInit()
    {
        var home = new OwnerHome(Path.Combine(dir.FullName, "empty"));
        var e = Assert.Throws<OwnerHomeException>(() => home.LoadSigningKey());
        Assert.Contains("tless keys init", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad-id")]
    [InlineData("")]
    public void Initialize_BadUser_Throws(string user) =>
        Assert.ThrowsAny<ArgumentException>(() => new OwnerHome(dir.FullName).Initialize(user, force: false));

    [Fact]
    public void FromRegistration_Valid_TakesScalesDigestsAndOwnerKeys()
    {
        using var h = new RuntimeHarness(services: "as1,as2");
        using var owner = UserSigningKey.Generate();
        using var abe = AuthorityMasterKey.Generate("user");
        var signed = SignedRegistration.Sign(Build(h, abe, null), owner);

        var workflow = HostWorkflow.FromRegistration(h.Spec, signed, null, owner.PublicKeySpki.Span);

        Assert.Equal(3, workflow.ScaleOf("upper"));
        Assert.Equal(new string('a', 64), workflow.CodeDigests["join"]);
        Assert.Equal(abe.PublicKey, workflow.OwnerAbeKey);
        Assert.Equal(owner.PublicKeySpki.ToArray(), workflow.OwnerSigningKey.ToArray());
    }

    [Fact]
    public void FromRegistration_SignedByAnotherKey_Refused()
    {
        using var h = new RuntimeHarness(services: "as1,as2");
        using var owner = UserSigningKey.Generate();
        using var mallory = UserSigningKey.Generate();
        using var abe = AuthorityMasterKey.Generate("user");
        var signed = SignedRegistration.Sign(Build(h, abe, null), mallory);

        var e = Assert.Throws<InvocationRefusedException>(() => HostWorkflow.FromRegistration(h.Spec, signed, null, owner.PublicKeySpki.Span));
        Assert.Contains(RegistrationChecks.KeyMismatch, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRegistration_TamperedAfterSigning_Refused()
    {
        using var h = new RuntimeHarness(services: "as1,as2");
        using var owner = UserSigningKey.Generate();
        using var abe = AuthorityMasterKey.Generate("user");
        var signed = SignedRegistration.Sign(Build(h, abe, null), owner);
        var tampered = signed with { Registration = signed.Registration with { Nodes = [.. signed.Registration.Nodes.Select(n => n with { CodeDigest = new string('b', 64) })] } };

        var e = Assert.Throws<InvocationRefusedException>(() => HostWorkflow.FromRegistration(h.Spec, tampered, null, owner.PublicKeySpki.Span));
        Assert.Contains(RegistrationChecks.Signature, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRegistration_OtherScaleThanRegistered_RefusedSayingWhy()
    {
        using var h = new RuntimeHarness(services: "as1,as2");
        using var owner = UserSigningKey.Generate();
        using var abe = AuthorityMasterKey.Generate("user");
        var signed = SignedRegistration.Sign(Build(h, abe, null), owner);

        var e = Assert.Throws<InvocationRefusedException>(() =>
            HostWorkflow.FromRegistration(h.Spec, signed, new Dictionary<string, string> { ["N"] = "5" }, owner.PublicKeySpki.Span));
        Assert.Contains("scale 5 in this run but 3 in the registration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WorkflowKey_CommitsToItsDigest()
    {
        using var h = new RuntimeHarness(services: "as1,as2");
        using var abe = AuthorityMasterKey.Generate("user");
        var key = RandomNumberGenerator.GetBytes(32);
        var registration = Build(h, abe, key);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key)), registration.Extensions[ProtocolConstants.WorkflowKeyDigestExtension]);
        Assert.All(registration.Authorities, a => Assert.NotNull(a.TokenKey));
    }

    [Fact]
    public async Task EntryTokens_OnePerEntryInstance_NamingUploadedInputs()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        var tokens = EntryTokens.Create(h.Spec, h.Scales, manifest, "r", h.OwnerKey, TimeProvider.System, TimeSpan.FromMinutes(1));
        var (instance, list) = Assert.Single(tokens);
        Assert.Equal(new NodeInstance("split", 0), instance);
        Assert.True(InvocationTokens.TryVerify(Assert.Single(list), h.OwnerKey, out var token));
        Assert.Equal("user", token.From);
        Assert.Equal(manifest.Inputs["split"].Select(i => i.ToInput()), token.Inputs);
    }

    private static Registration Build(RuntimeHarness h, AuthorityMasterKey abe, byte[]? workflowKey)
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var info = new[] { "as1", "as2" }.ToDictionary(
            id => id,
            id => new AuthorityInfo { Id = id, AbePublicKey = "", TokenKey = Convert.ToBase64String(tokenKey.ExportSubjectPublicKeyInfo()), TeeKinds = ["sim"] });
        return OwnerRegistration.Build(
            h.Spec, null, 1, h.Spec.Nodes.ToDictionary(n => n.Name, _ => new string('a', 64)),
            [new ReferenceMeasurement { Tee = Attestation.TeeKind.Sim, Measurement = new string('c', 96) }], info, abe.PublicKey, workflowKey);
    }
}
