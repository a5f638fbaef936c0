using System.Diagnostics.CodeAnalysis;

namespace Tless.Crypto.Bls12381;

/// <summary>
/// An element of the target group GT (the order-r subgroup of Fp12*), written multiplicatively. The canonical
/// encoding is 576 bytes: the 12 Fp coefficients big-endian in the order c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1.
/// </summary>
public readonly struct Gt : IEquatable<Gt>
{
    /// <summary>The length of the canonical encoding.</summary>
    public const int ByteLength = 576;

    internal readonly Fp12 Value;

    internal Gt(in Fp12 value) => Value = value;

    /// <summary>The value with default(Gt) (all zero, not a group element) read as the identity.</summary>
    private Fp12 V => Value.IsZero ? Fp12.One : Value;

    /// <summary>The identity of GT.</summary>
    public static Gt One => new(Fp12.One);

    /// <summary>e(G1.Generator, G2.Generator).</summary>
    public static Gt Generator => GeneratorHolder.Value;

    /// <summary>True for the identity.</summary>
    public bool IsOne => V.IsOne;

    public static Gt operator *(in Gt a, in Gt b) => new(a.V * b.V);

    public static Gt operator /(in Gt a, in Gt b) => new(a.V * b.V.Conjugate());

    /// <summary>The inverse (a conjugation, since GT elements are unitary).</summary>
    public Gt Inverse() => new(V.Conjugate());

    /// <summary>this^k in constant time: a fixed 4-bit window with a masked scan of the table.</summary>
    public Gt Pow(in Scalar k)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        k.GetLimbs(limbs);
        Span<Fp12> table = stackalloc Fp12[16];
        table[0] = Fp12.One;
        var v = V;
        table[1] = v;
        for (int i = 2; i < 16; i++)
        {
            table[i] = (i & 1) == 0 ? table[i / 2].CyclotomicSquare() : table[i - 1] * v;
        }

        var acc = Fp12.One;
        for (int w = 63; w >= 0; w--)
        {
            acc = acc.CyclotomicSquare().CyclotomicSquare().CyclotomicSquare().CyclotomicSquare();
            ulong nib = (limbs[w / 16] >> ((w % 16) * 4)) & 0xF;
            var sel = Fp12.One;
            for (int j = 1; j < 16; j++)
            {
                ulong diff = nib ^ (ulong)j;
                ulong mask = unchecked(((diff | (0UL - diff)) >> 63) - 1UL);
                sel = Fp12.Select(sel, table[j], mask);
            }

            acc *= sel;
        }

        limbs.Clear();
        return new Gt(acc);
    }

    /// <summary>this^k in variable time (width-5 NAF); only for public exponents.</summary>
    public Gt PowVartime(in Scalar k)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        k.GetLimbs(limbs);
        Span<sbyte> naf = stackalloc sbyte[257];
        int len = Wnaf.Recode(limbs, 5, naf);
        Span<Fp12> odd = stackalloc Fp12[8];
        odd[0] = V;
        var sq = V.CyclotomicSquare();
        for (int i = 1; i < 8; i++)
        {
            odd[i] = odd[i - 1] * sq;
        }

        var acc = Fp12.One;
        for (int i = len - 1; i >= 0; i--)
        {
            acc = acc.CyclotomicSquare();
            int d = naf[i];
            if (d > 0)
            {
                acc *= odd[d >> 1];
            }
            else if (d < 0)
            {
                acc *= odd[(-d) >> 1].Conjugate();
            }
        }

        return new Gt(acc);
    }

    /// <summary>The 576-byte canonical encoding.</summary>
    public byte[] ToBytes()
    {
        var b = new byte[ByteLength];
        WriteBytes(b);
        return b;
    }

    /// <summary>Writes the 576-byte canonical encoding.</summary>
    public void WriteBytes(Span<byte> destination576)
    {
        if (destination576.Length < ByteLength)
        {
            throw new ArgumentException($"The destination needs {ByteLength} bytes.", nameof(destination576));
        }

        Span<Fp> c = stackalloc Fp[12];
        V.Coefficients(c);
        for (int i = 0; i < 12; i++)
        {
            c[i].WriteBytes(destination576.Slice(48 * i, 48));
        }
    }

    /// <summary>Decodes a canonical encoding of an element of GT (coordinates below p, order dividing r).</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Gt value) => Decode(bytes, out value) is null;

    /// <summary>Decodes a canonical encoding; throws <see cref="TlessFormatException"/> naming the failed check.</summary>
    public static Gt FromBytes(ReadOnlySpan<byte> bytes)
    {
        var error = Decode(bytes, out var v);
        return error is null ? v : throw new TlessFormatException(error);
    }

    private static readonly ulong[] OrderLimbs = Fp.Limbs(Fr.Modulus);

    private static string? Decode(ReadOnlySpan<byte> bytes, out Gt value)
    {
        value = One;
        if (bytes.Length != ByteLength)
        {
            return $"A GT element is {ByteLength} bytes, got {bytes.Length}.";
        }

        Span<Fp> c = stackalloc Fp[12];
        for (int i = 0; i < 12; i++)
        {
            if (!Fp.TryFromBytes(bytes.Slice(48 * i, 48), out c[i]))
            {
                return $"GT coefficient {i} is not below the field modulus p.";
            }
        }

        var f = Fp12.FromCoefficients(c);
        if (f.IsZero || !PowGeneric(f, OrderLimbs).IsOne)
        {
            return "The Fp12 element is not in the order-r subgroup GT.";
        }

        value = new Gt(f);
        return null;
    }

    /// <summary>Square-and-multiply with generic squarings (valid outside the cyclotomic subgroup), public exponent.</summary>
    private static Fp12 PowGeneric(in Fp12 f, ReadOnlySpan<ulong> e)
    {
        var acc = Fp12.One;
        for (int i = (e.Length * 64) - 1; i >= 0; i--)
        {
            acc = acc.Square();
            if (((e[i / 64] >> (i % 64)) & 1) == 1)
            {
                acc *= f;
            }
        }

        return acc;
    }

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Gt other) => V.Equals(other.V);

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Gt g && Equals(g);

    public override int GetHashCode() => V.GetHashCode();

    public static bool operator ==(in Gt a, in Gt b) => a.Equals(b);

    public static bool operator !=(in Gt a, in Gt b) => !a.Equals(b);

    private static class GeneratorHolder
    {
        internal static readonly Gt Value = Pairing.Pair(G1.Generator, G2.Generator);
    }
}
