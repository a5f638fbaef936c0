using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Owner;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Tests.Inproc;

public sealed class InprocRuntimeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_PlainChain_FansOutAndInAndWritesResult()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var runtime = new InprocRuntime(host, h.Store);

        var report = (await runtime.RunAsync(h.Request(manifest, "r1"), Ct)).EnsureSucceeded();

        Assert.Equal(["split#0", "upper#0", "upper#1", "upper#2", "join#0"], report.Instances.Select(i => $"{i.Node}#{i.Index}"));
        var key = Assert.Single(report.Results);
        Assert.Equal(ObjectNames.Result("chain", "r1", new NodeInstance("join", 0), "joined"), key);
        var joined = Encoding.UTF8.GetString(await h.Store.GetAsync(key, Ct));
        Assert.StartsWith("inputs=3\n", joined, StringComparison.Ordinal);
        var lines = joined.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Order(StringComparer.Ordinal);
        Assert.Equal(RuntimeHarness.InputText.ToUpperInvariant().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), lines);

        var record = await InprocRuntime.ReadReportAsync(h.Store, "chain", "r1", Ct);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        Assert.Equal("none", record.Mode);
        Assert.Equal(5, record.Instances.Length);
    }

    [Property(MaxTest = 8)]
    public Property RunAsync_AnyFanOutAndParallelism_JoinSeesEveryLineOnce()
    {
        var gen = from scale in Gen.Choose(1, 7)
                  from parallel in Gen.Choose(1, 4)
                  select (scale, parallel);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            using var h = new RuntimeHarness(scale: c.scale);
            var manifest = h.UploadAsync(OwnerSealer.Plain).GetAwaiter().GetResult();
            var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
            try
            {
                var report = new InprocRuntime(host, h.Store, new InprocRuntimeOptions { MaxParallelism = c.parallel })
                    .RunAsync(h.Request(manifest, "p"), CancellationToken.None).GetAwaiter().GetResult().EnsureSucceeded();

                // split sends line i to upper#(i mod N): instances beyond the 5 lines get nothing and do not run.
                var invoked = Math.Min(c.scale, 5);
                var joined = Encoding.UTF8.GetString(h.Store.GetAsync(report.Results[0], CancellationToken.None).GetAwaiter().GetResult());
                var lines = joined.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return report.Instances.Length == invoked + 2
                    && report.Instances.Select(i => (i.Node, i.Index)).Distinct().Count() == report.Instances.Length
                    && lines[0] == $"inputs={invoked}"
                    && lines.Skip(1).Order(StringComparer.Ordinal).SequenceEqual(
                        RuntimeHarness.InputText.ToUpperInvariant().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
            }
            finally
            {
                host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        });
    }

    [Fact]
    public async Task RunAsync_SecondRunOnSameHost_IsWarm()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var runtime = new InprocRuntime(host, h.Store, new InprocRuntimeOptions { MaxParallelism = 1 });

        var first = (await runtime.RunAsync(h.Request(manifest, "cold"), Ct)).EnsureSucceeded();
        var second = (await runtime.RunAsync(h.Request(manifest, "warm"), Ct)).EnsureSucceeded();

        Assert.False(first.Instances.Single(i => i.Node == "split").Warm);
        Assert.All(second.Instances, i => Assert.True(i.Warm));
    }

    [Fact]
    public async Task RunAsync_FailingFunction_FailsNamingInstanceAndLeavesOnlyRunRecord()
    {
        using var h = new RuntimeHarness(middleFunction: "FailingFunction");
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var runtime = new InprocRuntime(host, h.Store);

        var report = await runtime.RunAsync(h.Request(manifest, "bad"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains("upper#", report.Error, StringComparison.Ordinal);
        Assert.Contains("deliberate failure", report.Error, StringComparison.Ordinal);
        Assert.Empty(report.Results);
        Assert.Equal([ObjectNames.RunRecord("chain", "bad")], await h.Store.ListAsync(ObjectNames.RunPrefix("chain", "bad"), Ct));
        var e = Assert.Throws<RunFailedException>(() => report.EnsureSucceeded());
        Assert.Contains("deliberate failure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FunctionMisusesContext_FailsWithClearError()
    {
        using var h = new RuntimeHarness(middleFunction: "MisbehavingFunction");
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });

        var report = await new InprocRuntime(host, h.Store).RunAsync(h.Request(manifest, "mis"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains("'nowhere' is not a successor of upper", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TamperedInput_FailsNamingObject()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        var inputKey = manifest.Inputs["split"][0].Key;
        await h.Store.PutAsync(inputKey, Encoding.UTF8.GetBytes("tampered"), Ct);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });

        var report = await new InprocRuntime(host, h.Store).RunAsync(h.Request(manifest, "t"), Ct);

        Assert.Equal(RunStatus.Failed, report.Status);
        Assert.Contains(inputKey, report.Error, StringComparison.Ordinal);
        Assert.Contains("tampered", report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExistingRun_Refused()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var runtime = new InprocRuntime(host, h.Store);
        (await runtime.RunAsync(h.Request(manifest, "once"), Ct)).EnsureSucceeded();
        await Assert.ThrowsAsync<ArgumentException>(() => runtime.RunAsync(h.Request(manifest, "once"), Ct));
    }

    [Fact]
    public async Task InvokeAsync_TokenFromNonParent_Refused()
    {
        using var h = new RuntimeHarness();
        await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });

        // split is not a parent of join.
        var token = h.Token("r", "split#0", "join#0");
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            host.InvokeAsync(h.HostWorkflow, new Invocation { Run = "r", Target = new NodeInstance("join", 0), Tokens = [token] }, Ct));
        Assert.Contains("not a parent of join", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_UserTokenForNonEntryNode_Refused()
    {
        using var h = new RuntimeHarness();
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            host.InvokeAsync(h.HostWorkflow, new Invocation { Run = "r", Target = new NodeInstance("upper", 0), Tokens = [h.Token("r", "user", "upper#0")] }, Ct));
        Assert.Contains("not an entry node", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ExpiredToken_Refused()
    {
        using var h = new RuntimeHarness();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-04T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store, Time = time });
        var token = h.Token("r", "user", "split#0", manifest.Inputs["split"].Select(o => o.ToInput()), time, TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(2));

        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            host.InvokeAsync(h.HostWorkflow, new Invocation { Run = "r", Target = new NodeInstance("split", 0), Tokens = [token] }, Ct));
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ReplayedToken_RefusedSecondTime()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var token = h.Token("r", "user", "split#0", manifest.Inputs["split"].Select(o => o.ToInput()));
        var invocation = new Invocation { Run = "r", Target = new NodeInstance("split", 0), Tokens = [token] };

        await host.InvokeAsync(h.HostWorkflow, invocation, Ct);
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() => host.InvokeAsync(h.HostWorkflow, invocation, Ct));
        Assert.Contains("already redeemed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other-run", "split#0", "is for run 'other-run'")]
    [InlineData("r", "split#1", "split#1 is out of range")]
    public async Task InvokeAsync_WrongRunOrTarget_Refused(string tokenRun, string to, string expected)
    {
        using var h = new RuntimeHarness();
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var target = NodeInstance.Parse(to, "to");
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            host.InvokeAsync(h.HostWorkflow, new Invocation { Run = "r", Target = target, Tokens = [h.Token(tokenRun, "user", to)] }, Ct));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_TokenNamingAnotherInstancesInput_Refused()
    {
        using var h = new RuntimeHarness();
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var foreign = ObjectNames.Data("chain", "r", new NodeInstance("upper", 1), new NodeInstance("split", 0), "lines");
        var token = h.Token("r", "split#0", "upper#0", [new InvocationInput(foreign, new string('0', 64))]);
        var e = await Assert.ThrowsAsync<InvocationRefusedException>(() =>
            host.InvokeAsync(h.HostWorkflow, new Invocation { Run = "r", Target = new NodeInstance("upper", 0), Tokens = [token] }, Ct));
        Assert.Contains("is not an input of upper#0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_CodeNotMatchingRegisteredDigest_Refused()
    {
        using var h = new RuntimeHarness();
        var manifest = await h.UploadAsync(OwnerSealer.Plain);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = h.Store });
        var workflow = h.HostWorkflow with { CodeDigests = h.HostWorkflow.CodeDigests.SetItem("split", new string('a', 64)) };
        var token = h.Token("r", "user", "split#0", manifest.Inputs["split"].Select(o => o.ToInput()));
        var e = await Assert.ThrowsAsync<ObjectIntegrityException>(() =>
            host.InvokeAsync(workflow, new Invocation { Run = "r", Target = new NodeInstance("split", 0), Tokens = [token] }, Ct));
        Assert.Equal(ObjectNames.Code("chain", "split"), e.Key);
        Assert.Contains("registration says", e.Message, StringComparison.Ordinal);
    }
}
