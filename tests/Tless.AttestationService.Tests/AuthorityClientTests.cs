using System.Net;
using System.Text;
using Tless.Runtime.Authority;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Tests;

public sealed class AuthorityClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_TransientFailures_RetriedUntilSuccess()
    {
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => throw new HttpRequestException("connection refused"),
            _ => Json(HttpStatusCode.OK, "{\"id\":\"as1\",\"abePublicKey\":\"AA==\",\"tokenKey\":\"AA==\",\"teeKinds\":[\"sim\"]}"));
        using var client = Client(handler, retries: 3);
        var info = await client.GetAuthorityAsync(Ct);
        Assert.Equal("as1", info.Id);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task Attest_Refusal_NotRetriedAndCarriesCode()
    {
        var handler = new ScriptedHandler(_ => Json((HttpStatusCode)403, "{\"status\":403,\"detail\":\"no\",\"code\":\"measurement_mismatch\"}"));
        using var client = Client(handler, retries: 3);
        var e = await Assert.ThrowsAsync<AuthorityException>(() => client.AttestAsync(Request(), Ct));
        Assert.Equal((ProblemCodes.MeasurementMismatch, 403), (e.Code, e.Status));
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task Get_PersistentServerErrors_GiveUpWithLastProblem()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.InternalServerError, "{\"code\":\"internal_error\",\"detail\":\"x\"}"));
        using var client = Client(handler, retries: 2);
        var e = await Assert.ThrowsAsync<AuthorityException>(() => client.GetAuthorityAsync(Ct));
        Assert.Equal(ProblemCodes.InternalError, e.Code);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task Get_Unreachable_TypedError()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("connection refused"));
        using var client = Client(handler, retries: 1);
        var e = await Assert.ThrowsAsync<AuthorityException>(() => client.GetAuthorityAsync(Ct));
        Assert.Equal(AuthorityException.Unreachable, e.Code);
        Assert.Null(e.Status);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Get_MalformedAnswer_BadResponse()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, "{\"id\": 5"));
        using var client = Client(handler, retries: 0);
        var e = await Assert.ThrowsAsync<AuthorityException>(() => client.GetAuthorityAsync(Ct));
        Assert.Equal(AuthorityException.BadResponse, e.Code);
    }

    [Fact]
    public void Create_BadFingerprint_Throws()
    {
        Assert.Throws<ArgumentException>(() => AuthorityClient.CreateHandler("abc"));
        using var ok = AuthorityClient.CreateHandler(string.Join(':', Enumerable.Repeat("AB", 32)));
    }

    private static AuthorityClient Client(ScriptedHandler handler, int retries) =>
        new(new HttpClient(handler), new AuthorityClientOptions
        {
            BaseAddress = new Uri("https://as.example/"),
            MaxRetries = retries,
            RetryDelay = TimeSpan.Zero,
        });

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, status == HttpStatusCode.OK ? "application/json" : "application/problem+json") };

    private static AttestRequest Request() => new()
    {
        Tee = "sim",
        Evidence = "AA==",
        EcdhPublicKey = "AA==",
        SigningPublicKey = "AA==",
        Gid = new string('g', 20),
        InvocationTokens = ["a.b.c"],
    };

    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] script) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var step = script[Math.Min(Calls, script.Length - 1)];
            Calls++;
            return Task.FromResult(step(request));
        }
    }
}
