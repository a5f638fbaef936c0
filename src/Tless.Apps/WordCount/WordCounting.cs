namespace Tless.Apps.WordCount;

/// <summary>A word and how often it occurs.</summary>
public sealed record WordFrequency(string Word, long Count);

/// <summary>The counts one mapper sends to the reducer.</summary>
public sealed record WordCountPartial
{
    public required long TotalWords { get; init; }

    public required Dictionary<string, long> Counts { get; init; }
}

/// <summary>The word-count result: totals and the most frequent words (count descending, then word ordinal).</summary>
public sealed record WordCountReport
{
    public required long TotalWords { get; init; }

    public required int DistinctWords { get; init; }

    public required int Chunks { get; init; }

    public required IReadOnlyList<WordFrequency> Top { get; init; }
}

/// <summary>The pure computations of the word-count workflow.</summary>
public static class WordCounting
{
    /// <summary>
    /// Cuts <paramref name="text"/> into <paramref name="parts"/> chunks of about equal length, each cut placed at a
    /// whitespace character so that no word is split; concatenating the chunks gives the text back. Chunks can be
    /// empty (short text, or no whitespace near a cut).
    /// </summary>
    public static IReadOnlyList<string> Split(string text, int parts)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        var chunks = new List<string>(parts);
        var start = 0;
        for (var k = 1; k <= parts; k++)
        {
            var end = k == parts ? text.Length : Math.Max(start, (int)((long)text.Length * k / parts));
            while (end < text.Length && end > start && !IsCut(text, end))
            {
                end++;
            }

            chunks.Add(text[start..end]);
            start = end;
        }

        return chunks;
    }

    /// <summary>Counts the words of one chunk.</summary>
    public static WordCountPartial Map(string chunk)
    {
        var counts = WordTokenizer.Count(chunk);
        return new WordCountPartial { TotalWords = counts.Values.Sum(), Counts = counts };
    }

    /// <summary>Merges the mappers' counts and keeps the <paramref name="topK"/> most frequent words.</summary>
    public static WordCountReport Reduce(IEnumerable<WordCountPartial> partials, int topK)
    {
        ArgumentNullException.ThrowIfNull(partials);
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        var merged = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        var chunks = 0;
        foreach (var partial in partials)
        {
            chunks++;
            total += partial.TotalWords;
            foreach (var (word, count) in partial.Counts)
            {
                merged[word] = merged.GetValueOrDefault(word) + count;
            }
        }

        return Report(merged, total, chunks, topK);
    }

    /// <summary>The report of already-merged counts.</summary>
    public static WordCountReport Report(IReadOnlyDictionary<string, long> counts, long totalWords, int chunks, int topK)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var top = counts
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(topK)
            .Select(p => new WordFrequency(p.Key, p.Value))
            .ToList();
        return new WordCountReport { TotalWords = totalWords, DistinctWords = counts.Count, Chunks = chunks, Top = top };
    }

    // A cut before index i is safe when the char before it is whitespace: no word (and no apostrophe bridge) spans it.
    private static bool IsCut(string text, int i) => char.IsWhiteSpace(text[i - 1]);
}
