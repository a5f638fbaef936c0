using System.Text;
using Tless.Apps.Ml;
using Tless.Apps.Tests.Infrastructure;

namespace Tless.Apps.Tests.Ml;

public sealed class ImageModelTests
{
    [Fact]
    public void CommittedModel_IsTheDefaultTrainingResult()
    {
        // data/fashion-mnist/model.json.gz must be what `tless datasets train-model` (default settings) produces.
        var committed = IdxFile.Decompress(RepoFiles.ReadData("fashion-mnist", "model.json.gz"), "model.json.gz");
        Assert.Equal(Encoding.UTF8.GetString(FashionSample.DefaultModel.Serialize()), Encoding.UTF8.GetString(committed));
    }

    [Fact]
    public void Deserialize_RoundTrip_PredictsTheSame()
    {
        var model = FashionSample.DefaultModel;
        var back = ImageModel.Deserialize(model.SerializeCompressed(), "m.gz");
        var test = FashionSample.Test.Slice(0, 200);
        Assert.Equal(model.Predict(test), back.Predict(test));
    }

    [Theory]
    [InlineData("\"modelFormat\":\"tless-image-model/1\"", "\"modelFormat\":\"other/9\"", "model format")]
    [InlineData("\"classes\":10", "\"classes\":1", "incomplete")]
    [InlineData("\"components\":32", "\"components\":31", "inconsistent PCA projection")]
    [InlineData("\"left\":[1,", "\"left\":[0,", "decision tree node 0 is malformed")]
    public void Deserialize_DamagedModel_SaysWhatIsWrong(string find, string replace, string problem)
    {
        var json = Encoding.UTF8.GetString(Compact(FashionSample.DefaultModel.Serialize()));
        Assert.Contains(find, json, StringComparison.Ordinal);
        var damaged = Encoding.UTF8.GetBytes(ReplaceFirst(json, find, replace));
        var e = Assert.Throws<AppDataException>(() => ImageModel.Deserialize(damaged, "model.json"));
        Assert.Equal("model.json", e.Input);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_TruncatedJson_NamesInputAndLine()
    {
        var bytes = FashionSample.DefaultModel.Serialize();
        var e = Assert.Throws<AppDataException>(() => ImageModel.Deserialize(bytes[..(bytes.Length / 2)], "model.json"));
        Assert.Equal("model.json", e.Input);
        Assert.True(e.Line > 1);
    }

    private static byte[] Compact(byte[] json) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(System.Text.Json.JsonDocument.Parse(json).RootElement);

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var i = text.IndexOf(find, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, i), replace, text.AsSpan(i + find.Length));
    }
}
