using System.Text;
using Microsoft.Extensions.Time.Testing;
using Tless.Runtime.Authority;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Protocol;
using Tless.Runtime.Tee;

namespace Tless.Runtime.Tests.Hosting;

/// <summary>End to end in mode tless over two in-process authorities (all-of) with the simulated TEE.</summary>
public sealed class TlessModeTests(AuthorityFixture fixture) : IClassFixture<AuthorityFixture>
{
    private static readonly string[] InputWords = ["alpha", "bravo", "charlie", "juliett", "ALPHA", "JULIETT"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_Tless_SucceedsOwnerReadsResultAndSecondRunIsWarm()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-ok", SecurityMode.Tless);
        await using var host = s.NewHost(SecurityMode.Tless);
        var runtime = new InprocRuntime(host, s.Harness.Store);

        var first = (await runtime.RunAsync(s.Request("r1"), Ct)).EnsureSucceeded();

        var key = Assert.Single(first.Results);
        Assert.True(s.Sealer.TryOpen(s.Spec.Name, key, await s.Harness.Store.GetAsync(key, Ct), out var plain));
        var text = Encoding.UTF8.GetString(plain);
        Assert.StartsWith("inputs=3\n", text, StringComparison.Ordinal);
        Assert.Contains("JULIETT", text, StringComparison.Ordinal);
        Assert.All(first.Instances, i => Assert.False(i.Warm));
        Assert.All(first.Instances, i => Assert.True(i.AttestMs > 0));
        var attested = Assert.Single(first.Attestations, a => a.Node == "split");
        Assert.Equal("sim", attested.Tee);
        Assert.Equal(HostMeasurement.ForCurrentHost(), attested.Measurement);
        Assert.Equal(["as1", "as2"], attested.Authorities);
        Assert.True(attested.Insecure);

        var second = (await runtime.RunAsync(s.Request("r2"), Ct)).EnsureSucceeded();
        Assert.All(second.Instances, i => Assert.True(i.Warm));
        Assert.All(second.Instances, i => Assert.Equal(0, i.AttestMs));
        Assert.True(s.Sealer.TryOpen(s.Spec.Name, second.Results[0], await s.Harness.Store.GetAsync(second.Results[0], Ct), out var again));
        Assert.Equal(text, Encoding.UTF8.GetString(again));
    }

    [Fact]
    public async Task RunAsync_WarmIdentityExpired_AttestsAgain()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-expire", SecurityMode.Tless);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-2));
        var tee = new SimTeeProvider(fixture.Platform);
        await using var host = FunctionHost.CreateTless(
            new FunctionHostOptions { Store = s.Harness.Store, Time = time, WarmLifetime = TimeSpan.FromMinutes(1) }, tee, s.Authorities);
        var runtime = new InprocRuntime(host, s.Harness.Store, new InprocRuntimeOptions { Time = time });

        (await runtime.RunAsync(s.Request("r1", time), Ct)).EnsureSucceeded();
        time.Advance(TimeSpan.FromSeconds(30));
        var warm = (await runtime.RunAsync(s.Request("r2", time), Ct)).EnsureSucceeded();
        time.Advance(TimeSpan.FromSeconds(45));
        var expired = (await runtime.RunAsync(s.Request("r3", time), Ct)).EnsureSucceeded();

        Assert.All(warm.Instances, i => Assert.Equal(0, i.AttestMs));
        Assert.All(expired.Instances, i => Assert.True(i.AttestMs > 0));
    }

    [Fact]
    public async Task RunAsync_Tless_NoObjectInStoreContainsPlaintext()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-scan", SecurityMode.Tless);
        await using var host = s.NewHost(SecurityMode.Tless);
        (await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct)).EnsureSucceeded();

        var keys = await s.Harness.Store.ListAsync("", Ct);
        Assert.Contains(keys, k => k.Contains("/data/", StringComparison.Ordinal));
        foreach (var key in keys.Where(k => !k.EndsWith(".json", StringComparison.Ordinal)))
        {
            var bytes = await s.Harness.Store.GetAsync(key, Ct);
            var latin = Encoding.Latin1.GetString(bytes);
            foreach (var word in InputWords)
            {
                Assert.DoesNotContain(word, latin, StringComparison.Ordinal);
            }

            // The code packages are sealed too: no zip header, no manifest.
            Assert.DoesNotContain("tless-package", latin, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Open_KeysOfOneNode_CannotDecryptAnotherNodesInput()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-sep", SecurityMode.Tless);
        await using var host = s.NewHost(SecurityMode.Tless);
        (await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct)).EnsureSucceeded();
        var security = (TlessSecurity)host.Security;
        var upper = security.WarmSession(s.Spec.Name, new NodeInstance("upper", 0))!;
        var join = security.WarmSession(s.Spec.Name, new NodeInstance("join", 0))!;
        var joinInput = ObjectNames.Data(s.Spec.Name, "r1", new NodeInstance("join", 0), new NodeInstance("upper", 0), "upper");
        var upperInput = ObjectNames.Data(s.Spec.Name, "r1", new NodeInstance("upper", 0), new NodeInstance("split", 0), "lines");
        var joinBytes = await s.Harness.Store.GetAsync(joinInput, Ct);

        // join can read its input; upper (node:upper, anc:split) cannot, even with join's associated data.
        Assert.NotEmpty(join.Open(s.Spec.Name, joinInput, "join", joinBytes));
        var e = Assert.Throws<ObjectIntegrityException>(() => upper.Open(s.Spec.Name, joinInput, "join", joinBytes));
        Assert.Equal(joinInput, e.Key);
        Assert.Contains("cannot be decrypted with the keys of join", e.Message, StringComparison.Ordinal);

        // And the other way round: join cannot read upper's input.
        var upperBytes = await s.Harness.Store.GetAsync(upperInput, Ct);
        Assert.NotEmpty(upper.Open(s.Spec.Name, upperInput, "upper", upperBytes));
        Assert.Throws<ObjectIntegrityException>(() => join.Open(s.Spec.Name, upperInput, "upper", upperBytes));

        // An object moved to another key does not open (associated data binds the key).
        Assert.Throws<ObjectIntegrityException>(() => join.Open(s.Spec.Name, joinInput + "-moved", "join", joinBytes));
    }

    [Fact]
    public async Task Attest_TokenFromNonParent_RefusedByAuthority()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-edge", SecurityMode.Tless);
        // The user is not a parent of upper.
        var token = s.UserToken("r", "upper#0");
        var e = await Assert.ThrowsAsync<AuthorityException>(() => s.AttestDirectlyAsync("as1", [token]));
        Assert.Equal(ProblemCodes.EdgeNotInWorkflow, e.Code);
    }

    [Fact]
    public async Task Attest_ExpiredToken_RefusedByAuthority()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-exp", SecurityMode.Tless);
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        var token = s.UserToken("r", "split#0", past, TimeSpan.FromMinutes(1));
        var e = await Assert.ThrowsAsync<AuthorityException>(() => s.AttestDirectlyAsync("as1", [token]));
        Assert.Equal(ProblemCodes.TokenExpired, e.Code);
    }

    [Fact]
    public async Task Attest_TokenReplayedBeyondScale_Refused()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-replay", SecurityMode.Tless);
        var token = s.UserToken("r", "split#0");
        var ok = await s.AttestDirectlyAsync("as1", [token]);
        Assert.Equal("split", ok.Node);
        var e = await Assert.ThrowsAsync<AuthorityException>(() => s.AttestDirectlyAsync("as1", [token]));
        Assert.Equal(ProblemCodes.TokenRedeemed, e.Code);
    }

    [Fact]
    public async Task RunAsync_SameEntryTokensOnFreshHost_FailsAsReplay()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-rerun", SecurityMode.Tless);
        var request = s.Request("r1");
        await using (var host = s.NewHost(SecurityMode.Tless))
        {
            (await new InprocRuntime(host, s.Harness.Store).RunAsync(request, Ct)).EnsureSucceeded();
        }

        // A second worker given the same tokens (another run record, same run id inside the tokens) is refused by the authorities.
        await using var other = s.NewHost(SecurityMode.Tless);
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            other.InvokeAsync(request.Workflow, new Invocation { Run = "r1", Target = new NodeInstance("split", 0), Tokens = request.EntryTokens[new NodeInstance("split", 0)] }, Ct));
        Assert.Contains(ProblemCodes.TokenRedeemed, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HostWithUnregisteredMeasurement_GetsNoKey()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-meas", SecurityMode.Tless);
        await using var host = s.NewHost(SecurityMode.Tless, measurement: new string('e', 96));

        var report = await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains("split#0", report.Error, StringComparison.Ordinal);
        Assert.Contains(ProblemCodes.MeasurementMismatch, report.Error, StringComparison.Ordinal);
        Assert.Equal([ObjectNames.RunRecord(s.Spec.Name, "r1")], await s.Harness.Store.ListAsync(ObjectNames.RunPrefix(s.Spec.Name, "r1"), Ct));
    }

    [Fact]
    public async Task RunAsync_TamperedCodeObject_FailsNamingIt()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-code", SecurityMode.Tless);
        var code = ObjectNames.Code(s.Spec.Name, "upper");
        var bytes = await s.Harness.Store.GetAsync(code, Ct);
        bytes[^5] ^= 0x01;
        await s.Harness.Store.PutAsync(code, bytes, Ct);
        await using var host = s.NewHost(SecurityMode.Tless);

        var report = await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains($"object '{code}'", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TamperedInputObject_FailsNamingIt()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-input", SecurityMode.Tless);
        var input = s.Manifest.Inputs["split"][0].Key;
        var bytes = await s.Harness.Store.GetAsync(input, Ct);
        bytes[^1] ^= 0x80;
        await s.Harness.Store.PutAsync(input, bytes, Ct);
        await using var host = s.NewHost(SecurityMode.Tless);

        var report = await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains($"object '{input}'", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FailingFunction_FailsRunAndLeavesOnlyRunRecord()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-fail", SecurityMode.Tless, middleFunction: "FailingFunction");
        await using var host = s.NewHost(SecurityMode.Tless);

        var report = await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains("deliberate failure", report.Error, StringComparison.Ordinal);
        Assert.Equal([ObjectNames.RunRecord(s.Spec.Name, "r1")], await s.Harness.Store.ListAsync(ObjectNames.RunPrefix(s.Spec.Name, "r1"), Ct));
        var uploaded = await s.Harness.Store.ListAsync("wf/", Ct);
        Assert.Equal(4, uploaded.Count);
    }

    [Fact]
    public async Task InvokeAsync_WarmInstanceGivenForgedParentToken_Refused()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tl-forge", SecurityMode.Tless);
        await using var host = s.NewHost(SecurityMode.Tless);
        (await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct)).EnsureSucceeded();

        // join#0 is warm now. A token "from upper#0" signed by someone else, without valid authority tokens, is refused.
        var forged = InvocationTokens.Sign(
            InvocationToken.Create(s.Spec.Name, "r9", "upper#0", "join#0", [], TimeProvider.System, TimeSpan.FromMinutes(5)), s.OwnerEcdsa);
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            host.InvokeAsync(s.Workflow, new Invocation { Run = "r9", Target = new NodeInstance("join", 0), Tokens = [forged] }, Ct));
        Assert.Contains("vouched for by 0 authorities", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Tee_SucceedsAndStoresNoPlaintext()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tee-ok", SecurityMode.Tee);
        await using var host = s.NewHost(SecurityMode.Tee);

        var report = (await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct)).EnsureSucceeded();

        Assert.Equal("tee", report.Mode);
        // One release per worker: only the first instance attests, the others reuse the workflow key.
        Assert.Single(report.Instances, i => i.AttestMs > 0);
        Assert.True(s.Sealer.TryOpen(s.Spec.Name, report.Results[0], await s.Harness.Store.GetAsync(report.Results[0], Ct), out var plain));
        Assert.Contains("JULIETT", Encoding.UTF8.GetString(plain), StringComparison.Ordinal);
        foreach (var key in (await s.Harness.Store.ListAsync("", Ct)).Where(k => !k.EndsWith(".json", StringComparison.Ordinal)))
        {
            var latin = Encoding.Latin1.GetString(await s.Harness.Store.GetAsync(key, Ct));
            Assert.DoesNotContain("juliett", latin, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task RunAsync_Tee_HostWithUnregisteredMeasurement_GetsNoWorkflowKey()
    {
        using var s = await SecureSetup.CreateAsync(fixture, "tee-meas", SecurityMode.Tee);
        await using var host = s.NewHost(SecurityMode.Tee, measurement: new string('d', 96));
        var report = await new InprocRuntime(host, s.Harness.Store).RunAsync(s.Request("r1"), Ct);
        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains("no authority released the workflow key", report.Error, StringComparison.Ordinal);
    }
}
