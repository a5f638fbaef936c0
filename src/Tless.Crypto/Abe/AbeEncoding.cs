using System.Buffers.Binary;
using System.Text;
using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>Strict big-endian reader for the versioned ABE formats; every failure names the object and the field.</summary>
internal ref struct AbeReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;
    private int _pos;

    public AbeReader(ReadOnlySpan<byte> data, string what, ReadOnlySpan<byte> magic, byte version)
    {
        _data = data;
        _what = what;
        _pos = 0;
        if (data.Length < magic.Length + 1)
        {
            throw Fail($"{data.Length} bytes is too short for the header");
        }

        if (!data[..magic.Length].SequenceEqual(magic))
        {
            throw Fail($"bad magic (expected '{Encoding.ASCII.GetString(magic)}')");
        }

        _pos = magic.Length;
        var v = data[_pos];
        if (v != version)
        {
            throw Fail($"unsupported version {v} (expected {version})");
        }

        _pos++;
    }

    public readonly int Position => _pos;

    public readonly int Remaining => _data.Length - _pos;

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count > Remaining)
        {
            throw Fail($"truncated at offset {_pos} reading {field} ({count} bytes needed, {Remaining} left)");
        }

        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    public byte ReadByte(string field) => ReadBytes(1, field)[0];

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2, field));

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4, field));

    /// <summary>A UTF-8 string with a 16-bit length prefix; must be non-empty, valid UTF-8 and at most <paramref name="maxBytes"/>.</summary>
    public string ReadString16(string field, int maxBytes)
    {
        var at = _pos;
        var len = ReadUInt16(field + " length");
        if (len == 0 || len > maxBytes)
        {
            throw Fail($"{field} at offset {at} has length {len} (allowed 1..{maxBytes})");
        }

        var bytes = ReadBytes(len, field);
        try
        {
            return AbeWriter.StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new TlessFormatException($"{_what}: {field} at offset {at} is not valid UTF-8", e);
        }
    }

    public Scalar ReadScalar(string field)
    {
        var at = _pos;
        if (!Scalar.TryFromBytes(ReadBytes(32, field), out var s))
        {
            throw Fail($"{field} at offset {at} is not a canonical scalar (must be < r)");
        }

        return s;
    }

    public G1 ReadG1(string field)
    {
        var at = _pos;
        // TryFromCompressed validates everything, the prime-order subgroup included (tests pin this for every field),
        // so a second subgroup check here would only repeat the most expensive step of decoding.
        if (!G1.TryFromCompressed(ReadBytes(AbeWriter.G1Size, field), out var p))
        {
            throw Fail($"{field} at offset {at} is not a canonical compressed G1 point in the prime-order subgroup");
        }

        return p;
    }

    public G2 ReadG2(string field)
    {
        var at = _pos;
        // As for G1: the decoder's validation includes the subgroup check.
        if (!G2.TryFromCompressed(ReadBytes(AbeWriter.G2Size, field), out var p))
        {
            throw Fail($"{field} at offset {at} is not a canonical compressed G2 point in the prime-order subgroup");
        }

        return p;
    }

    public Gt ReadGt(string field)
    {
        var at = _pos;
        if (!Gt.TryFromBytes(ReadBytes(AbeWriter.GtSize, field), out var g))
        {
            throw Fail($"{field} at offset {at} is not a valid GT element");
        }

        return g;
    }

    /// <summary>A GT value checked for canonical coefficients only (see <see cref="GtFixedBase.TryDecodeCanonical"/>).</summary>
    public Gt ReadGtCanonical(string field)
    {
        var at = _pos;
        if (!GtFixedBase.TryDecodeCanonical(ReadBytes(AbeWriter.GtSize, field), out var g))
        {
            throw Fail($"{field} at offset {at} is not a canonical GT encoding (12 coefficients below p, not zero)");
        }

        return g;
    }

    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw Fail($"{Remaining} trailing bytes after offset {_pos}");
        }
    }

    public readonly TlessFormatException Fail(string problem) => new($"{_what}: {problem}");
}

/// <summary>Growable big-endian writer for the ABE formats.</summary>
internal sealed class AbeWriter
{
    public const int G1Size = 48;
    public const int G2Size = 96;
    public const int GtSize = 576;

    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer;
    private int _length;

    public AbeWriter(int capacity = 256) => _buffer = new byte[capacity];

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var s = _buffer.AsSpan(_length, count);
        _length += count;
        return s;
    }

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteByte(byte b) => Reserve(1)[0] = b;

    public void WriteUInt16(int value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), checked((ushort)value));

    public void WriteUInt32(long value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), checked((uint)value));

    public void WriteString16(string value)
    {
        var count = StrictUtf8.GetByteCount(value);
        WriteUInt16(count);
        StrictUtf8.GetBytes(value, Reserve(count));
    }

    public void WriteScalar(in Scalar s) => s.WriteBytes(Reserve(32));

    public void WriteG1(in G1 p) => p.WriteCompressed(Reserve(G1Size));

    public void WriteG2(in G2 p) => p.WriteCompressed(Reserve(G2Size));

    public void WriteGt(in Gt g) => g.WriteBytes(Reserve(GtSize));

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Zeroes the buffer (for secret material).</summary>
    public void Clear()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_buffer);
        _length = 0;
    }
}
