using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests;

public sealed class ObservabilityTests : IDisposable
{
    private readonly TestBed bed = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Attest_MintsAndRefusals_CountedAndSecretsNeverLogged()
    {
        var id = "obs" + Guid.NewGuid().ToString("N")[..8];
        var counts = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Tless.AttestationService")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? authority = null, code = null;
            foreach (var tag in tags)
            {
                authority = tag.Key == "authority" ? tag.Value as string : authority;
                code = tag.Key == "code" ? tag.Value as string : code;
            }

            if (authority == id)
            {
                counts.AddOrUpdate(instrument.Name + (code is null ? "" : "/" + code), value, (_, v) => v + value);
            }
        });
        listener.Start();

        var logs = new ConcurrentQueue<string>();
        using var factory = bed.Factory(id, o => o with { ConsoleLogLevel = LogLevel.Trace });
        using var client = factory
            .WithWebHostBuilder(web => web.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(new CapturingProvider(logs))))
            .CreateClient();
        var info = Http.Read<AuthorityInfo>(await client.GetStringAsync("/v1/authority", Ct));
        Assert.Equal(200, (await Http.PutAsync(client, "/v1/workflows/wf", bed.Signed(bed.Registration("wf", [info])), Ct)).Status);
        using var host = bed.Host();
        var token = bed.UserToken("wf");
        var request = host.Request(token);
        var (status, _, body) = await Http.PostAsync(client, "/v1/attest", request, Ct);
        Assert.Equal(200, status);
        var minted = Http.Read<AttestResponse>(body);
        using var second = bed.Host();
        Assert.Equal(ProblemCodes.TokenRedeemed, (await Http.PostAsync(client, "/v1/attest", second.Request(token), Ct)).Code);
        Assert.Equal(ProblemCodes.ReportDataMismatch, (await Http.PostAsync(client, "/v1/attest", request with { InvocationTokens = [bed.UserToken("wf")] }, Ct)).Code);

        Assert.Equal(1, counts.GetValueOrDefault("tless.as.mints"));
        Assert.Equal(1, counts.GetValueOrDefault("tless.as.registrations"));
        Assert.Equal(1, counts.GetValueOrDefault("tless.as.refusals/" + ProblemCodes.TokenRedeemed));
        Assert.Equal(1, counts.GetValueOrDefault("tless.as.refusals/" + ProblemCodes.ReportDataMismatch));

        var all = string.Join("\n", logs);
        Assert.Contains("Minted", all, StringComparison.Ordinal);
        Assert.Contains(ProblemCodes.TokenRedeemed, all, StringComparison.Ordinal);
        foreach (var secret in new[] { token, request.Evidence, minted.KeyPart, minted.Token, request.EcdhPublicKey, request.Gid, token.Split('.')[2] })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(sink);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Enqueue(formatter(state, exception) + exception);
        }
    }
}
