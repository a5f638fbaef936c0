using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.AttestationService.Tests;

public sealed class RegistrationEndpointTests : IDisposable
{
    private readonly TestBed bed = new();
    private readonly HttpClient client;
    private readonly AuthorityInfo info;

    public RegistrationEndpointTests()
    {
        client = bed.Factory("as1").CreateClient();
        info = Http.Read<AuthorityInfo>(client.GetStringAsync("/v1/authority").GetAwaiter().GetResult());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        client.Dispose();
        bed.Dispose();
    }

    [Fact]
    public async Task Register_First_PinsKeyAndHigherVersionUpdates()
    {
        var (status, _, body) = await PutAsync("wf", bed.Signed(bed.Registration("wf", [info])));
        Assert.Equal(200, status);
        var first = Http.Read<RegisterResponse>(body);
        Assert.True(first.Pinned);
        Assert.Equal(bed.User.Thumbprint, first.UserKeySha256);

        (status, _, body) = await PutAsync("wf", bed.Signed(bed.Registration("wf", [info], version: 5)));
        Assert.Equal(200, status);
        Assert.Equal((5L, false), (Http.Read<RegisterResponse>(body).Version, Http.Read<RegisterResponse>(body).Pinned));
        var stored = Http.Read<RegisterResponse>(await client.GetStringAsync("/v1/workflows/wf", Ct));
        Assert.Equal(5, stored.Version);
    }

    [Fact]
    public async Task Register_SameOrLowerVersion_RefusedAsReplay()
    {
        Assert.Equal(200, (await PutAsync("wf", bed.Signed(bed.Registration("wf", [info], version: 3)))).Status);
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info], version: 3)), 409, ProblemCodes.RegistrationVersionNotHigher);
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info], version: 2)), 409, ProblemCodes.RegistrationVersionNotHigher);
    }

    [Fact]
    public async Task Register_OtherUsersKey_Refused()
    {
        Assert.Equal(200, (await PutAsync("wf", bed.Signed(bed.Registration("wf", [info])))).Status);
        using var mallory = UserSigningKey.Generate();
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info], version: 9), mallory), 403, ProblemCodes.RegistrationKeyMismatch);
    }

    [Fact]
    public async Task Register_TamperedSignedDocument_Refused()
    {
        var json = bed.Signed(bed.Registration("wf", [info])).Registration.Replace("\"scale\":3", "\"scale\":99", StringComparison.Ordinal);
        await AssertRefusedAsync("wf", new RegisterRequest { Registration = json }, 403, ProblemCodes.RegistrationSignatureInvalid);
    }

    [Fact]
    public async Task Register_WrongPathOrNotListed_Refused()
    {
        await AssertRefusedAsync("other", bed.Signed(bed.Registration("wf", [info])), 400, ProblemCodes.RegistrationNameMismatch);
        var foreign = info with { Id = "as9" };
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [foreign])), 400, ProblemCodes.RegistrationAuthorityNotListed);
    }

    [Fact]
    public async Task Register_PeerWithoutTokenKeyOrStaleOwnKey_Refused()
    {
        var registration = bed.Registration("wf", [info]);
        registration = registration with { Authorities = [.. registration.Authorities, new RegisteredAuthority { Id = "as2", Url = "https://127.0.0.1:2/" }] };
        await AssertRefusedAsync("wf", bed.Signed(registration), 400, ProblemCodes.RegistrationInvalid);

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var stale = info with { TokenKey = Convert.ToBase64String(other.ExportSubjectPublicKeyInfo()) };
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [stale])), 400, ProblemCodes.RegistrationInvalid);
    }

    [Fact]
    public async Task Register_MalformedBodies_Refused()
    {
        var (status, code, _) = await Http.PutAsync(client, "/v1/workflows/wf", "{not json", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        (status, code, _) = await Http.PutAsync(client, "/v1/workflows/wf", "{}", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        await AssertRefusedAsync("wf", new RegisterRequest { Registration = "{\"alg\":\"ES256\"}" }, 400, ProblemCodes.RegistrationInvalid);
        await AssertRefusedAsync("wf", new RegisterRequest { Registration = "[]" }, 400, ProblemCodes.RegistrationInvalid);
        var bad = bed.Registration("wf", [info]);
        bad = bad with { Nodes = [.. bad.Nodes.Select(n => n with { CodeDigest = "xyz" })] };
        await AssertRefusedAsync("wf", bed.Signed(bad), 400, ProblemCodes.RegistrationInvalid);
    }

    [Fact]
    public async Task Register_WorkflowKeyMustMatchSignedDigest()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var digest = Convert.ToHexStringLower(SHA256.HashData(key));
        var ext = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(ProtocolConstants.WorkflowKeyDigestExtension, digest)]);
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info], extensions: ext)), 400, ProblemCodes.WorkflowKeyMismatch);
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info], extensions: ext), workflowKey: Convert.ToBase64String(new byte[32])), 400, ProblemCodes.WorkflowKeyMismatch);
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info]), workflowKey: Convert.ToBase64String(key)), 400, ProblemCodes.WorkflowKeyMismatch);
        await AssertRefusedAsync("wf", bed.Signed(bed.Registration("wf", [info], extensions: ext), workflowKey: "***"), 400, ProblemCodes.BadBase64);
        Assert.Equal(200, (await PutAsync("wf", bed.Signed(bed.Registration("wf", [info], extensions: ext), workflowKey: Convert.ToBase64String(key)))).Status);
    }

    [Fact]
    public async Task Release_AttestedHost_GetsDepositedKeyWrapped()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var ext = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(ProtocolConstants.WorkflowKeyDigestExtension, Convert.ToHexStringLower(SHA256.HashData(key)))]);
        Assert.Equal(200, (await PutAsync("wf", bed.Signed(bed.Registration("wf", [info], extensions: ext), workflowKey: Convert.ToBase64String(key)))).Status);

        using var host = bed.Host();
        var (status, _, body) = await Http.PostAsync(client, "/v1/release", host.Release("wf"), Ct);
        Assert.Equal(200, status);
        var response = Http.Read<ReleaseResponse>(body);
        Assert.True(host.Identity.TryUnwrap(Convert.FromBase64String(response.WrappedKey), KeyWrap.ReleaseContext("as1", "wf", host.Identity.Gid), out var released));
        Assert.Equal(key, released);
        Assert.False(host.Identity.TryUnwrap(Convert.FromBase64String(response.WrappedKey), KeyWrap.ReleaseContext("as2", "wf", host.Identity.Gid), out _));

        using var rogue = bed.Host(Tless.Attestation.Sim.SimulatedTee.Measure("other"u8));
        var refused = await Http.PostAsync(client, "/v1/release", rogue.Release("wf"), Ct);
        Assert.Equal((403, ProblemCodes.MeasurementMismatch), (refused.Status, refused.Code));
        refused = await Http.PostAsync(client, "/v1/release", host.Release("wf") with { Gid = HostIdentity.Create().Gid }, Ct);
        Assert.Equal((403, ProblemCodes.ReportDataMismatch), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task Release_WithoutDepositedKey_Refused()
    {
        Assert.Equal(200, (await PutAsync("wf", bed.Signed(bed.Registration("wf", [info])))).Status);
        using var host = bed.Host();
        var refused = await Http.PostAsync(client, "/v1/release", host.Release("wf"), Ct);
        Assert.Equal((409, ProblemCodes.NoWorkflowKey), (refused.Status, refused.Code));
        refused = await Http.PostAsync(client, "/v1/release", host.Release("absent"), Ct);
        Assert.Equal((404, ProblemCodes.UnknownWorkflow), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task RateLimit_Exceeded_Refused429()
    {
        using var limited = bed.Factory("as1", o => o with { DataDirectory = Path.Combine(bed.Temp.Path, "limited"), RateLimitPerSecond = 1, RateLimitBurst = 2 });
        using var c = limited.CreateClient();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Http.SendAsync(c, HttpMethod.Get, "/v1/authority", null, Ct)));
        Assert.Contains(results, r => r.Status == 200);
        Assert.Contains(results, r => r.Status == 429 && r.Code == ProblemCodes.RateLimited);
        Assert.All(results, r => Assert.True(r.Status is 200 or 429));
    }

    private Task<(int Status, string? Code, string Body)> PutAsync(string wf, RegisterRequest request) =>
        Http.PutAsync(client, "/v1/workflows/" + wf, request, Ct);

    private async Task AssertRefusedAsync(string wf, RegisterRequest request, int status, string code)
    {
        var result = await PutAsync(wf, request);
        Assert.True((status, code) == (result.Status, result.Code), $"expected {status} {code}, got {result.Status} {result.Code}: {result.Body}");
    }
}
