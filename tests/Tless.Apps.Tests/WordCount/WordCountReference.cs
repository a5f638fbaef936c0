using System.Text.RegularExpressions;

namespace Tless.Apps.Tests.WordCount;

/// <summary>An independent single-process word count: a regular expression for the documented word syntax.</summary>
internal static partial class WordCountReference
{
    public static Dictionary<string, long> Count(string text)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in Word().Matches(text))
        {
            var word = m.Value.Replace('\u2019', '\'').ToLowerInvariant();
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }

        return counts;
    }

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['\u2019][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
