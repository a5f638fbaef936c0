using System.Globalization;
using System.Text;

namespace Tless.Apps.WordCount;

/// <summary>
/// Unicode-aware tokenisation. A word is a maximal run of letters (Unicode L*), digits and numbers (N*) and
/// combining marks (M*, only after a word character); an apostrophe (U+0027 or U+2019) belongs to a word only
/// between two word characters ("don't", "nation’s" -> "nation's"). Everything else separates words. Words are
/// case-folded with <see cref="string.ToLowerInvariant()"/> (Unicode simple lower-case mapping) and U+2019 is
/// folded to U+0027, so "Nation’s" and "nation's" count as one word.
/// </summary>
public static class WordTokenizer
{
    /// <summary>The case-folded words of <paramref name="text"/> in order.</summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TokenizeIterator(text);
    }

    /// <summary>Counts the case-folded words of <paramref name="text"/>.</summary>
    public static Dictionary<string, long> Count(string text)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var word in Tokenize(text))
        {
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }

        return counts;
    }

    /// <summary>True when the rune can start or continue a word.</summary>
    public static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        _ => false,
    };

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsApostrophe(Rune rune) => rune.Value is '\'' or '\u2019';

    private static IEnumerable<string> TokenizeIterator(string text)
    {
        var word = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var rune = ReadRune(text, i, out var width);
            if (IsWordRune(rune) || (word.Length > 0 && IsMark(rune)))
            {
                word.Append(text, i, width);
                i += width;
                continue;
            }

            if (word.Length > 0 && IsApostrophe(rune) && i + width < text.Length)
            {
                var next = ReadRune(text, i + width, out _);
                if (IsWordRune(next))
                {
                    word.Append('\'');
                    i += width;
                    continue;
                }
            }

            if (word.Length > 0)
            {
                yield return word.ToString().ToLowerInvariant();
                word.Clear();
            }

            i += width;
        }

        if (word.Length > 0)
        {
            yield return word.ToString().ToLowerInvariant();
        }
    }

    private static Rune ReadRune(string text, int index, out int width)
    {
        // A lone surrogate decodes as U+FFFD (a symbol, so a separator) and is skipped one char at a time.
        if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out width) != System.Buffers.OperationStatus.Done)
        {
            width = 1;
            return Rune.ReplacementChar;
        }

        return rune;
    }
}
