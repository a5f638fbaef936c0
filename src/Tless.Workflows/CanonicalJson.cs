using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tless.Workflows;

/// <summary>
/// Canonical JSON (docs/workflows.md): UTF-8, no insignificant whitespace, object members sorted by name (ordinal
/// UTF-16 order, as RFC 8785), integers only, strings escaped minimally (<c>\" \\ \b \f \n \r \t</c>, other control
/// characters as <c>\u00xx</c>, everything else literal). Null members are omitted by the writers of the documents.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The largest document accepted by the strict readers.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public static byte[] Serialize(JsonNode node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(StringBuilder b, JsonNode? node)
    {
        switch (node)
        {
            case null:
                b.Append("null");
                break;
            case JsonObject obj:
                b.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        b.Append(',');
                    }

                    first = false;
                    WriteString(b, key);
                    b.Append(':');
                    Write(b, value);
                }

                b.Append('}');
                break;
            case JsonArray array:
                b.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        b.Append(',');
                    }

                    Write(b, array[i]);
                }

                b.Append(']');
                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                WriteString(b, s);
                break;
            case JsonValue value when value.TryGetValue<bool>(out var flag):
                b.Append(flag ? "true" : "false");
                break;
            case JsonValue value when value.TryGetValue<long>(out var number):
                b.Append(number.ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValue value when value.TryGetValue<int>(out var small):
                b.Append(small.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"Canonical JSON holds only objects, arrays, strings, booleans and integers, not {node.GetValueKind()}.", nameof(node));
        }
    }

    private static void WriteString(StringBuilder b, string s)
    {
        b.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        b.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])))
                    {
                        throw new TlessFormatException("a string holds a lone UTF-16 surrogate, which has no UTF-8 form");
                    }
                    else
                    {
                        b.Append(c);
                        if (char.IsHighSurrogate(c))
                        {
                            b.Append(s[++i]);
                        }
                    }

                    break;
            }
        }

        b.Append('"');
    }

    /// <summary>Parses JSON strictly (size, depth, no comments or trailing commas); TlessFormatException with the reason.</summary>
    public static JsonDocument Parse(ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.Length > MaxBytes)
        {
            throw new TlessFormatException($"{what}: {utf8.Length} bytes is more than the {MaxBytes} accepted");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new TlessFormatException($"{what} is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new TlessFormatException($"{what} is not valid JSON: {e.Message}", e);
        }

        try
        {
            CheckStrings(doc.RootElement);
            return doc;
        }
        catch (InvalidOperationException e)
        {
            doc.Dispose();
            throw new TlessFormatException($"{what} holds a string that is not valid Unicode (a lone surrogate escape)", e);
        }
    }

    // Decodes every string and member name once, so later reads cannot fail on escaped lone surrogates.
    private static void CheckStrings(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                _ = e.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    CheckStrings(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    _ = p.Name;
                    CheckStrings(p.Value);
                }

                break;
        }
    }
}

/// <summary>Strict access to a JSON object: required and optional members of exact types, duplicates and unknown members refused.</summary>
internal readonly struct JsonFields
{
    private readonly Dictionary<string, JsonElement> members;

    private JsonFields(string path, Dictionary<string, JsonElement> members)
    {
        Path = path;
        this.members = members;
    }

    public string Path { get; }

    public static JsonFields Of(JsonElement element, string path, params string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"expected an object but found {Kind(element)}");
        }

        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Bad(path, $"unknown member '{property.Name}' (expected: {string.Join(", ", allowed)})");
            }

            if (!members.TryAdd(property.Name, property.Value))
            {
                throw Bad(path, $"member '{property.Name}' appears twice");
            }
        }

        return new JsonFields(path, members);
    }

    public static TlessFormatException Bad(string path, string message) => new($"{path}: {message}");

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    public JsonElement Required(string name) =>
        members.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw Bad(Path, $"missing required member '{name}'");

    public bool TryGet(string name, out JsonElement value) =>
        members.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null;

    public string String(string name) => AsString(Required(name), $"{Path}.{name}");

    public string? OptionalString(string name) => TryGet(name, out var v) ? AsString(v, $"{Path}.{name}") : null;

    public long Integer(string name) => AsInteger(Required(name), $"{Path}.{name}");

    public bool Boolean(string name, bool fallback)
    {
        if (!TryGet(name, out var v))
        {
            return fallback;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad($"{Path}.{name}", $"expected a boolean but found {Kind(v)}"),
        };
    }

    public JsonElement Array(string name)
    {
        var v = Required(name);
        return v.ValueKind == JsonValueKind.Array ? v : throw Bad($"{Path}.{name}", $"expected an array but found {Kind(v)}");
    }

    public static string AsString(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(path, $"expected a string but found {Kind(v)}");

    public static long AsInteger(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && !v.GetRawText().Contains('.', StringComparison.Ordinal) && !v.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase)
            ? n
            : throw Bad(path, $"expected an integer but found {(v.ValueKind == JsonValueKind.Number ? v.GetRawText() : Kind(v))}");
}
