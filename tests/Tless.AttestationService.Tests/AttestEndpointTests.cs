using System.Security.Cryptography;
using Tless.Crypto.Abe;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.AttestationService.Tests;

public sealed class AttestEndpointTests : IDisposable
{
    private const string Wf = "wordcount";
    private readonly TestBed bed = new();
    private readonly AuthorityFactory factory;
    private readonly HttpClient client;
    private readonly AuthorityInfo info;

    public AttestEndpointTests()
    {
        factory = bed.Factory("as1");
        client = factory.CreateClient();
        info = Http.Read<AuthorityInfo>(client.GetStringAsync("/v1/authority").GetAwaiter().GetResult());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        client.Dispose();
        bed.Dispose();
    }

    [Fact]
    public async Task Authority_Get_DescribesKeysAndTees()
    {
        Assert.Equal("as1", info.Id);
        Assert.Equal(ProtocolConstants.Version, info.Protocol);
        Assert.Equal("as1", AuthorityPublicKey.FromBytes(Convert.FromBase64String(info.AbePublicKey)).AuthorityId);
        using var tokenKey = P256.ImportEcdsaSpki(Convert.FromBase64String(info.TokenKey), "token key");
        Assert.Equal(["sim"], info.TeeKinds);
        var health = await client.GetStringAsync("/health", Ct);
        Assert.Contains("\"ok\"", health, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_EntryNode_MintsKeyPartAndToken()
    {
        await RegisterAsync();
        using var host = bed.Host();
        var token = bed.UserToken(Wf);
        var (status, _, body) = await Http.PostAsync(client, "/v1/attest", host.Request(token), Ct);
        Assert.Equal(200, status);
        var response = Http.Read<AttestResponse>(body);
        Assert.Equal(["as1.wf:wordcount", "as1.node:splitter", "as1.anc:user"], response.Attributes);
        using var part = UserKeyPart.Import(host.Unwrap(response));
        Assert.Equal(host.Identity.Gid, part.Gid);
        Assert.Equal("as1", part.AuthorityId);
        Assert.Equal(response.Attributes.Order(StringComparer.Ordinal), part.Attributes.Order(StringComparer.Ordinal));

        using var tokenKey = P256.ImportEcdsaSpki(Convert.FromBase64String(info.TokenKey), "token key");
        Assert.True(AuthorityTokens.TryVerify(response.Token, tokenKey, out var claims));
        Assert.Equal(("splitter", 0, host.Identity.Gid, "sim", bed.MeasurementHex), (claims.Node, claims.Instance, claims.Gid, claims.Tee, claims.Measurement));
        Assert.Equal(["user"], claims.Ancestors);
        Assert.Equal(host.Identity.SigningPublicKey, claims.HolderKey.ToArray());
        Assert.Equal(bed.Time.GetUtcNow() + TimeSpan.FromHours(1), claims.ExpiresAt);
    }

    [Fact]
    public async Task Attest_ChainedNode_AcceptsParentVouchedByAuthorityToken()
    {
        await RegisterAsync();
        using var splitter = bed.Host();
        var minted = await AttestOkAsync(splitter, bed.UserToken(Wf));
        using var mapper = bed.Host();
        var token = splitter.Invoke(Wf, "splitter#0", "mapper#2", [minted.Token], bed.Time);
        var response = await AttestOkAsync(mapper, token);
        Assert.Equal(["as1.wf:wordcount", "as1.node:mapper", "as1.anc:splitter"], response.Attributes);
        Assert.Equal(2, response.Instance);
    }

    [Fact]
    public async Task Attest_FanIn_BindsAllTokensAndMintsOnce()
    {
        await RegisterAsync(mappers: 2);
        using var splitter = bed.Host();
        var s = await AttestOkAsync(splitter, bed.UserToken(Wf));
        var tokens = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var mapper = bed.Host();
            var m = await AttestOkAsync(mapper, splitter.Invoke(Wf, "splitter#0", $"mapper#{i}", [s.Token], bed.Time));
            tokens.Add(mapper.Invoke(Wf, $"mapper#{i}", "reducer#0", [m.Token], bed.Time));
        }

        using var reducer = bed.Host();
        var response = await AttestOkAsync(reducer, [.. tokens]);
        Assert.Equal(["as1.wf:wordcount", "as1.node:reducer", "as1.anc:mapper"], response.Attributes);

        // The evidence binds both tokens: one of them alone does not match the report data.
        using var partial = bed.Host();
        var request = partial.Request([.. tokens]) with { InvocationTokens = [tokens[0]] };
        await AssertRefusedAsync(request, 403, ProblemCodes.ReportDataMismatch);
    }

    [Fact]
    public async Task Attest_UnknownWorkflow_Refused()
    {
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(bed.UserToken("nope")), 404, ProblemCodes.UnknownWorkflow);
    }

    [Fact]
    public async Task Attest_UnknownNodeOrInstance_Refused()
    {
        await RegisterAsync();
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf, "ghost#0")), 400, ProblemCodes.UnknownNode);
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf, "splitter#1")), 400, ProblemCodes.InstanceOutOfRange);
    }

    [Fact]
    public async Task Attest_TeeNotAccepted_Refused()
    {
        await RegisterAsync();
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf)) with { Tee = "snp" }, 403, ProblemCodes.TeeNotAccepted);
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf)) with { Tee = "quantum" }, 400, ProblemCodes.MalformedRequest);
    }

    [Fact]
    public async Task Attest_TamperedOrUntrustedEvidence_Refused()
    {
        await RegisterAsync();
        using var host = bed.Host();
        var request = host.Request(bed.UserToken(Wf));
        var evidence = Convert.FromBase64String(request.Evidence);
        evidence[^1] ^= 1;
        await AssertRefusedAsync(request with { Evidence = Convert.ToBase64String(evidence) }, 403, ProblemCodes.EvidenceInvalid);
        await AssertRefusedAsync(request with { Evidence = Convert.ToBase64String(new byte[10]) }, 403, ProblemCodes.EvidenceInvalid);

        using var rogue = Tless.Attestation.Sim.SimulatedTee.Create(bed.Time);
        using var rogueHost = new SimHost(rogue, bed.Measurement);
        await AssertRefusedAsync(rogueHost.Request(bed.UserToken(Wf)), 403, ProblemCodes.EvidenceInvalid);
    }

    [Fact]
    public async Task Attest_UnregisteredMeasurement_Refused()
    {
        await RegisterAsync();
        using var host = bed.Host(Tless.Attestation.Sim.SimulatedTee.Measure("another image"u8));
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf)), 403, ProblemCodes.MeasurementMismatch);
    }

    [Fact]
    public async Task Attest_DebugEvidence_RefusedUnlessAllowed()
    {
        await RegisterAsync();
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request([bed.UserToken(Wf)], debug: true), 403, ProblemCodes.DebugNotAllowed);

        await RegisterAsync(version: 2, allowDebug: true);
        var (status, _, _) = await Http.PostAsync(client, "/v1/attest", host.Request([bed.UserToken(Wf)], debug: true), Ct);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Attest_ReportDataNotBindingRequest_Refused()
    {
        await RegisterAsync();
        using var host = bed.Host();
        using var other = HostIdentity.Create();
        var token = bed.UserToken(Wf);
        var request = host.Request(token);
        await AssertRefusedAsync(request with { Gid = other.Gid }, 403, ProblemCodes.ReportDataMismatch);
        await AssertRefusedAsync(request with { EcdhPublicKey = Convert.ToBase64String(other.KeyAgreementPublicKey) }, 403, ProblemCodes.ReportDataMismatch);
        await AssertRefusedAsync(request with { SigningPublicKey = Convert.ToBase64String(other.SigningPublicKey) }, 403, ProblemCodes.ReportDataMismatch);
        await AssertRefusedAsync(request with { InvocationTokens = [bed.UserToken(Wf)] }, 403, ProblemCodes.ReportDataMismatch);
    }

    [Fact]
    public async Task Attest_MalformedFields_RefusedWithFieldCodes()
    {
        await RegisterAsync();
        using var host = bed.Host();
        var request = host.Request(bed.UserToken(Wf));
        await AssertRefusedAsync(request with { Evidence = "%%%not base64" }, 400, ProblemCodes.BadBase64);
        await AssertRefusedAsync(request with { EcdhPublicKey = "!!" }, 400, ProblemCodes.BadBase64);
        await AssertRefusedAsync(request with { EcdhPublicKey = Convert.ToBase64String(new byte[65]) }, 400, ProblemCodes.KeyInvalid);
        var offCurve = new byte[65];
        offCurve[0] = 4;
        offCurve[64] = 7;
        await AssertRefusedAsync(request with { SigningPublicKey = Convert.ToBase64String(offCurve) }, 400, ProblemCodes.KeyInvalid);
        await AssertRefusedAsync(request with { Gid = "short" }, 400, ProblemCodes.GidInvalid);
        await AssertRefusedAsync(request with { Gid = new string('g', 20) + "/" }, 400, ProblemCodes.GidInvalid);
        await AssertRefusedAsync(request with { InvocationTokens = [] }, 400, ProblemCodes.MalformedRequest);
        await AssertRefusedAsync(request with { InvocationTokens = ["a.b"] }, 400, ProblemCodes.TokenMalformed);
        await AssertRefusedAsync(request with { InvocationTokens = [request.InvocationTokens[0], request.InvocationTokens[0]] }, 400, ProblemCodes.MalformedRequest);
    }

    [Fact]
    public async Task Attest_TokensForDifferentTargets_Refused()
    {
        await RegisterAsync();
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf), bed.UserToken(Wf, "mapper#0")), 400, ProblemCodes.TokenTargetMismatch);
    }

    [Fact]
    public async Task Attest_TokenNotSignedByOwner_Refused()
    {
        await RegisterAsync();
        using var stranger = UserSigningKey.Generate();
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf, key: stranger)), 403, ProblemCodes.TokenSignatureInvalid);
    }

    [Fact]
    public async Task Attest_ExpiredToken_Refused()
    {
        await RegisterAsync();
        var token = bed.UserToken(Wf, lifetime: TimeSpan.FromMinutes(1));
        bed.Time.Advance(TimeSpan.FromMinutes(2));
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(token), 403, ProblemCodes.TokenExpired);
    }

    [Fact]
    public async Task Attest_UserInvokingInnerNode_RefusedAsMissingEdge()
    {
        await RegisterAsync();
        using var host = bed.Host();
        await AssertRefusedAsync(host.Request(bed.UserToken(Wf, "mapper#0")), 403, ProblemCodes.EdgeNotInWorkflow);
    }

    [Fact]
    public async Task Attest_ParentSkippingAnEdge_Refused()
    {
        await RegisterAsync();
        using var splitter = bed.Host();
        var s = await AttestOkAsync(splitter, bed.UserToken(Wf));
        using var reducer = bed.Host();
        await AssertRefusedAsync(reducer.Request(splitter.Invoke(Wf, "splitter#0", "reducer#0", [s.Token], bed.Time)), 403, ProblemCodes.EdgeNotInWorkflow);
    }

    [Fact]
    public async Task Attest_ParentWithoutAuthorityToken_RefusedAsNotVouched()
    {
        await RegisterAsync();
        using var forger = bed.Host();
        using var mapper = bed.Host();
        await AssertRefusedAsync(mapper.Request(forger.Invoke(Wf, "splitter#0", "mapper#0", [], bed.Time)), 403, ProblemCodes.ParentNotVouched);
    }

    [Fact]
    public async Task Attest_AuthorityTokenOfAnotherInstanceOrForged_Refused()
    {
        await RegisterAsync();
        using var splitter = bed.Host();
        var s = await AttestOkAsync(splitter, bed.UserToken(Wf));
        using var mapper = bed.Host();
        var m = await AttestOkAsync(mapper, splitter.Invoke(Wf, "splitter#0", "mapper#0", [s.Token], bed.Time));

        // A mapper's token does not vouch for a splitter.
        using var next = bed.Host();
        await AssertRefusedAsync(next.Request(mapper.Invoke(Wf, "splitter#0", "mapper#1", [m.Token], bed.Time)), 403, ProblemCodes.ParentNotVouched);

        // An authority token signed by some other key does not vouch.
        using var rogueKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = AuthorityTokens.Issue(AuthorityTokens.ParseUnverified(s.Token) with { HolderKey = [.. next.Identity.SigningPublicKey] }, rogueKey);
        await AssertRefusedAsync(next.Request(next.Invoke(Wf, "splitter#0", "mapper#1", [forged], bed.Time)), 403, ProblemCodes.ParentNotVouched);

        // A valid authority token, but the invocation is signed by a key other than the one it vouches for.
        await AssertRefusedAsync(next.Request(next.Invoke(Wf, "splitter#0", "mapper#1", [s.Token], bed.Time)), 403, ProblemCodes.TokenSignatureInvalid);
    }

    [Fact]
    public async Task Attest_ExpiredAuthorityToken_RefusedAsNotVouched()
    {
        await RegisterAsync();
        using var splitter = bed.Host();
        var s = await AttestOkAsync(splitter, bed.UserToken(Wf));
        bed.Time.Advance(TimeSpan.FromHours(2));
        using var mapper = bed.Host();
        await AssertRefusedAsync(mapper.Request(splitter.Invoke(Wf, "splitter#0", "mapper#0", [s.Token], bed.Time)), 403, ProblemCodes.ParentNotVouched);
    }

    [Fact]
    public async Task Attest_TokenBeyondScale_RefusedAsRedeemed()
    {
        await RegisterAsync();
        var token = bed.UserToken(Wf);
        using var first = bed.Host();
        await AttestOkAsync(first, token);
        using var second = bed.Host();
        await AssertRefusedAsync(second.Request(token), 409, ProblemCodes.TokenRedeemed);
    }

    [Fact]
    public async Task Attest_ConcurrentRedemptions_NeverExceedScale()
    {
        await RegisterAsync(mappers: 3);
        using var splitter = bed.Host();
        var s = await AttestOkAsync(splitter, bed.UserToken(Wf));
        var token = splitter.Invoke(Wf, "splitter#0", "mapper#1", [s.Token], bed.Time);
        var hosts = Enumerable.Range(0, 24).Select(_ => bed.Host()).ToList();
        try
        {
            var results = await Task.WhenAll(hosts.Select(h => Task.Run(() => Http.PostAsync(client, "/v1/attest", h.Request(token), Ct), Ct)));
            Assert.Equal(3, results.Count(r => r.Status == 200));
            Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal(ProblemCodes.TokenRedeemed, r.Code));
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public async Task Attest_MalformedJsonOrOversizedBody_Refused()
    {
        var (status, code, _) = await Http.PostAsync(client, "/v1/attest", "{\"tee\": \"sim\", ", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        (status, code, _) = await Http.PostAsync(client, "/v1/attest", "{\"tee\": \"sim\"}", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        (status, code, _) = await Http.PostAsync(client, "/v1/attest", "[1,2]", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        (status, code, _) = await Http.PostAsync(client, "/v1/attest", "null", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        (status, code, _) = await Http.PostAsync(client, "/v1/attest", "", Ct);
        Assert.Equal((400, ProblemCodes.MalformedRequest), (status, code));
        var huge = "{\"evidence\":\"" + new string('A', 2 * 1024 * 1024) + "\"}";
        (status, code, _) = await Http.PostAsync(client, "/v1/attest", huge, Ct);
        Assert.Equal((413, ProblemCodes.BodyTooLarge), (status, code));
    }

    [Fact]
    public async Task UnknownRoute_ProblemNotFound()
    {
        var (status, code, _) = await Http.SendAsync(client, HttpMethod.Get, "/v2/whatever", null, Ct);
        Assert.Equal((404, ProblemCodes.NotFound), (status, code));
    }

    private async Task RegisterAsync(long version = 1, int mappers = 3, bool allowDebug = false)
    {
        var (status, _, body) = await Http.PutAsync(client, "/v1/workflows/" + Wf, bed.Signed(bed.Registration(Wf, [info], version: version, mappers: mappers, allowDebug: allowDebug)), Ct);
        Assert.True(status == 200, body);
    }

    private async Task<AttestResponse> AttestOkAsync(SimHost host, params string[] tokens)
    {
        var (status, _, body) = await Http.PostAsync(client, "/v1/attest", host.Request(tokens), Ct);
        Assert.True(status == 200, body);
        return Http.Read<AttestResponse>(body);
    }

    private async Task AssertRefusedAsync(AttestRequest request, int status, string code)
    {
        var result = await Http.PostAsync(client, "/v1/attest", request, Ct);
        Assert.True((status, code) == (result.Status, result.Code), $"expected {status} {code}, got {result.Status} {result.Code}: {result.Body}");
    }
}
