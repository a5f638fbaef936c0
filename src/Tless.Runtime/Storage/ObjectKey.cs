namespace Tless.Runtime.Storage;

/// <summary>Validation and composition of object keys; shared by every <see cref="IObjectStore"/>.</summary>
public static class ObjectKey
{
    /// <summary>The longest key accepted (S3 allows 1024 bytes).</summary>
    public const int MaxLength = 1024;

    /// <summary>True when <paramref name="key"/> is a valid object key.</summary>
    public static bool IsValid(string? key) => key is not null && Problem(key) is null;

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong when <paramref name="key"/> is not a valid key.</summary>
    public static void Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        var problem = Problem(key);
        if (problem is not null)
        {
            throw new ArgumentException($"invalid object key '{Truncate(key)}': {problem}", paramName);
        }
    }

    /// <summary>Validates that <paramref name="prefix"/> can start a key (may be empty, may end with <c>/</c>).</summary>
    public static void ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length == 0)
        {
            return;
        }

        var body = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        foreach (var c in body)
        {
            if (!IsKeyChar(c) && c != '/')
            {
                throw new ArgumentException($"invalid object key prefix '{Truncate(prefix)}': character '{c}' is not allowed", paramName);
            }
        }

        if (body.Split('/').Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"invalid object key prefix '{Truncate(prefix)}': '.' and '..' segments are not allowed", paramName);
        }
    }

    /// <summary>Joins segments with <c>/</c> and validates the result.</summary>
    public static string Join(params ReadOnlySpan<string> segments)
    {
        var key = string.Join('/', segments.ToArray());
        Validate(key, nameof(segments));
        return key;
    }

    private static string? Problem(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (key.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        var segmentStart = 0;
        for (var i = 0; i <= key.Length; i++)
        {
            if (i == key.Length || key[i] == '/')
            {
                var length = i - segmentStart;
                if (length == 0)
                {
                    return $"empty segment at position {segmentStart}";
                }

                var segment = key.AsSpan(segmentStart, length);
                if (segment is "." or "..")
                {
                    return $"segment '{segment}' at position {segmentStart} is not allowed";
                }

                segmentStart = i + 1;
                continue;
            }

            if (!IsKeyChar(key[i]))
            {
                return $"character '{key[i]}' at position {i} is not allowed (letters, digits, '.', '_', '-', '=' and '/')";
            }
        }

        return null;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '=';

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
