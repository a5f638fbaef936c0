using System.Collections.Immutable;

using System.Text.Json;
using System.Text.Json.Nodes;
using Tless.Attestation;
using Tless.Crypto.Abe;

namespace Tless.Workflows;

/// <summary>A reference value: the launch measurement a node's TEE must report (lower-case hex).</summary>
public sealed record ReferenceMeasurement
{
    public required TeeKind Tee { get; init; }

    /// <summary>Lower-case hex: SNP and TDX 96 characters (48 bytes), SGX 64 (32 bytes), sim 64 or 96.</summary>
    public required string Measurement { get; init; }
}

/// <summary>What the user supplies per node when registering: the package digest and the accepted measurements.</summary>
public sealed record NodeArtifacts
{
    /// <summary>SHA-256 of the function package bytes, 64 lower-case hex characters.</summary>
    public required string CodeDigest { get; init; }

    public required ImmutableArray<ReferenceMeasurement> Measurements { get; init; }
}

/// <summary>An attestation service as registered: id, URL and optionally its ES256 token key (SPKI, base64).</summary>
public sealed record RegisteredAuthority
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    /// <summary>The service's token-signing public key (SubjectPublicKeyInfo, base64), so peers can check its tokens; optional.</summary>
    public string? TokenKey { get; init; }
}

/// <summary>A node as registered: its concrete scale, parents, code digest and reference measurements.</summary>
public sealed record RegisteredNode
{
    public required string Name { get; init; }

    /// <summary><see cref="WorkflowIds.NodeId"/>.</summary>
    public required string Id { get; init; }

    public required string Function { get; init; }

    public required string Package { get; init; }

    /// <summary>How many instances may be started (the number of times an invocation may be redeemed).</summary>
    public required int Scale { get; init; }

    /// <summary>Parent node names (ordinal order); empty for entry nodes, which the user invokes.</summary>
    public ImmutableArray<string> Parents { get; init; } = [];

    /// <summary>SHA-256 of the package, 64 lower-case hex characters.</summary>
    public required string CodeDigest { get; init; }

    public required ImmutableArray<ReferenceMeasurement> Measurements { get; init; }

    /// <summary>The node's extra policy in canonical text, or null.</summary>
    public string? ExtraPolicy { get; init; }
}

/// <summary>
/// The registration document that the user signs and deposits with every attestation service: the DAG with concrete
/// scales, per-node code digests and reference measurements, and a version that must grow with every update. Its
/// canonical JSON (<see cref="ToCanonicalJson"/>) is what is signed.
/// </summary>
public sealed record Registration
{
    /// <summary>The value of the <c>format</c> member; it also separates this signature domain from others.</summary>
    public const string FormatName = "tless-registration/v1";

    /// <summary>The largest version accepted (2^53 - 1, exact in every JSON implementation).</summary>
    public const long MaxVersion = (1L << 53) - 1;

    public required string Workflow { get; init; }

    /// <summary><see cref="WorkflowIds.WorkflowId"/> of <see cref="Workflow"/>.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>Positive; an attestation service accepts only a version above the last one it accepted.</summary>
    public required long Version { get; init; }

    public required AuthorityMode Mode { get; init; }

    /// <summary>The user's authority id.</summary>
    public required string User { get; init; }

    public required ImmutableArray<RegisteredAuthority> Authorities { get; init; }

    public required ImmutableArray<RegisteredNode> Nodes { get; init; }

    /// <summary>When false (the default) debug TEEs get no keys.</summary>
    public bool AllowDebug { get; init; }

    /// <summary>Mode <c>tee</c>: the deposited workflow key, opaque base64 (its wrapping is the service's business), or null.</summary>
    public string? WorkflowKeyWrap { get; init; }

    /// <summary>Further signed string members for other components (sorted by key in the canonical form).</summary>
    public ImmutableSortedDictionary<string, string> Extensions { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Builds the registration of a loaded workflow: scales resolved with <paramref name="parameters"/> (see
    /// <see cref="WorkflowSpec.ResolveScales"/>), artifacts from <paramref name="artifacts"/> per node.
    /// </summary>
    public static Registration FromSpec(WorkflowSpec spec, long version, IReadOnlyDictionary<string, string>? parameters, Func<WorkflowNode, NodeArtifacts> artifacts, bool allowDebug = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, MaxVersion);
        var scales = spec.ResolveScales(parameters);
        return new Registration
        {
            Workflow = spec.Name,
            WorkflowId = spec.Id,
            Version = version,
            Mode = spec.Authorities.Mode,
            User = spec.Authorities.User,
            Authorities = [.. spec.Authorities.Services.Select(s => new RegisteredAuthority { Id = s.Id, Url = s.Url.ToString() })],
            Nodes = [.. spec.Nodes.Select(n =>
            {
                var a = artifacts(n) ?? throw new ArgumentException($"No artifacts for node '{n.Name}'.", nameof(artifacts));
                return new RegisteredNode
                {
                    Name = n.Name,
                    Id = n.Id,
                    Function = n.Function,
                    Package = n.Package,
                    Scale = scales[n.Name],
                    Parents = n.Parents,
                    CodeDigest = a.CodeDigest.ToLowerInvariant(),
                    Measurements = [.. a.Measurements.Select(m => m with { Measurement = m.Measurement.ToLowerInvariant() })],
                    ExtraPolicy = n.ExtraPolicy?.ToString(),
                };
            })],
            AllowDebug = allowDebug,
        };
    }

    /// <summary>The node with this name, or null.</summary>
    public RegisteredNode? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    /// <summary>True when <paramref name="from"/> (a node name, or <c>user</c> for entry nodes) invokes <paramref name="to"/>.</summary>
    public bool IsEdge(string from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return FindNode(to) is { } target && (from == WorkflowIds.UserAncestor ? target.Parents.IsEmpty : target.Parents.Contains(from));
    }

    /// <summary>The CP-ABE policy of a registered node (the same as <see cref="PolicyCompiler.NodePolicy"/> on the spec).</summary>
    public Policy NodePolicy(string node)
    {
        var n = FindNode(node) ?? throw new ArgumentException($"Registration of '{Workflow}' has no node '{node}'.", nameof(node));
        return PolicyCompiler.Compile(Workflow, n.Name, n.Parents, Authorities.Select(a => a.Id), Mode, n.ExtraPolicy is null ? null : Policy.Parse(n.ExtraPolicy));
    }

    /// <summary>The canonical JSON bytes (the signature input).</summary>
    public byte[] ToCanonicalJson() => CanonicalJson.Serialize(ToJsonNode());

    /// <summary>
    /// Parses a registration strictly (unknown or duplicate members, wrong types, a wrong <c>format</c> are refused
    /// with a <see cref="TlessFormatException"/> naming the member). Content rules are checked by <see cref="RegistrationVerifier"/>.
    /// </summary>
    public static Registration FromJson(ReadOnlySpan<byte> utf8)
    {
        using var doc = CanonicalJson.Parse(utf8, "registration");
        return FromJsonElement(doc.RootElement, "$");
    }

    internal JsonObject ToJsonNode()
    {
        var obj = new JsonObject
        {
            ["format"] = FormatName,
            ["workflow"] = Workflow,
            ["workflowId"] = WorkflowId,
            ["version"] = Version,
            ["mode"] = Mode.ToText(),
            ["user"] = User,
            ["allowDebug"] = AllowDebug,
            ["authorities"] = new JsonArray([.. Authorities.Select(a => Omit(new JsonObject
            {
                ["id"] = a.Id,
                ["url"] = a.Url,
                ["tokenKey"] = a.TokenKey,
            }))]),
            ["nodes"] = new JsonArray([.. Nodes.Select(n => Omit(new JsonObject
            {
                ["name"] = n.Name,
                ["id"] = n.Id,
                ["function"] = n.Function,
                ["package"] = n.Package,
                ["scale"] = n.Scale,
                ["parents"] = new JsonArray([.. n.Parents.Select(p => (JsonNode)p)]),
                ["codeDigest"] = n.CodeDigest,
                ["measurements"] = new JsonArray([.. n.Measurements.Select(m => (JsonNode)new JsonObject
                {
                    ["tee"] = TeeText(m.Tee),
                    ["measurement"] = m.Measurement,
                })]),
                ["extraPolicy"] = n.ExtraPolicy,
            }))]),
            ["extensions"] = new JsonObject([.. Extensions.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
            ["workflowKeyWrap"] = WorkflowKeyWrap,
        };
        return Omit(obj);
    }

    internal static Registration FromJsonElement(JsonElement root, string path)
    {
        var f = JsonFields.Of(root, path, "format", "workflow", "workflowId", "version", "mode", "user", "allowDebug", "authorities", "nodes", "extensions", "workflowKeyWrap");
        var format = f.String("format");
        if (format != FormatName)
        {
            throw JsonFields.Bad(path + ".format", $"expected '{FormatName}' but found '{format}'");
        }

        var modeText = f.String("mode");
        if (!AuthorityModes.TryParse(modeText, out var mode))
        {
            throw JsonFields.Bad(path + ".mode", $"expected all-of or any-of but found '{modeText}'");
        }

        var authorities = f.Array("authorities").EnumerateArray().Select((a, i) =>
        {
            var af = JsonFields.Of(a, $"{path}.authorities[{i}]", "id", "url", "tokenKey");
            return new RegisteredAuthority { Id = af.String("id"), Url = af.String("url"), TokenKey = af.OptionalString("tokenKey") };
        }).ToImmutableArray();

        var nodes = f.Array("nodes").EnumerateArray().Select((n, i) =>
        {
            var np = $"{path}.nodes[{i}]";
            var nf = JsonFields.Of(n, np, "name", "id", "function", "package", "scale", "parents", "codeDigest", "measurements", "extraPolicy");
            var scale = nf.Integer("scale");
            if (scale is < 1 or > WorkflowLoader.MaxScale)
            {
                throw JsonFields.Bad(np + ".scale", $"expected an integer in 1..{WorkflowLoader.MaxScale} but found {scale}");
            }

            return new RegisteredNode
            {
                Name = nf.String("name"),
                Id = nf.String("id"),
                Function = nf.String("function"),
                Package = nf.String("package"),
                Scale = (int)scale,
                Parents = [.. nf.Array("parents").EnumerateArray().Select((p, j) => JsonFields.AsString(p, $"{np}.parents[{j}]"))],
                CodeDigest = nf.String("codeDigest"),
                Measurements = [.. nf.Array("measurements").EnumerateArray().Select((m, j) =>
                {
                    var mp = $"{np}.measurements[{j}]";
                    var mf = JsonFields.Of(m, mp, "tee", "measurement");
                    var teeText = mf.String("tee");
                    return new ReferenceMeasurement
                    {
                        Tee = TryParseTee(teeText, out var tee) ? tee : throw JsonFields.Bad(mp + ".tee", $"expected sim, snp, sgx or tdx but found '{teeText}'"),
                        Measurement = mf.String("measurement"),
                    };
                })],
                ExtraPolicy = nf.OptionalString("extraPolicy"),
            };
        }).ToImmutableArray();

        var extensions = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (f.TryGet("extensions", out var ext))
        {
            if (ext.ValueKind != JsonValueKind.Object)
            {
                throw JsonFields.Bad(path + ".extensions", $"expected an object but found {JsonFields.Kind(ext)}");
            }

            foreach (var p in ext.EnumerateObject())
            {
                if (extensions.ContainsKey(p.Name))
                {
                    throw JsonFields.Bad(path + ".extensions", $"member '{p.Name}' appears twice");
                }

                extensions[p.Name] = JsonFields.AsString(p.Value, $"{path}.extensions.{p.Name}");
            }
        }

        var version = f.Integer("version");
        return new Registration
        {
            Workflow = f.String("workflow"),
            WorkflowId = f.String("workflowId"),
            Version = version,
            Mode = mode,
            User = f.String("user"),
            AllowDebug = f.Boolean("allowDebug", fallback: false),
            Authorities = authorities,
            Nodes = nodes,
            Extensions = extensions.ToImmutable(),
            WorkflowKeyWrap = f.OptionalString("workflowKeyWrap"),
        };
    }

    /// <summary><c>sim</c>, <c>snp</c>, <c>sgx</c> or <c>tdx</c>.</summary>
    public static string TeeText(TeeKind tee) => tee switch
    {
        TeeKind.Sim => "sim",
        TeeKind.Snp => "snp",
        TeeKind.Sgx => "sgx",
        TeeKind.Tdx => "tdx",
        _ => throw new ArgumentOutOfRangeException(nameof(tee)),
    };

    /// <summary>Parses <c>sim</c>, <c>snp</c>, <c>sgx</c> or <c>tdx</c> (lower case).</summary>
    public static bool TryParseTee(string? text, out TeeKind tee)
    {
        foreach (var kind in Enum.GetValues<TeeKind>())
        {
            if (TeeText(kind) == text)
            {
                tee = kind;
                return true;
            }
        }

        tee = default;
        return false;
    }

    private static JsonObject Omit(JsonObject obj)
    {
        foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            obj.Remove(key);
        }

        return obj;
    }
}
