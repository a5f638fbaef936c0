using System.Buffers.Binary;

namespace Tless.Attestation.Dcap;

/// <summary>A bounds-checked little-endian reader over an untrusted quote; a short input throws <see cref="TlessFormatException"/>.</summary>
internal ref struct DcapReader(ReadOnlySpan<byte> data, string structure, int baseOffset = 0)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public byte[] Bytes(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new TlessFormatException(
                $"{structure}: field '{field}' at offset {baseOffset + Position} needs {count} bytes but only {Remaining} remain");
        }

        var result = _data.Slice(Position, count).ToArray();
        Position += count;
        return result;
    }

    public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, field));

    public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, field));

    /// <summary>Fails when bytes are left over: a structure must be consumed exactly.</summary>
    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw new TlessFormatException($"{structure}: {Remaining} unexpected trailing bytes at offset {baseOffset + Position}");
        }
    }
}
