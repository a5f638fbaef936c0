using System.Buffers.Binary;

namespace Tless.Attestation.Common;

/// <summary>
/// A little-endian reader over untrusted bytes: every read is bounds-checked and a short input throws
/// <see cref="TlessFormatException"/> naming the structure, the field and the offset (never an
/// <see cref="IndexOutOfRangeException"/>).
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _structure;

    /// <summary>Reads <paramref name="data"/>; <paramref name="structure"/> names it in error messages.</summary>
    public SpanReader(ReadOnlySpan<byte> data, string structure)
    {
        _data = data;
        _structure = structure;
        Position = 0;
    }

    /// <summary>The offset of the next read.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes left after <see cref="Position"/>.</summary>
    public readonly int Remaining => _data.Length - Position;

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new TlessFormatException(
                $"{_structure}: field '{field}' at offset 0x{Position:X} needs {count} bytes but only {Remaining} remain");
        }

        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    public byte ReadByte(string field) => ReadBytes(1, field)[0];

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, field));

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, field));

    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, field));

    public long ReadInt64(string field) => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8, field));

    /// <summary>Moves to an absolute offset (not past the end).</summary>
    public void Seek(int offset, string field)
    {
        if (offset < 0 || offset > _data.Length)
        {
            throw new TlessFormatException($"{_structure}: field '{field}' at offset 0x{offset:X} is outside the {_data.Length} bytes");
        }

        Position = offset;
    }
}
