using FsCheck.Xunit;
using Tless.Attestation.Common;

namespace Tless.Attestation.Tests.Common;

public sealed class SpanReaderTests
{
    [Fact]
    public void Read_LittleEndianFields_DecodesInOrder()
    {
        byte[] data = [1, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0, 0, 0, 0, 0x80];
        var r = new SpanReader(data, "test");

        Assert.Equal(1, r.ReadByte("a"));
        Assert.Equal(0x1234, r.ReadUInt16("b"));
        Assert.Equal(0x12345678u, r.ReadUInt32("c"));
        Assert.Equal(0x8000000000000001ul, r.ReadUInt64("d"));
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void ReadBytes_PastEnd_ThrowsNamingFieldAndOffset()
    {
        var data = new byte[10];
        var ex = Assert.Throws<TlessFormatException>(() =>
        {
            var r = new SpanReader(data, "widget");
            r.ReadBytes(8, "head");
            r.ReadUInt32("length");
        });

        Assert.Contains("widget", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'length'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0x8", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public void Seek_OutsideData_Throws(int offset)
    {
        var data = new byte[10];
        Assert.Throws<TlessFormatException>(() => new SpanReader(data, "t").Seek(offset, "x"));
    }

    [Property(MaxTest = 200)]
    public void ReadBytes_AnyCount_EitherFitsOrThrowsFormat(byte[] data, int count)
    {
        data ??= [];
        try
        {
            var r = new SpanReader(data, "t");
            var got = r.ReadBytes(count, "x");
            Assert.Equal(count, got.Length);
            Assert.InRange(count, 0, data.Length);
        }
        catch (TlessFormatException)
        {
            Assert.True(count < 0 || count > data.Length);
        }
    }
}
