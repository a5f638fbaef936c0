using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Apps.WordCount;

namespace Tless.Apps.Tests.WordCount;

public sealed class WordTokenizerTests
{
    [Theory]
    [InlineData("Hello, World!", "hello|world")]
    [InlineData("Don't STOP believin'", "don't|stop|believin")]
    [InlineData("the Nation’s 'strength'", "the|nation's|strength")]
    [InlineData("well-known 2021 A1", "well|known|2021|a1")]
    [InlineData("Straße ΑΘΗΝΑ Ünïcödé", "straße|αθηνα|ünïcödé")]
    [InlineData("cafe\u0301 \u0301x", "cafe\u0301|x")]
    [InlineData("東京 タワー", "東京|タワー")]
    [InlineData("𝐀𝐁 ok", "𝐀𝐁|ok")]
    [InlineData("''  ---  ", "")]
    [InlineData("rock'n'roll o''clock", "rock'n'roll|o|clock")]
    public void Tokenize_Examples_FollowDocumentedRules(string text, string expected)
    {
        var words = string.Join('|', WordTokenizer.Tokenize(text));
        Assert.Equal(expected, words);
    }

    [Fact]
    public void Tokenize_LoneSurrogate_IsASeparator()
    {
        Assert.Equal(["ab", "cd"], WordTokenizer.Tokenize("ab\uD800cd"));
    }

    [Property(MaxTest = 300)]
    public Property Count_RandomText_EqualsRegexReference()
    {
        var alphabet = "aZé\u0301'’ -.,\n1٣ßΣ東".ToCharArray();
        var gen = Gen.Elements(alphabet).ArrayOf().Select(cs => new string(cs));
        return Prop.ForAll(gen.ToArbitrary(), text =>
        {
            var expected = WordCountReference.Count(text);
            var actual = WordTokenizer.Count(text);
            return expected.Count == actual.Count && expected.All(p => actual.GetValueOrDefault(p.Key) == p.Value);
        });
    }
}
