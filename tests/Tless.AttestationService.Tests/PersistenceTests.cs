using Tless.AttestationService.Storage;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests;

public sealed class PersistenceTests : IDisposable
{
    private readonly TestBed bed = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Restart_SameDataDirectory_KeepsKeysRegistrationsAndRedemptions()
    {
        var token = bed.UserToken("wf");
        AuthorityInfo before;
        using (var factory = new AuthorityFactory(bed.Options("as1")))
        using (var client = factory.CreateClient())
        {
            before = Http.Read<AuthorityInfo>(await client.GetStringAsync("/v1/authority", Ct));
            Assert.Equal(200, (await Http.PutAsync(client, "/v1/workflows/wf", bed.Signed(bed.Registration("wf", [before], version: 4)), Ct)).Status);
            using var host = bed.Host();
            Assert.Equal(200, (await Http.PostAsync(client, "/v1/attest", host.Request(token), Ct)).Status);
        }

        using (var factory = new AuthorityFactory(bed.Options("as1")))
        using (var client = factory.CreateClient())
        {
            var after = Http.Read<AuthorityInfo>(await client.GetStringAsync("/v1/authority", Ct));
            Assert.Equal((before.AbePublicKey, before.TokenKey), (after.AbePublicKey, after.TokenKey));
            var replay = await Http.PutAsync(client, "/v1/workflows/wf", bed.Signed(bed.Registration("wf", [before], version: 4)), Ct);
            Assert.Equal(ProblemCodes.RegistrationVersionNotHigher, replay.Code);
            using var host = bed.Host();
            var again = await Http.PostAsync(client, "/v1/attest", host.Request(token), Ct);
            Assert.Equal(ProblemCodes.TokenRedeemed, again.Code);
            Assert.Equal(200, (await Http.PostAsync(client, "/v1/attest", host.Request(bed.UserToken("wf")), Ct)).Status);
        }
    }

    [Fact]
    public async Task Start_CorruptDatabase_ReportedAndLeftUntouched()
    {
        var options = bed.Options("as1");
        Directory.CreateDirectory(options.DataDirectory);
        var path = Path.Combine(options.DataDirectory, AuthorityStore.FileName);
        var garbage = "this is not a database, but someone's precious file"u8.ToArray();
        await File.WriteAllBytesAsync(path, garbage, Ct);
        using var factory = new AuthorityFactory(options);
        var e = Assert.Throws<AuthorityStoreException>(() => factory.CreateClient());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    public async Task Start_TruncatedSqliteDatabase_Reported()
    {
        var options = bed.Options("as1");
        using (var factory = new AuthorityFactory(options))
        {
            factory.CreateClient().Dispose();
        }

        var path = Path.Combine(options.DataDirectory, AuthorityStore.FileName);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        foreach (var extra in Directory.GetFiles(options.DataDirectory, AuthorityStore.FileName + "-*"))
        {
            File.Delete(extra);
        }

        var damaged = bytes.ToArray();
        Array.Fill(damaged, (byte)0xEE, 100, Math.Min(900, damaged.Length - 100));
        await File.WriteAllBytesAsync(path, damaged, Ct);
        using var again = new AuthorityFactory(options);
        Assert.Throws<AuthorityStoreException>(() => again.CreateClient());
        Assert.Equal(damaged, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    public void Start_WrongAtRestKey_ReportedClearly()
    {
        var options = bed.Options("as1");
        using (var factory = new AuthorityFactory(options))
        {
            factory.CreateClient().Dispose();
        }

        using var wrong = new AuthorityFactory(options with { AtRestKey = [.. new byte[32]] });
        var e = Assert.Throws<AuthorityStoreException>(() => wrong.CreateClient());
        Assert.Contains("does not decrypt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_DataDirectoryOfAnotherAuthority_Refused()
    {
        var options = bed.Options("as1");
        using (var factory = new AuthorityFactory(options))
        {
            factory.CreateClient().Dispose();
        }

        using var other = new AuthorityFactory(options with { Id = "as2" });
        var e = Assert.Throws<AuthorityStoreException>(() => other.CreateClient());
        Assert.Contains("'as1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_KeyFile_CreatedWithOwnerOnlyMode()
    {
        var options = bed.Options("as1") with { AtRestKey = [] };
        using (var factory = new AuthorityFactory(options))
        {
            factory.CreateClient().Dispose();
        }

        var keyFile = Path.Combine(options.DataDirectory, AtRestKey.FileName);
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            using var loose = new AuthorityFactory(options);
            Assert.Throws<AuthorityStoreException>(() => loose.CreateClient());
        }
    }

    [Fact]
    public void Options_Invalid_AllErrorsReportedAtOnce()
    {
        var options = bed.Options("bad id!") with { Port = 70000, InsecureHttp = true, ListenAddress = System.Net.IPAddress.Parse("10.0.0.1"), MaxRequestBodyBytes = 10 };
        var e = Assert.Throws<AuthorityConfigurationException>(() => AttestationServiceHost.CreateHostBuilder(options));
        Assert.Equal(4, e.Errors.Count);
    }

    [Fact]
    public void Start_SimulatedWithoutTrustAnchors_Refused()
    {
        var options = bed.Options("as1") with { SimTrustedKeys = [] };
        using var factory = new AuthorityFactory(options);
        var e = Assert.Throws<AuthorityConfigurationException>(() => factory.CreateClient());
        Assert.Contains("--sim-trust", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SimTrustFileWithSeveralKeys_TrustsEach()
    {
        using var second = Tless.Attestation.Sim.SimulatedTee.Create(bed.Time);
        var file = Path.Combine(bed.Temp.Path, "trust.pem");
        await File.WriteAllTextAsync(file, bed.Platform.ExportPublicKeyPem() + "\n" + second.ExportPublicKeyPem() + "\n", Ct);
        using var factory = new AuthorityFactory(bed.Options("as1") with { SimTrustedKeys = [], SimTrustFiles = [file] });
        using var client = factory.CreateClient();
        var info = Http.Read<AuthorityInfo>(await client.GetStringAsync("/v1/authority", Ct));
        Assert.Equal(200, (await Http.PutAsync(client, "/v1/workflows/wf", bed.Signed(bed.Registration("wf", [info])), Ct)).Status);
        using var one = bed.Host();
        using var two = new SimHost(second, bed.Measurement);
        Assert.Equal(200, (await Http.PostAsync(client, "/v1/attest", one.Request(bed.UserToken("wf")), Ct)).Status);
        Assert.Equal(200, (await Http.PostAsync(client, "/v1/attest", two.Request(bed.UserToken("wf")), Ct)).Status);
    }
}
