using System.Buffers.Binary;
using Tless.Attestation.Common;

namespace Tless.Attestation.Snp;

/// <summary>
/// The certificate table that the SEV-SNP host attaches to an extended report (SNP_GET_EXT_REPORT, or configfs-tsm's
/// <c>auxblob</c>): entries of GUID (16 bytes, RFC 4122 byte order), offset (u32) and length (u32), ended by an all-zero
/// entry; offsets count from the start of the table. TLess accepts evidence = report (1184 bytes) followed by this table,
/// so a host can ship its VCEK/VLEK (and ASK, ARK) with the report; the ARK is still pinned by fingerprint.
/// </summary>
public static class SnpCertTable
{
    public static readonly Guid Vcek = new("63da758d-e664-4564-adc5-f4b93be8accd");
    public static readonly Guid Vlek = new("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
    public static readonly Guid Ask = new("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    public static readonly Guid Ark = new("c0b406a4-a803-4952-9743-3fb6014cd0ae");

    private const int EntrySize = 24;
    private const int MaxEntries = 64;

    /// <summary>
    /// The certificates (DER) in a table, in order, with their GUIDs; entries with other GUIDs (for example a CRL)
    /// are skipped; bytes after the last entry's data must be zero (hosts pad the buffer). Throws <see cref="TlessFormatException"/> for a malformed table.
    /// </summary>
    public static IReadOnlyList<(Guid Type, byte[] Der)> Parse(ReadOnlySpan<byte> table)
    {
        var result = new List<(Guid, byte[])>();
        long end = 0;
        var r = new SpanReader(table, "SEV-SNP certificate table");
        for (var i = 0; ; i++)
        {
            if (i == MaxEntries)
            {
                throw new TlessFormatException($"SEV-SNP certificate table: no terminating entry within {MaxEntries} entries");
            }

            var guid = new Guid(r.ReadBytes(16, $"entry[{i}].guid"), bigEndian: true);
            var offset = r.ReadUInt32($"entry[{i}].offset");
            var length = r.ReadUInt32($"entry[{i}].length");
            if (guid == Guid.Empty)
            {
                if (offset != 0 || length != 0)
                {
                    throw new TlessFormatException($"SEV-SNP certificate table: terminating entry {i} has non-zero offset or length");
                }

                end = Math.Max(end, r.Position);
                break;
            }

            if (offset < (i + 2) * EntrySize || (long)offset + length > table.Length || length == 0)
            {
                throw new TlessFormatException(
                    $"SEV-SNP certificate table: entry {i} ({guid}) points at {offset}+{length}, outside the {table.Length}-byte table");
            }

            end = Math.Max(end, (long)offset + length);
            if (guid == Vcek || guid == Vlek || guid == Ask || guid == Ark)
            {
                result.Add((guid, table.Slice((int)offset, (int)length).ToArray()));
            }
        }

        if (result.Count == 0)
        {
            throw new TlessFormatException("SEV-SNP certificate table: holds no VCEK, VLEK, ASK or ARK certificate");
        }

        if (table[(int)end..].ContainsAnyExcept((byte)0))
        {
            throw new TlessFormatException($"SEV-SNP certificate table: non-zero bytes after the table's end at offset {end}");
        }

        return result;
    }

    /// <summary>Builds a table (for hosts that fetched certificates themselves, and for tests).</summary>
    public static byte[] Build(IReadOnlyList<(Guid Type, byte[] Der)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var header = (entries.Count + 1) * EntrySize;
        var table = new byte[header + entries.Sum(e => e.Der.Length)];
        var offset = header;
        for (var i = 0; i < entries.Count; i++)
        {
            var (type, der) = entries[i];
            if (type == Guid.Empty)
            {
                throw new ArgumentException("an entry's GUID must not be empty", nameof(entries));
            }

            type.TryWriteBytes(table.AsSpan(i * EntrySize, 16), bigEndian: true, out _);
            BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(i * EntrySize + 16), (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(i * EntrySize + 20), (uint)der.Length);
            der.CopyTo(table, offset);
            offset += der.Length;
        }

        return table;
    }
}
