using System.IO.Compression;
using Tless.Apps.Ml;

namespace Tless.Apps.Tests.Ml;

public sealed class IdxFileTests
{
    private static ImageSet Sample(int count) => new()
    {
        Count = count,
        Rows = 2,
        Columns = 3,
        Pixels = Enumerable.Range(0, count * 6).Select(i => (byte)i).ToArray(),
        Labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray(),
    };

    private static byte[] Gzip(byte[] data)
    {
        using var target = new MemoryStream();
        using (var gzip = new GZipStream(target, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return target.ToArray();
    }

    [Fact]
    public void WriteThenRead_PlainAndGzip_RoundTrips()
    {
        var set = Sample(5);
        foreach (var transform in new Func<byte[], byte[]>[] { b => b, Gzip })
        {
            var images = IdxFile.ReadImages(transform(IdxFile.WriteImages(set)), "x");
            var labels = IdxFile.ReadLabels(transform(IdxFile.WriteLabels(set.Labels)), "y");
            Assert.Equal(set.Pixels, images.Pixels);
            Assert.Equal((5, 2, 3), (images.Count, images.Rows, images.Columns));
            Assert.Equal(set.Labels, labels);
        }
    }

    [Fact]
    public void ReadImages_TruncatedFile_NamesInputAndImage()
    {
        var bytes = IdxFile.WriteImages(Sample(5));
        var e = Assert.Throws<AppDataException>(() => IdxFile.ReadImages(Gzip(bytes[..(16 + (3 * 6) + 2)]), "train-images.gz"));
        Assert.Equal("train-images.gz", e.Input);
        Assert.Equal(4, e.Line);
        Assert.Contains("truncated: image 4 of 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadImages_CommittedSampleCutShort_NamesInputAndImage()
    {
        var raw = IdxFile.Decompress(FashionSampleBytes(), "t10k");
        var e = Assert.Throws<AppDataException>(() => IdxFile.ReadImages(raw[..(16 + (784 * 10) + 100)], "t10k-images-idx3-ubyte.gz"));
        Assert.Equal(11, e.Line);
    }

    [Fact]
    public void ReadImages_TruncatedGzipStream_IsAnError()
    {
        var gz = Gzip(IdxFile.WriteImages(Sample(50)));
        var e = Assert.ThrowsAny<AppDataException>(() => IdxFile.ReadImages(gz[..(gz.Length / 2)], "cut.gz"));
        Assert.Equal("cut.gz", e.Input);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "not an IDX image file")]
    [InlineData(new byte[] { 0, 0, 8, 3 }, "header needs 16 bytes")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, "bad IDX dimensions")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7, 7 }, "unexpected bytes after image 1")]
    public void ReadImages_Malformed_SaysWhatIsWrong(byte[] data, string problem)
    {
        var e = Assert.Throws<AppDataException>(() => IdxFile.ReadImages(data, "bad"));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLabels_Truncated_NamesLabel()
    {
        var bytes = IdxFile.WriteLabels(new byte[10]);
        var e = Assert.Throws<AppDataException>(() => IdxFile.ReadLabels(bytes[..^3], "labels"));
        Assert.Equal(8, e.Line);
    }

    [Fact]
    public void WithLabels_CountMismatch_NamesLabelFile()
    {
        var e = Assert.Throws<AppDataException>(() => IdxFile.WithLabels(Sample(3), new byte[2], "labels.gz"));
        Assert.Equal("labels.gz", e.Input);
    }

    [Fact]
    public void Decompress_CorruptGzip_NamesInput()
    {
        var gz = Gzip(IdxFile.WriteImages(Sample(50)));
        gz[20] ^= 0xFF;
        gz[21] ^= 0xFF;
        var e = Assert.ThrowsAny<AppDataException>(() => IdxFile.ReadImages(gz, "corrupt.gz"));
        Assert.Equal("corrupt.gz", e.Input);
    }

    private static byte[] FashionSampleBytes() =>
        Infrastructure.RepoFiles.ReadData("fashion-mnist", "t10k-images-idx3-ubyte.gz");
}
