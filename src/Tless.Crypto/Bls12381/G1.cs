using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Tless.Crypto.Bls12381;

/// <summary>
/// A point of the BLS12-381 group G1 (on y^2 = x^3 + 4 over Fp), in projective coordinates. Values obtained from the
/// decoders and the hash functions are in the prime-order subgroup; arithmetic uses complete formulas.
/// </summary>
public readonly partial struct G1 : IEquatable<G1>
{
    /// <summary>The length of the ZCash compressed encoding.</summary>
    public const int CompressedLength = 48;

    /// <summary>The length of the ZCash uncompressed encoding.</summary>
    public const int UncompressedLength = 96;

    private static readonly Fp GenX = Fp.FromHex("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb");
    private static readonly Fp GenY = Fp.FromHex("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1");

    /// <summary>|x| where x = -0xd201000000010000 is the BLS parameter.</summary>
    internal const ulong BlsX = 0xd201000000010000;

    /// <summary>The cube root of unity beta with (beta*x, y) = -x^2 * (x, y) on G1.</summary>
    private static readonly Fp Beta = FindBeta();

    /// <summary>The fixed generator of G1.</summary>
    public static G1 Generator => new(GenX, GenY, Fp.One);

    internal static Fp MulByB(in Fp v)
    {
        var d = v + v;
        return d + d;
    }

    internal static Fp MulBy3B(in Fp v)
    {
        var d = v + v;
        var q = d + d;
        var e = q + q;
        return e + q;
    }

    internal static Fp CurveRhs(in Fp x) => (x.Square() * x) + MulByB(Fp.One);

    /// <summary>The GLV endomorphism (x, y) -> (beta x, y).</summary>
    internal G1 Phi() => new(X * Beta, Y, Z);

    /// <summary>
    /// Constant-time GLV multiplication: k = k1 + q x^2 with k1, q below 2^128 (Glv.Decompose), and
    /// x^2 P = phi(-P), so kP = k1 P + q phi(-P): 128 doublings and two masked 4-bit table scans per window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static G1 MulSecret(in G1 p, in Scalar k)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        k.GetLimbs(limbs);
        Span<ulong> k1 = stackalloc ulong[2];
        Span<ulong> k2 = stackalloc ulong[2];
        Glv.Decompose(limbs, k1, k2);

        Span<G1> t1 = stackalloc G1[16];
        Span<G1> t2 = stackalloc G1[16];
        t1[0] = Identity;
        t1[1] = p;
        for (int i = 2; i < 16; i++)
        {
            t1[i] = (i & 1) == 0 ? t1[i / 2].DoubleCore() : Add(t1[i - 1], p);
        }

        for (int i = 0; i < 16; i++)
        {
            t2[i] = new G1(t1[i].X * Beta, -t1[i].Y, t1[i].Z); // phi(-iP)
        }

        var acc = Identity;
        for (int w = 31; w >= 0; w--)
        {
            acc = acc.DoubleCore().DoubleCore().DoubleCore().DoubleCore();
            ulong n1 = (k1[w / 16] >> ((w % 16) * 4)) & 0xF;
            ulong n2 = (k2[w / 16] >> ((w % 16) * 4)) & 0xF;
            var s1 = Identity;
            var s2 = Identity;
            for (int j = 1; j < 16; j++)
            {
                ulong d1 = n1 ^ (ulong)j;
                ulong d2 = n2 ^ (ulong)j;
                s1 = Select(s1, t1[j], unchecked(((d1 | (0UL - d1)) >> 63) - 1UL));
                s2 = Select(s2, t2[j], unchecked(((d2 | (0UL - d2)) >> 63) - 1UL));
            }

            acc = Add(Add(acc, s1), s2);
        }

        limbs.Clear();
        k1.Clear();
        k2.Clear();
        return acc;
    }

    /// <summary>Multiplies by the (negative) BLS parameter x.</summary>
    internal G1 MulByX() => -MulByUInt64(BlsX);

    private static Fp FindBeta()
    {
        // a primitive cube root of unity: t^((p-1)/3) for the first t that is not a cube
        var e = Fp.Limbs((Fp.Modulus - 1) / 3);
        Fp w = Fp.One;
        for (ulong t = 2; w.IsOne; t++)
        {
            w = Fp.FromUInt64(t).Pow(e);
        }

        var g = Generator;
        var minusX2G = -g.MulByX().MulByX();
        return new G1(GenX * w, GenY, Fp.One) == minusX2G ? w : w.Square();
    }

    /// <summary>True when the point is in the prime-order subgroup (Bowe's endomorphism test: phi(P) = -x^2 P).</summary>
    public bool IsInSubgroup()
    {
        if (!IsOnCurve())
        {
            return false;
        }

        return Phi() == -MulByX().MulByX();
    }

    /// <summary>Clears the cofactor: multiplication by h_eff = 1 - x (RFC 9380 section 8.8.1).</summary>
    internal G1 ClearCofactor() => MulByUInt64(0xd201000000010001);

    /// <summary>Writes the 48-byte ZCash compressed encoding.</summary>
    public void WriteCompressed(Span<byte> destination)
    {
        if (destination.Length < CompressedLength)
        {
            throw new ArgumentException($"The destination needs {CompressedLength} bytes.", nameof(destination));
        }

        var d = destination[..CompressedLength];
        if (!ToAffine(out var x, out var y))
        {
            d.Clear();
            d[0] = 0xC0;
            return;
        }

        x.WriteBytes(d);
        d[0] |= (byte)(0x80 | (y.IsLexicographicallyLargest() ? 0x20 : 0));
    }

    /// <summary>Writes the 96-byte ZCash uncompressed encoding.</summary>
    public void WriteUncompressed(Span<byte> destination)
    {
        if (destination.Length < UncompressedLength)
        {
            throw new ArgumentException($"The destination needs {UncompressedLength} bytes.", nameof(destination));
        }

        var d = destination[..UncompressedLength];
        if (!ToAffine(out var x, out var y))
        {
            d.Clear();
            d[0] = 0x40;
            return;
        }

        x.WriteBytes(d[..48]);
        y.WriteBytes(d[48..]);
    }

    /// <summary>The 48-byte ZCash compressed encoding.</summary>
    public byte[] ToCompressed()
    {
        var b = new byte[CompressedLength];
        WriteCompressed(b);
        return b;
    }

    /// <summary>The 96-byte ZCash uncompressed encoding.</summary>
    public byte[] ToUncompressed()
    {
        var b = new byte[UncompressedLength];
        WriteUncompressed(b);
        return b;
    }

    /// <summary>Decodes a compressed point with full validation (flags, canonical x, on curve, subgroup).</summary>
    public static bool TryFromCompressed(ReadOnlySpan<byte> bytes, out G1 p) => DecodeCompressed(bytes, out p) is null;

    /// <summary>Decodes an uncompressed point with full validation (flags, canonical coordinates, on curve, subgroup).</summary>
    public static bool TryFromUncompressed(ReadOnlySpan<byte> bytes, out G1 p) => DecodeUncompressed(bytes, out p) is null;

    /// <summary>Decodes a compressed point; throws <see cref="TlessFormatException"/> naming the failed check.</summary>
    public static G1 FromCompressed(ReadOnlySpan<byte> bytes)
    {
        var error = DecodeCompressed(bytes, out var p);
        return error is null ? p : throw new TlessFormatException(error);
    }

    /// <summary>Decodes an uncompressed point; throws <see cref="TlessFormatException"/> naming the failed check.</summary>
    public static G1 FromUncompressed(ReadOnlySpan<byte> bytes)
    {
        var error = DecodeUncompressed(bytes, out var p);
        return error is null ? p : throw new TlessFormatException(error);
    }

    internal static string? DecodeCompressed(ReadOnlySpan<byte> bytes, out G1 p)
    {
        p = Identity;
        if (bytes.Length != CompressedLength)
        {
            return $"A compressed G1 point is {CompressedLength} bytes, got {bytes.Length}.";
        }

        var flagError = PointEncoding.CheckFlags(bytes, compressed: true, out bool infinity, out bool sort);
        if (flagError is not null || infinity)
        {
            return flagError is null ? null : "G1 " + flagError;
        }

        Span<byte> xb = stackalloc byte[48];
        bytes.CopyTo(xb);
        xb[0] &= 0x1F;
        if (!Fp.TryFromBytes(xb, out var x))
        {
            return "G1 x coordinate is not below the field modulus p.";
        }

        if (!CurveRhs(x).TrySqrt(out var y))
        {
            return "G1 x coordinate does not belong to a point on the curve.";
        }

        if (y.IsLexicographicallyLargest() != sort)
        {
            y = -y;
        }

        var candidate = new G1(x, y, Fp.One);
        if (!candidate.IsInSubgroup())
        {
            return "G1 point is not in the prime-order subgroup.";
        }

        p = candidate;
        return null;
    }

    internal static string? DecodeUncompressed(ReadOnlySpan<byte> bytes, out G1 p)
    {
        p = Identity;
        if (bytes.Length != UncompressedLength)
        {
            return $"An uncompressed G1 point is {UncompressedLength} bytes, got {bytes.Length}.";
        }

        var flagError = PointEncoding.CheckFlags(bytes, compressed: false, out bool infinity, out _);
        if (flagError is not null || infinity)
        {
            return flagError is null ? null : "G1 " + flagError;
        }

        Span<byte> xb = stackalloc byte[48];
        bytes[..48].CopyTo(xb);
        xb[0] &= 0x1F;
        if (!Fp.TryFromBytes(xb, out var x))
        {
            return "G1 x coordinate is not below the field modulus p.";
        }

        if (!Fp.TryFromBytes(bytes[48..], out var y))
        {
            return "G1 y coordinate is not below the field modulus p.";
        }

        var candidate = new G1(x, y, Fp.One);
        if (!candidate.IsOnCurve())
        {
            return "G1 point is not on the curve.";
        }

        if (!candidate.IsInSubgroup())
        {
            return "G1 point is not in the prime-order subgroup.";
        }

        p = candidate;
        return null;
    }

    /// <summary>An affine point from coordinates, checked on the curve but not for the subgroup (for test decoders).</summary>
    internal static bool TryFromAffine(ReadOnlySpan<byte> x48, ReadOnlySpan<byte> y48, out G1 p)
    {
        p = Identity;
        if (!Fp.TryFromBytes(x48, out var x) || !Fp.TryFromBytes(y48, out var y))
        {
            return false;
        }

        if (x.IsZero && y.IsZero)
        {
            return true;
        }

        var c = new G1(x, y, Fp.One);
        if (!c.IsOnCurve())
        {
            return false;
        }

        p = c;
        return true;
    }

    /// <summary>RFC 9380 hash_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_RO_ (the DST is the caller's).</summary>
    public static G1 HashToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        Span<Fp> u = stackalloc Fp[2];
        HashToField.ToFp(msg, dst, u);
        return (MapToCurve(u[0]) + MapToCurve(u[1])).ClearCofactor();
    }

    /// <summary>RFC 9380 encode_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_NU_ (nonuniform; the DST is the caller's).</summary>
    public static G1 EncodeToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        Span<Fp> u = stackalloc Fp[1];
        HashToField.ToFp(msg, dst, u);
        return MapToCurve(u[0]).ClearCofactor();
    }

    /// <summary>Simplified SWU onto the isogenous curve followed by the 11-isogeny (no cofactor clearing).</summary>
    internal static G1 MapToCurve(in Fp u) => Sswu.MapG1(u);

    /// <summary>Map to curve and clear the cofactor (the EIP-2537 MAP_FP_TO_G1 operation).</summary>
    internal static G1 MapToG1(in Fp u) => MapToCurve(u).ClearCofactor();

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is G1 g && Equals(g);

    public static bool operator ==(in G1 a, in G1 b) => a.Equals(b);

    public static bool operator !=(in G1 a, in G1 b) => !a.Equals(b);

    /// <summary>The compressed encoding in hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToCompressed());
}
