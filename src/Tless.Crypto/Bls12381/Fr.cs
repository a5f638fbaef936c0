using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace Tless.Crypto.Bls12381;

/// <summary>The scalar field Fr of BLS12-381 (order r), in Montgomery form on four 64-bit limbs.</summary>
internal readonly partial struct Fr : IEquatable<Fr>
{
    internal static readonly BigInteger Modulus = BigInteger.Parse(
        "073eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001",
        NumberStyles.HexNumber,
        CultureInfo.InvariantCulture);

    private static readonly ulong[] RMinus2 = Fp.Limbs(Modulus - 2);

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    public bool Equals(Fr other) => ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3)) == 0;

    public override bool Equals(object? obj) => obj is Fr f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3);

    /// <summary>The canonical value (little-endian limbs), out of Montgomery form.</summary>
    public Fr ToRaw() => this * new Fr(1, 0, 0, 0);

    /// <summary>Montgomery form of a 256-bit value (any value below 2^256, reduced modulo r).</summary>
    public static Fr FromRaw256(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        var v = ReduceOnce(l0, l1, l2, l3);
        v = ReduceOnce(v.L0, v.L1, v.L2, v.L3);
        return v * R2;
    }

    public static bool TryFromCanonical(ReadOnlySpan<byte> be32, out Fr value)
    {
        ulong l3 = BinaryPrimitives.ReadUInt64BigEndian(be32);
        ulong l2 = BinaryPrimitives.ReadUInt64BigEndian(be32[8..]);
        ulong l1 = BinaryPrimitives.ReadUInt64BigEndian(be32[16..]);
        ulong l0 = BinaryPrimitives.ReadUInt64BigEndian(be32[24..]);
        ulong borrow = 0;
        _ = SubB(l0, M0, ref borrow);
        _ = SubB(l1, M1, ref borrow);
        _ = SubB(l2, M2, ref borrow);
        _ = SubB(l3, M3, ref borrow);
        value = new Fr(l0, l1, l2, l3) * R2;
        return borrow == 1;
    }

    /// <summary>Reduces a 64-byte big-endian value modulo r.</summary>
    public static Fr FromWide(ReadOnlySpan<byte> be64)
    {
        var hi = Read256(be64[..32]);
        var lo = Read256(be64[32..]);
        return (hi * R2) + lo; // hi * 2^256 = hi * R
    }

    private static Fr Read256(ReadOnlySpan<byte> be32) =>
        FromRaw256(
            BinaryPrimitives.ReadUInt64BigEndian(be32[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(be32[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(be32[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(be32));

    public void WriteBytes(Span<byte> be32)
    {
        var r = ToRaw();
        BinaryPrimitives.WriteUInt64BigEndian(be32, r.L3);
        BinaryPrimitives.WriteUInt64BigEndian(be32[8..], r.L2);
        BinaryPrimitives.WriteUInt64BigEndian(be32[16..], r.L1);
        BinaryPrimitives.WriteUInt64BigEndian(be32[24..], r.L0);
    }

    public Fr Pow(ReadOnlySpan<ulong> exponent)
    {
        Span<Fr> table = stackalloc Fr[16];
        table[0] = OneMont;
        table[1] = this;
        for (int i = 2; i < 16; i++)
        {
            table[i] = table[i - 1] * this;
        }

        var acc = OneMont;
        for (int i = (exponent.Length * 16) - 1; i >= 0; i--)
        {
            acc = acc * acc;
            acc = acc * acc;
            acc = acc * acc;
            acc = acc * acc;
            int nib = (int)((exponent[i / 16] >> ((i % 16) * 4)) & 0xF);
            acc *= table[nib];
        }

        return acc;
    }

    public Fr Invert() => Pow(RMinus2);

    public BigInteger ToBigInteger()
    {
        Span<byte> b = stackalloc byte[32];
        WriteBytes(b);
        return new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }
}
