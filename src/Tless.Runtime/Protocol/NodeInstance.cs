using System.Globalization;

namespace Tless.Runtime.Protocol;

/// <summary>An instance of a workflow node, written <c>node#index</c> in tokens.</summary>
public readonly record struct NodeInstance(string Node, int Index)
{
    /// <summary>Parses <c>node#index</c>; throws <see cref="ProtocolException"/> (token_malformed) when malformed.</summary>
    public static NodeInstance Parse(string text, string what)
    {
        if (TryParse(text, out var instance))
        {
            return instance;
        }

        throw new ProtocolException(ProblemCodes.TokenMalformed, $"{what} must be 'node#index', got '{Truncate(text)}'.");
    }

    public static bool TryParse(string? text, out NodeInstance instance)
    {
        instance = default;
        if (string.IsNullOrEmpty(text) || text.Length > 256)
        {
            return false;
        }

        var hash = text.LastIndexOf('#');
        if (hash <= 0 || hash == text.Length - 1)
        {
            return false;
        }

        var digits = text.AsSpan(hash + 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            return false;
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        instance = new NodeInstance(text[..hash], index);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Node}#{Index}");

    internal static string Truncate(string? s) => s is null ? "(null)" : s.Length <= 64 ? s : s[..64] + "...";
}
