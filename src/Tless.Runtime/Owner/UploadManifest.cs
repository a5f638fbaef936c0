using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Owner;

/// <summary>
/// What <see cref="WorkflowUploader"/> wrote, kept by the owner (not trusted to the store): the objects of every node
/// and the SHA-256 of each stored object, which the owner's entry tokens vouch for.
/// </summary>
public sealed record UploadManifest
{
    [JsonPropertyName("workflow")]
    public required string Workflow { get; init; }

    [JsonPropertyName("mode")]
    public required string Mode { get; init; }

    [JsonPropertyName("store")]
    public required string Store { get; init; }

    /// <summary>Per node: the code package object.</summary>
    [JsonPropertyName("code")]
    public required ImmutableSortedDictionary<string, UploadedCode> Code { get; init; }

    /// <summary>Per entry node: its user inputs.</summary>
    [JsonPropertyName("inputs")]
    public required ImmutableSortedDictionary<string, ImmutableArray<UploadedObject>> Inputs { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, OwnerJson.Default.UploadManifest);

    /// <summary>Parses a manifest; <see cref="TlessFormatException"/> naming <paramref name="origin"/> when malformed.</summary>
    public static UploadManifest FromJson(ReadOnlySpan<byte> json, string origin)
    {
        try
        {
            return JsonSerializer.Deserialize(json, OwnerJson.Default.UploadManifest)
                ?? throw new TlessFormatException($"{origin}: the upload manifest is empty");
        }
        catch (JsonException e)
        {
            throw new TlessFormatException($"{origin}: the upload manifest is not valid: {e.Message}", e);
        }
    }
}

/// <summary>A stored object: its key and the SHA-256 (hex) of the stored bytes.</summary>
public sealed record UploadedObject
{
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    public InvocationInput ToInput() => new(Key, Sha256);
}

/// <summary>A node's code: the stored object and the digest of the plaintext package (the registered digest).</summary>
public sealed record UploadedCode
{
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("package")]
    public required string Package { get; init; }

    [JsonPropertyName("digest")]
    public required string Digest { get; init; }
}

[JsonSerializable(typeof(UploadManifest))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class OwnerJson : JsonSerializerContext;
