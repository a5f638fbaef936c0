using System.Buffers.Binary;
using System.IO.Compression;

namespace Tless.Apps.Ml;

/// <summary>Grey-scale images, row-major, one byte per pixel, optionally with one label per image.</summary>
public sealed record ImageSet
{
    public required int Count { get; init; }

    public required int Rows { get; init; }

    public required int Columns { get; init; }

    /// <summary><see cref="Count"/> x <see cref="Rows"/> x <see cref="Columns"/> bytes.</summary>
    public required byte[] Pixels { get; init; }

    /// <summary>One label per image, or null when the set is unlabelled.</summary>
    public byte[]? Labels { get; init; }

    public int PixelsPerImage => Rows * Columns;

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);

    /// <summary>Images [start, start + count) as a new set.</summary>
    public ImageSet Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        return this with
        {
            Count = count,
            Pixels = Pixels.AsSpan(start * PixelsPerImage, count * PixelsPerImage).ToArray(),
            Labels = Labels?.AsSpan(start, count).ToArray(),
        };
    }

    /// <summary>Concatenates sets of the same image size (labels kept only when every part has them).</summary>
    public static ImageSet Concat(IReadOnlyList<ImageSet> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("no image sets to concatenate", nameof(parts));
        }

        if (parts.Any(p => p.Rows != parts[0].Rows || p.Columns != parts[0].Columns))
        {
            throw new ArgumentException("image sets have different image sizes", nameof(parts));
        }

        return new ImageSet
        {
            Count = parts.Sum(p => p.Count),
            Rows = parts[0].Rows,
            Columns = parts[0].Columns,
            Pixels = [.. parts.SelectMany(p => p.Pixels)],
            Labels = parts.All(p => p.Labels is not null) ? [.. parts.SelectMany(p => p.Labels!)] : null,
        };
    }
}

/// <summary>The IDX format of (Fashion-)MNIST: big-endian header, unsigned bytes; gzip is detected and undone.
/// Errors name the input and the 1-based image (record) that is missing or malformed.</summary>
public static class IdxFile
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>The magic number (after gunzip), to tell image files from label files.</summary>
    public static int Magic(ReadOnlySpan<byte> data, string input)
    {
        var raw = Decompress(data, input);
        return raw.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(raw) : throw new AppDataException(input, 0, "shorter than an IDX header");
    }

    public static ImageSet ReadImages(ReadOnlySpan<byte> data, string input)
    {
        var raw = Decompress(data, input);
        if (raw.Length < 16)
        {
            throw new AppDataException(input, 0, $"IDX image header needs 16 bytes, file has {raw.Length}");
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(raw);
        if (magic != ImagesMagic)
        {
            throw new AppDataException(input, 0, $"not an IDX image file (magic 0x{magic:x8}, expected 0x{ImagesMagic:x8})");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4));
        var rows = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(12));
        if (count < 0 || rows <= 0 || columns <= 0 || (long)rows * columns > 1 << 20)
        {
            throw new AppDataException(input, 0, $"bad IDX dimensions {count} x {rows} x {columns}");
        }

        var size = rows * columns;
        var available = (raw.Length - 16) / size;
        if (available < count)
        {
            throw new AppDataException(input, available + 1, $"truncated: image {available + 1} of {count} is incomplete or missing ({raw.Length - 16} pixel bytes, {(long)count * size} expected)");
        }

        if (raw.Length - 16 != (long)count * size)
        {
            throw new AppDataException(input, count + 1, $"{raw.Length - 16 - ((long)count * size)} unexpected bytes after image {count}");
        }

        return new ImageSet { Count = count, Rows = rows, Columns = columns, Pixels = raw.AsSpan(16).ToArray() };
    }

    public static byte[] ReadLabels(ReadOnlySpan<byte> data, string input)
    {
        var raw = Decompress(data, input);
        if (raw.Length < 8)
        {
            throw new AppDataException(input, 0, $"IDX label header needs 8 bytes, file has {raw.Length}");
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(raw);
        if (magic != LabelsMagic)
        {
            throw new AppDataException(input, 0, $"not an IDX label file (magic 0x{magic:x8}, expected 0x{LabelsMagic:x8})");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4));
        if (count < 0)
        {
            throw new AppDataException(input, 0, $"bad label count {count}");
        }

        if (raw.Length - 8 < count)
        {
            throw new AppDataException(input, raw.Length - 8 + 1, $"truncated: label {raw.Length - 8 + 1} of {count} is missing");
        }

        if (raw.Length - 8 > count)
        {
            throw new AppDataException(input, count + 1, $"{raw.Length - 8 - count} unexpected bytes after label {count}");
        }

        return raw.AsSpan(8).ToArray();
    }

    /// <summary>Attaches labels to images, checking that the counts match.</summary>
    public static ImageSet WithLabels(ImageSet images, byte[] labels, string labelsInput)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        return labels.Length == images.Count
            ? images with { Labels = labels }
            : throw new AppDataException(labelsInput, 0, $"{labels.Length} labels for {images.Count} images");
    }

    public static byte[] WriteImages(ImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var bytes = new byte[16 + images.Pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), images.Count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), images.Rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), images.Columns);
        images.Pixels.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] WriteLabels(ReadOnlySpan<byte> labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    /// <summary>Gunzips <paramref name="data"/> when it starts with the gzip magic; otherwise returns a copy.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> data, string input)
    {
        if (data.Length < 2 || data[0] != 0x1f || data[1] != 0x8b)
        {
            return data.ToArray();
        }

        try
        {
            using var source = new MemoryStream(data.ToArray(), writable: false);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            using var target = new MemoryStream();
            gzip.CopyTo(target);
            return target.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new AppDataException(input, 0, $"corrupt gzip data: {e.Message}", e);
        }
    }
}
