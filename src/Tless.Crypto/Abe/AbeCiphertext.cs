using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Abe;

/// <summary>
/// A CP-ABE key encapsulation: the public policy, per LSSS row x the elements C1 ∈ GT, C2, C3 ∈ G1, C4 ∈ G2, and a
/// 32-byte key-confirmation tag over all of it.
/// </summary>
public sealed class AbeCiphertext
{
    internal static ReadOnlySpan<byte> Magic => "TLAC"u8;

    internal const byte Version = 1;

    internal const int TagSize = 32;

    /// <summary>Encoded bytes per LSSS row: C1 (576) + C2 (48) + C3 (48) + C4 (96).</summary>
    public const int RowSize = AbeWriter.GtSize + AbeWriter.G1Size + AbeWriter.G1Size + AbeWriter.G2Size;

    private readonly byte[] _encoded;
    private readonly int _rowsOffset;

    // Decoded rows; null when the ciphertext was parsed lazily (rows are then decoded and validated on use).
    private readonly Gt[]? _c1;
    private readonly G1[]? _c2;
    private readonly G1[]? _c3;
    private readonly G2[]? _c4;

    private AbeCiphertext(LsssMatrix matrix, Gt[]? c1, G1[]? c2, G1[]? c3, G2[]? c4, byte[] encoded, int rowsOffset)
    {
        Matrix = matrix;
        _c1 = c1;
        _c2 = c2;
        _c3 = c3;
        _c4 = c4;
        _encoded = encoded;
        _rowsOffset = rowsOffset;
    }

    /// <summary>The policy (public: it travels in clear in the header).</summary>
    public Policy Policy => Matrix.Policy;

    internal LsssMatrix Matrix { get; }

    /// <summary>The elements of row x; decodes and validates them when the ciphertext was parsed lazily.</summary>
    internal void GetRow(int x, out Gt c1, out G1 c2, out G1 c3, out G2 c4)
    {
        if (_c1 is not null)
        {
            c1 = _c1[x];
            c2 = _c2![x];
            c3 = _c3![x];
            c4 = _c4![x];
            return;
        }

        var r = new AbeReader(_encoded, "ABE ciphertext", Magic, Version);
        r.ReadBytes(_rowsOffset - r.Position + x * RowSize, "rows");
        c1 = r.ReadGtCanonical($"C1 of row {x}");
        c2 = r.ReadG1($"C2 of row {x}");
        c3 = r.ReadG1($"C3 of row {x}");
        c4 = r.ReadG2($"C4 of row {x}");
    }

    /// <summary>Everything but the tag; hashed into the key derivation.</summary>
    internal ReadOnlySpan<byte> Body => _encoded.AsSpan(0, _encoded.Length - TagSize);

    internal ReadOnlySpan<byte> Tag => _encoded.AsSpan(_encoded.Length - TagSize);

    /// <summary>Size of <see cref="ToBytes"/> in bytes.</summary>
    public int EncodedLength => _encoded.Length;

    /// <summary>
    /// "TLAC", 1, policy (u16 length + canonical UTF-8 text), row count (u16), rows (C1 576 B, C2 48 B, C3 48 B,
    /// C4 96 B), tag (32 B).
    /// </summary>
    public byte[] ToBytes() => (byte[])_encoded.Clone();

    internal void WriteTo(AbeWriter w) => w.Write(_encoded);

    internal static AbeCiphertext Create(LsssMatrix matrix, Gt[] c1, G1[] c2, G1[] c3, G2[] c4, Gt key)
    {
        var text = matrix.Policy.ToString();
        var w = new AbeWriter(16 + text.Length + c1.Length * RowSize + TagSize);
        w.Write(Magic);
        w.WriteByte(Version);
        if (AbeWriter.StrictUtf8.GetByteCount(text) > ushort.MaxValue)
        {
            throw new ArgumentException($"The policy text is longer than {ushort.MaxValue} bytes.", "policy");
        }

        w.WriteString16(text);
        w.WriteUInt16(c1.Length);
        var rowsOffset = w.Length;
        for (var i = 0; i < c1.Length; i++)
        {
            w.WriteGt(c1[i]);
            w.WriteG1(c2[i]);
            w.WriteG1(c3[i]);
            w.WriteG2(c4[i]);
        }

        AbeKdf.ConfirmationTag(key, w.Written, w.Reserve(TagSize));
        return new AbeCiphertext(matrix, c1, c2, c3, c4, w.ToArray(), rowsOffset);
    }

    /// <summary>
    /// Parses <see cref="ToBytes"/> output strictly, validating every group element; throws
    /// <see cref="TlessFormatException"/>.
    /// </summary>
    public static AbeCiphertext FromBytes(ReadOnlySpan<byte> bytes) => Parse(bytes, decodeRows: true);

    /// <summary>
    /// Validates the header, policy and lengths but decodes a row's group elements only when decryption uses the
    /// row. Unused rows are still covered by the key-confirmation tag, so decryption cost stays independent of the
    /// number of unused rows (an OR over many authorities).
    /// </summary>
    internal static AbeCiphertext FromBytesLazy(ReadOnlySpan<byte> bytes) => Parse(bytes, decodeRows: false);

    private static AbeCiphertext Parse(ReadOnlySpan<byte> bytes, bool decodeRows)
    {
        var r = new AbeReader(bytes, "ABE ciphertext", Magic, Version);
        var text = r.ReadString16("policy", ushort.MaxValue);
        Policy policy;
        try
        {
            policy = Policy.Parse(text);
        }
        catch (PolicyParseException e)
        {
            throw new TlessFormatException($"ABE ciphertext: the policy does not parse: {e.Message}", e);
        }

        if (!string.Equals(policy.ToString(), text, StringComparison.Ordinal))
        {
            throw r.Fail("the policy text is not in canonical form");
        }

        LsssMatrix matrix;
        try
        {
            matrix = LsssMatrix.FromPolicy(policy);
        }
        catch (ArgumentException e)
        {
            throw new TlessFormatException($"ABE ciphertext: {e.Message}", e);
        }

        var rows = r.ReadUInt16("row count");
        if (rows != matrix.RowCount)
        {
            throw r.Fail($"row count {rows} does not match the {matrix.RowCount} attribute literals of the policy");
        }

        if (r.Remaining != rows * RowSize + TagSize)
        {
            throw r.Fail($"expected {rows * RowSize + TagSize} bytes of rows and tag after offset {r.Position}, found {r.Remaining}");
        }

        var rowsOffset = r.Position;
        if (!decodeRows)
        {
            return new AbeCiphertext(matrix, null, null, null, null, bytes.ToArray(), rowsOffset);
        }

        var c1 = new Gt[rows];
        var c2 = new G1[rows];
        var c3 = new G1[rows];
        var c4 = new G2[rows];
        for (var i = 0; i < rows; i++)
        {
            c1[i] = r.ReadGtCanonical($"C1 of row {i}");
            c2[i] = r.ReadG1($"C2 of row {i}");
            c3[i] = r.ReadG1($"C3 of row {i}");
            c4[i] = r.ReadG2($"C4 of row {i}");
        }

        r.ReadBytes(TagSize, "tag");
        r.End();
        return new AbeCiphertext(matrix, c1, c2, c3, c4, bytes.ToArray(), rowsOffset);
    }

    public override string ToString() => $"AbeCiphertext({Policy}, {EncodedLength} bytes)";
}
