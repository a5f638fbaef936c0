using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Apps.Tests.Infrastructure;
using Tless.Apps.WordCount;

namespace Tless.Apps.Tests.WordCount;

public sealed class WordCountingTests
{
    private static readonly Gen<string> Text = Gen.Elements("ab c'd  e\n’é,-".ToCharArray()).ArrayOf().Select(cs => new string(cs));

    [Property(MaxTest = 200)]
    public Property Split_AnyTextAndParts_IsLosslessAndKeepsCounts()
    {
        return Prop.ForAll(Text.ToArbitrary(), Gen.Choose(1, 12).ToArbitrary(), (text, parts) =>
        {
            var chunks = WordCounting.Split(text, parts);
            var report = WordCounting.Reduce(chunks.Select(WordCounting.Map), int.MaxValue);
            var reference = WordCountReference.Count(text);
            return chunks.Count == parts
                && string.Concat(chunks) == text
                && report.TotalWords == reference.Values.Sum()
                && report.DistinctWords == reference.Count
                && report.Top.All(w => reference[w.Word] == w.Count);
        });
    }

    [Fact]
    public void Split_LongTextWithoutWhitespace_PutsItInOneChunk()
    {
        var chunks = WordCounting.Split("abcdefghij", 3);
        Assert.Equal(["abcdefghij", "", ""], chunks);
    }

    [Fact]
    public void Split_ZeroParts_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WordCounting.Split("a b", 0));
    }

    [Fact]
    public void Reduce_TopK_OrdersByCountThenWord()
    {
        var report = WordCounting.Reduce([WordCounting.Map("b a c b a d"), WordCounting.Map("c e")], 3);
        Assert.Equal([new WordFrequency("a", 2), new WordFrequency("b", 2), new WordFrequency("c", 2)], report.Top);
        Assert.Equal(8, report.TotalWords);
        Assert.Equal(5, report.DistinctWords);
        Assert.Equal(2, report.Chunks);
    }

    [Fact]
    public void Map_CommittedSample_EqualsRegexReference()
    {
        foreach (var file in Directory.GetFiles(RepoFiles.Data("word-count"), "*.txt"))
        {
            var text = File.ReadAllText(file, Encoding.UTF8);
            var reference = WordCountReference.Count(text);
            var partial = WordCounting.Map(text);
            Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), partial.Counts.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }
}
