using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tless.Crypto.Bls12381;

/// <summary>The base field Fp of BLS12-381, in Montgomery form on six 64-bit limbs.</summary>
internal readonly partial struct Fp : IEquatable<Fp>
{
    internal const int ByteLength = 48;

    internal static readonly BigInteger Modulus = BigInteger.Parse(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab".Insert(0, "0"),
        NumberStyles.HexNumber,
        CultureInfo.InvariantCulture);

    public static Fp Zero => default;

    public static Fp One => OneMont;

    public bool IsZero => (L0 | L1 | L2 | L3 | L4 | L5) == 0;

    public bool IsOne => Equals(OneMont);

    public Fp Double() => this + this;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp Select(in Fp a, in Fp b, bool chooseB)
    {
        unchecked
        {
            ulong m = 0UL - (chooseB ? 1UL : 0UL);
            return new Fp(
                (a.L0 & ~m) | (b.L0 & m),
                (a.L1 & ~m) | (b.L1 & m),
                (a.L2 & ~m) | (b.L2 & m),
                (a.L3 & ~m) | (b.L3 & m),
                (a.L4 & ~m) | (b.L4 & m),
                (a.L5 & ~m) | (b.L5 & m));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp Select(in Fp a, in Fp b, ulong mask)
    {
        unchecked
        {
            return new Fp(
                (a.L0 & ~mask) | (b.L0 & mask),
                (a.L1 & ~mask) | (b.L1 & mask),
                (a.L2 & ~mask) | (b.L2 & mask),
                (a.L3 & ~mask) | (b.L3 & mask),
                (a.L4 & ~mask) | (b.L4 & mask),
                (a.L5 & ~mask) | (b.L5 & mask));
        }
    }

    public bool Equals(Fp other) =>
        ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3) | (L4 ^ other.L4) | (L5 ^ other.L5)) == 0;

    public override bool Equals(object? obj) => obj is Fp f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3, L4, L5);

    public static bool operator ==(in Fp a, in Fp b) => a.Equals(b);

    public static bool operator !=(in Fp a, in Fp b) => !a.Equals(b);

    /// <summary>Converts a canonical little-endian limb value (below p) into Montgomery form.</summary>
    public static Fp FromRaw(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4, ulong l5) => new Fp(l0, l1, l2, l3, l4, l5) * R2;

    public static Fp FromUInt64(ulong v) => FromRaw(v, 0, 0, 0, 0, 0);

    /// <summary>The value out of Montgomery form (little-endian limbs).</summary>
    public Fp ToRaw() => this * new Fp(1, 0, 0, 0, 0, 0);

    public static Fp FromBigInteger(BigInteger v)
    {
        v %= Modulus;
        if (v.Sign < 0)
        {
            v += Modulus;
        }

        var tmp = new byte[ByteLength];
        int len = v.GetByteCount(isUnsigned: true);
        v.TryWriteBytes(tmp.AsSpan(ByteLength - len), out _, isUnsigned: true, isBigEndian: true);
        TryFromBytes(tmp, out var r);
        return r;
    }

    public static Fp FromHex(string hex)
    {
        var h = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        return FromBigInteger(BigInteger.Parse("0" + h, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    public BigInteger ToBigInteger()
    {
        Span<byte> b = stackalloc byte[ByteLength];
        WriteBytes(b);
        return new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Reads 48 big-endian bytes; false when the value is not below p.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> b, out Fp value)
    {
        if (b.Length != ByteLength)
        {
            value = default;
            return false;
        }

        ulong l5 = BinaryPrimitives.ReadUInt64BigEndian(b);
        ulong l4 = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
        ulong l3 = BinaryPrimitives.ReadUInt64BigEndian(b[16..]);
        ulong l2 = BinaryPrimitives.ReadUInt64BigEndian(b[24..]);
        ulong l1 = BinaryPrimitives.ReadUInt64BigEndian(b[32..]);
        ulong l0 = BinaryPrimitives.ReadUInt64BigEndian(b[40..]);

        // canonical: (l5..l0) < p, computed by a borrow chain
        ulong borrow = 0;
        _ = SubB(l0, M0, ref borrow);
        _ = SubB(l1, M1, ref borrow);
        _ = SubB(l2, M2, ref borrow);
        _ = SubB(l3, M3, ref borrow);
        _ = SubB(l4, M4, ref borrow);
        _ = SubB(l5, M5, ref borrow);
        value = new Fp(l0, l1, l2, l3, l4, l5) * R2;
        return borrow == 1;
    }

    public void WriteBytes(Span<byte> b)
    {
        var r = ToRaw();
        BinaryPrimitives.WriteUInt64BigEndian(b, r.L5);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], r.L4);
        BinaryPrimitives.WriteUInt64BigEndian(b[16..], r.L3);
        BinaryPrimitives.WriteUInt64BigEndian(b[24..], r.L2);
        BinaryPrimitives.WriteUInt64BigEndian(b[32..], r.L1);
        BinaryPrimitives.WriteUInt64BigEndian(b[40..], r.L0);
    }

    private static readonly Fp TwoTo256 = FromBigInteger(BigInteger.One << 256);

    /// <summary>Reduces a 64-byte big-endian value modulo p (RFC 9380 hash_to_field, L = 64).</summary>
    public static Fp FromWideBytes(ReadOnlySpan<byte> b64)
    {
        // value = hi * 2^256 + lo, with hi and lo below 2^256 < p, so both convert canonically.
        var hi = FromLimbs256(b64[..32]);
        var lo = FromLimbs256(b64[32..64]);
        return (hi * TwoTo256) + lo;
    }

    private static Fp FromLimbs256(ReadOnlySpan<byte> b)
    {
        ulong l3 = BinaryPrimitives.ReadUInt64BigEndian(b);
        ulong l2 = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
        ulong l1 = BinaryPrimitives.ReadUInt64BigEndian(b[16..]);
        ulong l0 = BinaryPrimitives.ReadUInt64BigEndian(b[24..]);
        return new Fp(l0, l1, l2, l3, 0, 0) * R2;
    }

    /// <summary>Raises to a public exponent (little-endian limbs) with a fixed 4-bit window; the schedule depends only on the exponent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp Pow(ReadOnlySpan<ulong> exponent)
    {
        Span<Fp> table = stackalloc Fp[16];
        table[0] = One;
        table[1] = this;
        for (int i = 2; i < 16; i++)
        {
            table[i] = table[i - 1] * this;
        }

        var acc = One;
        bool started = false;
        for (int i = (exponent.Length * 16) - 1; i >= 0; i--)
        {
            int nib = (int)((exponent[i / 16] >> ((i % 16) * 4)) & 0xF);
            if (started)
            {
                acc = acc.Square().Square().Square().Square();
            }

            if (nib != 0)
            {
                acc = started ? acc * table[nib] : table[nib];
                started = true;
            }
        }

        return acc;
    }

    private static readonly ulong[] PMinus2 = Limbs(Modulus - 2);
    private static readonly ulong[] PPlus1Over4 = Limbs((Modulus + 1) / 4);
    private static readonly ulong[] PMinus1Over2 = Limbs((Modulus - 1) / 2);

    internal static ulong[] Limbs(BigInteger v)
    {
        var bytes = v.ToByteArray(isUnsigned: true, isBigEndian: false);
        var limbs = new ulong[(bytes.Length + 7) / 8];
        for (int i = 0; i < bytes.Length; i++)
        {
            limbs[i / 8] |= (ulong)bytes[i] << (8 * (i % 8));
        }

        return limbs;
    }

    /// <summary>The inverse (Fermat, constant time); zero maps to zero.</summary>
    public Fp Invert() => Pow(PMinus2);

    /// <summary>A candidate square root a^((p+1)/4); the caller checks that it squares back.</summary>
    public Fp SqrtCandidate() => Pow(PPlus1Over4);

    public bool TrySqrt(out Fp root)
    {
        root = SqrtCandidate();
        return root.Square() == this;
    }

    /// <summary>True when this is a square (zero included), by Euler's criterion.</summary>
    public bool IsSquare()
    {
        var l = Pow(PMinus1Over2);
        return l.IsZero || l.IsOne;
    }

    /// <summary>RFC 9380 sgn0: the parity of the canonical value.</summary>
    public bool Sgn0 => (ToRaw().L0 & 1) == 1;

    /// <summary>True when the canonical value is greater than (p-1)/2 (ZCash "lexicographically largest").</summary>
    public bool IsLexicographicallyLargest()
    {
        var raw = ToRaw();
        // compare raw > (p-1)/2 by computing (p-1)/2 - raw with borrow
        ulong borrow = 0;
        _ = SubB(HalfP0, raw.L0, ref borrow);
        _ = SubB(HalfP1, raw.L1, ref borrow);
        _ = SubB(HalfP2, raw.L2, ref borrow);
        _ = SubB(HalfP3, raw.L3, ref borrow);
        _ = SubB(HalfP4, raw.L4, ref borrow);
        _ = SubB(HalfP5, raw.L5, ref borrow);
        return borrow == 1;
    }

    private static readonly ulong HalfP0 = Limbs((Modulus - 1) / 2)[0];
    private static readonly ulong HalfP1 = Limbs((Modulus - 1) / 2)[1];
    private static readonly ulong HalfP2 = Limbs((Modulus - 1) / 2)[2];
    private static readonly ulong HalfP3 = Limbs((Modulus - 1) / 2)[3];
    private static readonly ulong HalfP4 = Limbs((Modulus - 1) / 2)[4];
    private static readonly ulong HalfP5 = Limbs((Modulus - 1) / 2)[5];

    public override string ToString() => "0x" + ToBigInteger().ToString("x96", CultureInfo.InvariantCulture);
}
