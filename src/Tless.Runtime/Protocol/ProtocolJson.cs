using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tless.Runtime.Protocol;

/// <summary>The JSON settings of the wire protocol (camelCase, no comments, no trailing commas, strict numbers).</summary>
public static class ProtocolJson
{
    /// <summary>Source-generated metadata for every wire message.</summary>
    public static ProtocolJsonContext Context => ProtocolJsonContext.Default;

    public static JsonSerializerOptions Options => ProtocolJsonContext.Default.Options;
}

/// <summary>Source-generated serializers for the protocol messages.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(AuthorityInfo))]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(AttestRequest))]
[JsonSerializable(typeof(AttestResponse))]
[JsonSerializable(typeof(ReleaseRequest))]
[JsonSerializable(typeof(ReleaseResponse))]
[JsonSerializable(typeof(ProblemDocument))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

/// <summary>Serializers for token headers and payloads (exact member names, internal).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(JwsHeader))]
[JsonSerializable(typeof(InvocationPayload))]
[JsonSerializable(typeof(AuthorityPayload))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;

internal sealed class JwsHeader
{
    [JsonPropertyName("alg")]
    public string? Alg { get; set; }

    [JsonPropertyName("typ")]
    public string? Typ { get; set; }

    [JsonPropertyName("kid")]
    public string? Kid { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class InvocationPayload
{
    [JsonPropertyName("v")]
    public int V { get; set; }

    [JsonPropertyName("wf")]
    public string? Wf { get; set; }

    [JsonPropertyName("run")]
    public string? Run { get; set; }

    [JsonPropertyName("from")]
    public string? From { get; set; }

    [JsonPropertyName("to")]
    public string? To { get; set; }

    [JsonPropertyName("inputs")]
    public List<InvocationInputPayload?>? Inputs { get; set; }

    [JsonPropertyName("iat")]
    public long Iat { get; set; }

    [JsonPropertyName("exp")]
    public long Exp { get; set; }

    [JsonPropertyName("nonce")]
    public string? Nonce { get; set; }

    [JsonPropertyName("as")]
    public List<string>? As { get; set; }
}

internal sealed class InvocationInputPayload
{
    [JsonPropertyName("key")]
    public string? Key { get; set; }

    [JsonPropertyName("sha256")]
    public string? Sha256 { get; set; }
}

internal sealed class AuthorityPayload
{
    [JsonPropertyName("iss")]
    public string? Iss { get; set; }

    [JsonPropertyName("wf")]
    public string? Wf { get; set; }

    [JsonPropertyName("node")]
    public string? Node { get; set; }

    [JsonPropertyName("inst")]
    public int Inst { get; set; }

    [JsonPropertyName("gid")]
    public string? Gid { get; set; }

    [JsonPropertyName("tee")]
    public string? Tee { get; set; }

    [JsonPropertyName("measurement")]
    public string? Measurement { get; set; }

    [JsonPropertyName("anc")]
    public List<string>? Anc { get; set; }

    [JsonPropertyName("iat")]
    public long Iat { get; set; }

    [JsonPropertyName("exp")]
    public long Exp { get; set; }

    [JsonPropertyName("cnf")]
    public ConfirmationPayload? Cnf { get; set; }
}

internal sealed class ConfirmationPayload
{
    [JsonPropertyName("jwk")]
    public JwkPayload? Jwk { get; set; }
}

internal sealed class JwkPayload
{
    [JsonPropertyName("kty")]
    public string? Kty { get; set; }

    [JsonPropertyName("crv")]
    public string? Crv { get; set; }

    [JsonPropertyName("x")]
    public string? X { get; set; }

    [JsonPropertyName("y")]
    public string? Y { get; set; }
}
