using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tless.Apps;

/// <summary>The JSON settings of every message and result of the apps (camelCase, indented results).</summary>
public static class AppJson
{
    /// <summary>Options for results and messages: camelCase names, indented, strict numbers.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Parses <paramref name="data"/>; malformed JSON becomes an <see cref="AppDataException"/> naming
    /// <paramref name="input"/> and the line.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> data, string input)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data, Options)
                ?? throw new AppDataException(input, 0, $"expected a JSON {typeof(T).Name}, found null");
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : 0;
            throw new AppDataException(input, line, $"malformed JSON for {typeof(T).Name}: {e.Message}", e);
        }
    }
}
