using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation;
using Tless.Attestation.Sim;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.AttestationService.Tests;

/// <summary>An authority hosted by WebApplicationFactory on the in-memory test server.</summary>
internal sealed class AuthorityFactory(AuthorityOptions options) : WebApplicationFactory<Program>
{
    public AuthorityOptions Options { get; } = options;

    protected override IHostBuilder CreateHostBuilder() => AttestationServiceHost.CreateHostBuilder(Options);
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tless-as-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Everything a test needs around one or more authorities: clock, simulated platform, user key, data dirs.</summary>
internal sealed class TestBed : IDisposable
{
    private readonly List<IDisposable> owned = [];

    public TestBed()
    {
        Platform = SimulatedTee.Create(Time);
        owned.Add(Platform);
        owned.Add(User);
        owned.Add(Temp);
        Measurement = SimulatedTee.Measure("tless-test-host"u8);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    public SimulatedTee Platform { get; }

    public UserSigningKey User { get; } = UserSigningKey.Generate();

    public TempDirectory Temp { get; } = new();

    public byte[] Measurement { get; }

    public string MeasurementHex => Convert.ToHexStringLower(Measurement);

    public AuthorityOptions Options(string id, string? dataDirectory = null) => new()
    {
        Id = id,
        DataDirectory = dataDirectory ?? Path.Combine(Temp.Path, id),
        AllowSimulated = true,
        SimTrustedKeys = [Platform.PublicKey],
        InsecureHttp = true,
        TimeProvider = Time,
        AtRestKey = [.. SHA256.HashData(Encoding.UTF8.GetBytes("test at-rest key " + id))],
        RateLimitPerSecond = 0,
    };

    public AuthorityFactory Factory(string id, Func<AuthorityOptions, AuthorityOptions>? change = null)
    {
        var options = Options(id);
        var factory = new AuthorityFactory(change is null ? options : change(options));
        owned.Add(factory);
        return factory;
    }

    /// <summary>splitter(1) -> mapper(mappers) -> reducer(1), every node with the test measurement for sim.</summary>
    public Registration Registration(
        string name,
        IEnumerable<AuthorityInfo> authorities,
        AuthorityMode mode = AuthorityMode.AllOf,
        long version = 1,
        int mappers = 3,
        bool allowDebug = false,
        ImmutableSortedDictionary<string, string>? extensions = null)
    {
        RegisteredNode Node(string node, int scale, params string[] parents) => new()
        {
            Name = node,
            Id = WorkflowIds.NodeId(name, node),
            Function = "Tests." + node,
            Package = "tests",
            Scale = scale,
            Parents = [.. parents],
            CodeDigest = new string('a', 64),
            Measurements = [new ReferenceMeasurement { Tee = TeeKind.Sim, Measurement = MeasurementHex }],
        };

        return new Registration
        {
            Workflow = name,
            WorkflowId = WorkflowIds.WorkflowId(name),
            Version = version,
            Mode = mode,
            User = "user",
            Authorities = [.. authorities.Select(a => new RegisteredAuthority { Id = a.Id, Url = "https://127.0.0.1:1/", TokenKey = a.TokenKey })],
            Nodes = [Node("splitter", 1), Node("mapper", mappers, "splitter"), Node("reducer", 1, "mapper")],
            AllowDebug = allowDebug,
            Extensions = extensions ?? ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal),
        };
    }

    public RegisterRequest Signed(Registration registration, UserSigningKey? key = null, string? workflowKey = null) =>
        new() { Registration = SignedRegistration.Sign(registration, key ?? User).ToJson(), WorkflowKey = workflowKey };

    /// <summary>An invocation token from the user to an entry instance.</summary>
    public string UserToken(string workflow, string to = "splitter#0", TimeSpan? lifetime = null, UserSigningKey? key = null)
    {
        var token = InvocationToken.Create(workflow, "run1", "user", to, [new InvocationInput("in/0", new string('b', 64))], Time, lifetime ?? TimeSpan.FromMinutes(5));
        return InvocationTokens.Sign(token, (key ?? User).Sign);
    }

    public SimHost Host(byte[]? measurement = null) => new(Platform, measurement ?? Measurement);

    public void Dispose()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }
    }
}

/// <summary>A function host on the simulated TEE.</summary>
internal sealed class SimHost(SimulatedTee platform, byte[] measurement) : IDisposable
{
    public HostIdentity Identity { get; } = HostIdentity.Create();

    public AttestRequest Request(params string[] tokens) => Request(tokens, debug: false);

    public AttestRequest Request(string[] tokens, bool debug) => new()
    {
        Tee = "sim",
        Evidence = Convert.ToBase64String(platform.CreateEvidence(measurement, Identity.ReportData(tokens), debug)),
        EcdhPublicKey = Convert.ToBase64String(Identity.KeyAgreementPublicKey),
        SigningPublicKey = Convert.ToBase64String(Identity.SigningPublicKey),
        Gid = Identity.Gid,
        InvocationTokens = [.. tokens],
    };

    public ReleaseRequest Release(string workflow) => new()
    {
        Workflow = workflow,
        Tee = "sim",
        Evidence = Convert.ToBase64String(platform.CreateEvidence(measurement, Identity.ReportData([]))),
        EcdhPublicKey = Convert.ToBase64String(Identity.KeyAgreementPublicKey),
        SigningPublicKey = Convert.ToBase64String(Identity.SigningPublicKey),
        Gid = Identity.Gid,
    };

    /// <summary>Signs a token for a successor, carrying this host's authority tokens.</summary>
    public string Invoke(string workflow, string from, string to, IEnumerable<string> authorityTokens, TimeProvider time) =>
        Identity.SignInvocation(InvocationToken.Create(workflow, "run1", from, to, [], time, TimeSpan.FromMinutes(5), authorityTokens));

    public byte[] Unwrap(AttestResponse response)
    {
        Assert.True(Identity.TryUnwrap(Convert.FromBase64String(response.KeyPart), KeyWrap.AttestContext(response.Authority, response.Workflow, response.Node, Identity.Gid), out var part));
        return part;
    }

    public void Dispose() => Identity.Dispose();
}

internal static class Http
{
    public static async Task<(int Status, string? Code, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string text)
        {
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ProtocolJson.Options);
        }

        using var response = await client.SendAsync(request, ct);
        var content = await response.Content.ReadAsStringAsync(ct);
        string? code = null;
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var doc = JsonDocument.Parse(content);
            code = doc.RootElement.GetProperty("code").GetString();
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("detail").GetString()));
        }

        return ((int)response.StatusCode, code, content);
    }

    public static Task<(int Status, string? Code, string Body)> PostAsync(HttpClient client, string path, object? body, CancellationToken ct) =>
        SendAsync(client, HttpMethod.Post, path, body, ct);

    public static Task<(int Status, string? Code, string Body)> PutAsync(HttpClient client, string path, object? body, CancellationToken ct) =>
        SendAsync(client, HttpMethod.Put, path, body, ct);

    public static T Read<T>(string body) => JsonSerializer.Deserialize<T>(body, ProtocolJson.Options)!;
}
