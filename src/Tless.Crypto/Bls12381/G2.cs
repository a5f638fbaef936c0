using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Tless.Crypto.Bls12381;

/// <summary>
/// A point of the BLS12-381 group G2 (on the twist y^2 = x^3 + 4(u + 1) over Fp2), in projective coordinates. Values
/// obtained from the decoders and the hash functions are in the prime-order subgroup; arithmetic uses complete formulas.
/// </summary>
public readonly partial struct G2 : IEquatable<G2>
{
    /// <summary>The length of the ZCash compressed encoding.</summary>
    public const int CompressedLength = 96;

    /// <summary>The length of the ZCash uncompressed encoding.</summary>
    public const int UncompressedLength = 192;

    private static readonly Fp2 GenX = Fp2.FromHex(
        "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
        "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e");

    private static readonly Fp2 GenY = Fp2.FromHex(
        "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801",
        "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be");

    // psi = twist o Frobenius o untwist: (x, y) -> (conj(x) * xi^-((p-1)/3), conj(y) * xi^-((p-1)/2)).
    private static readonly Fp2 PsiX = Frob.Fp6C1[1].Invert();
    private static readonly Fp2 PsiY = new Fp2(Fp.One, Fp.One).Pow((Fp.Modulus - 1) / 2).Invert();

    /// <summary>The fixed generator of G2.</summary>
    public static G2 Generator => new(GenX, GenY, Fp2.One);

    internal static Fp2 MulByB(in Fp2 v)
    {
        var t = v.MulByNonResidue();
        var d = t + t;
        return d + d;
    }

    internal static Fp2 MulBy3B(in Fp2 v)
    {
        var t = v.MulByNonResidue();
        var d = t + t;
        var q = d + d;
        var e = q + q;
        return e + q;
    }

    internal static Fp2 CurveRhs(in Fp2 x) => (x.Square() * x) + MulByB(Fp2.One);

    /// <summary>The untwist-Frobenius-twist endomorphism psi.</summary>
    internal G2 Psi() => new(X.Conjugate() * PsiX, Y.Conjugate() * PsiY, Z.Conjugate());

    /// <summary>
    /// Constant-time 4-dimensional GLS multiplication. k = k1 + q x^2 (Glv.Decompose), then k1 = a + b |x| and
    /// q = c + d |x| (Glv.DivRemAbsX), all four below 2^64. On G2 psi(P) = x P, so |x| P = -psi(P) and
    /// kP = a P + b (-psi)(P) + c (-psi)^2(P) + d (-psi)^3(P): 60 doublings and four masked 4-bit table scans per window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static G2 MulSecret(in G2 p, in Scalar k)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        k.GetLimbs(limbs);
        Span<ulong> k1 = stackalloc ulong[2];
        Span<ulong> k2 = stackalloc ulong[2];
        Glv.Decompose(limbs, k1, k2);
        Span<ulong> d = stackalloc ulong[4];
        Glv.DivRemAbsX(k1[0], k1[1], out d[0], out d[1]);
        Glv.DivRemAbsX(k2[0], k2[1], out d[2], out d[3]);

        // t[16 j + i] = i (-psi)^j (P) = i |x|^j P
        Span<G2> t = stackalloc G2[64];
        t[0] = Identity;
        t[1] = p;
        for (int i = 2; i < 16; i++)
        {
            t[i] = (i & 1) == 0 ? t[i / 2].DoubleCore() : Add(t[i - 1], p);
        }

        for (int j = 1; j < 4; j++)
        {
            for (int i = 0; i < 16; i++)
            {
                t[(16 * j) + i] = -t[(16 * (j - 1)) + i].Psi();
            }
        }

        var acc = Identity;
        for (int w = 15; w >= 0; w--)
        {
            if (w != 15)
            {
                acc = acc.DoubleCore().DoubleCore().DoubleCore().DoubleCore();
            }

            for (int j = 0; j < 4; j++)
            {
                ulong n = (d[j] >> (w * 4)) & 0xF;
                var s = Identity;
                for (int i = 1; i < 16; i++)
                {
                    ulong e = n ^ (ulong)i;
                    s = Select(s, t[(16 * j) + i], unchecked(((e | (0UL - e)) >> 63) - 1UL));
                }

                acc = Add(acc, s);
            }
        }

        limbs.Clear();
        k1.Clear();
        k2.Clear();
        d.Clear();
        return acc;
    }

    /// <summary>Multiplies by the (negative) BLS parameter x.</summary>
    internal G2 MulByX() => -MulByUInt64(G1.BlsX);

    /// <summary>True when the point is in the prime-order subgroup (Scott's test: psi(P) = x P).</summary>
    public bool IsInSubgroup()
    {
        if (!IsOnCurve())
        {
            return false;
        }

        return Psi() == MulByX();
    }

    /// <summary>Clears the cofactor with h_eff via psi (Budroni-Pintore; RFC 9380 appendix G.3).</summary>
    internal G2 ClearCofactor()
    {
        var t1 = MulByX();
        var t2 = Psi();
        var t3 = Double().Psi().Psi();
        t3 -= t2;
        t2 = t1 + t2;
        t2 = t2.MulByX();
        t3 += t2;
        t3 -= t1;
        return t3 - this;
    }

    private static void WriteFp2(in Fp2 v, Span<byte> d96)
    {
        v.C1.WriteBytes(d96[..48]);
        v.C0.WriteBytes(d96[48..96]);
    }

    private static bool TryReadFp2(ReadOnlySpan<byte> b96, out Fp2 v)
    {
        bool ok1 = Fp.TryFromBytes(b96[..48], out var c1);
        bool ok0 = Fp.TryFromBytes(b96[48..96], out var c0);
        v = new Fp2(c0, c1);
        return ok0 & ok1;
    }

    /// <summary>Writes the 96-byte ZCash compressed encoding (x as c1 || c0).</summary>
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

        WriteFp2(x, d);
        d[0] |= (byte)(0x80 | (y.IsLexicographicallyLargest() ? 0x20 : 0));
    }

    /// <summary>Writes the 192-byte ZCash uncompressed encoding.</summary>
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

        WriteFp2(x, d[..96]);
        WriteFp2(y, d[96..]);
    }

    /// <summary>The 96-byte ZCash compressed encoding.</summary>
    public byte[] ToCompressed()
    {
        var b = new byte[CompressedLength];
        WriteCompressed(b);
        return b;
    }

    /// <summary>The 192-byte ZCash uncompressed encoding.</summary>
    public byte[] ToUncompressed()
    {
        var b = new byte[UncompressedLength];
        WriteUncompressed(b);
        return b;
    }

    /// <summary>Decodes a compressed point with full validation (flags, canonical x, on curve, subgroup).</summary>
    public static bool TryFromCompressed(ReadOnlySpan<byte> bytes, out G2 p) => DecodeCompressed(bytes, out p) is null;

    /// <summary>Decodes an uncompressed point with full validation (flags, canonical coordinates, on curve, subgroup).</summary>
    public static bool TryFromUncompressed(ReadOnlySpan<byte> bytes, out G2 p) => DecodeUncompressed(bytes, out p) is null;

    /// <summary>Decodes a compressed point; throws <see cref="TlessFormatException"/> naming the failed check.</summary>
    public static G2 FromCompressed(ReadOnlySpan<byte> bytes)
    {
        var error = DecodeCompressed(bytes, out var p);
        return error is null ? p : throw new TlessFormatException(error);
    }

    /// <summary>Decodes an uncompressed point; throws <see cref="TlessFormatException"/> naming the failed check.</summary>
    public static G2 FromUncompressed(ReadOnlySpan<byte> bytes)
    {
        var error = DecodeUncompressed(bytes, out var p);
        return error is null ? p : throw new TlessFormatException(error);
    }

    internal static string? DecodeCompressed(ReadOnlySpan<byte> bytes, out G2 p)
    {
        p = Identity;
        if (bytes.Length != CompressedLength)
        {
            return $"A compressed G2 point is {CompressedLength} bytes, got {bytes.Length}.";
        }

        var flagError = PointEncoding.CheckFlags(bytes, compressed: true, out bool infinity, out bool sort);
        if (flagError is not null || infinity)
        {
            return flagError is null ? null : "G2 " + flagError;
        }

        Span<byte> xb = stackalloc byte[96];
        bytes.CopyTo(xb);
        xb[0] &= 0x1F;
        if (!TryReadFp2(xb, out var x))
        {
            return "G2 x coordinate is not canonical (a component is not below the field modulus p).";
        }

        if (!CurveRhs(x).TrySqrt(out var y))
        {
            return "G2 x coordinate does not belong to a point on the curve.";
        }

        if (y.IsLexicographicallyLargest() != sort)
        {
            y = -y;
        }

        var candidate = new G2(x, y, Fp2.One);
        if (!candidate.IsInSubgroup())
        {
            return "G2 point is not in the prime-order subgroup.";
        }

        p = candidate;
        return null;
    }

    internal static string? DecodeUncompressed(ReadOnlySpan<byte> bytes, out G2 p)
    {
        p = Identity;
        if (bytes.Length != UncompressedLength)
        {
            return $"An uncompressed G2 point is {UncompressedLength} bytes, got {bytes.Length}.";
        }

        var flagError = PointEncoding.CheckFlags(bytes, compressed: false, out bool infinity, out _);
        if (flagError is not null || infinity)
        {
            return flagError is null ? null : "G2 " + flagError;
        }

        Span<byte> xb = stackalloc byte[96];
        bytes[..96].CopyTo(xb);
        xb[0] &= 0x1F;
        if (!TryReadFp2(xb, out var x))
        {
            return "G2 x coordinate is not canonical (a component is not below the field modulus p).";
        }

        if (!TryReadFp2(bytes[96..], out var y))
        {
            return "G2 y coordinate is not canonical (a component is not below the field modulus p).";
        }

        var candidate = new G2(x, y, Fp2.One);
        if (!candidate.IsOnCurve())
        {
            return "G2 point is not on the curve.";
        }

        if (!candidate.IsInSubgroup())
        {
            return "G2 point is not in the prime-order subgroup.";
        }

        p = candidate;
        return null;
    }

    /// <summary>An affine point from coordinates, checked on the curve but not for the subgroup (for test decoders).</summary>
    internal static bool TryFromAffine(in Fp2 x, in Fp2 y, out G2 p)
    {
        p = Identity;
        if (x.IsZero && y.IsZero)
        {
            return true;
        }

        var c = new G2(x, y, Fp2.One);
        if (!c.IsOnCurve())
        {
            return false;
        }

        p = c;
        return true;
    }

    /// <summary>RFC 9380 hash_to_curve, suite BLS12381G2_XMD:SHA-256_SSWU_RO_ (the DST is the caller's).</summary>
    public static G2 HashToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        Span<Fp2> u = stackalloc Fp2[2];
        HashToField.ToFp2(msg, dst, u);
        return (MapToCurve(u[0]) + MapToCurve(u[1])).ClearCofactor();
    }

    /// <summary>RFC 9380 encode_to_curve, suite BLS12381G2_XMD:SHA-256_SSWU_NU_ (nonuniform; the DST is the caller's).</summary>
    public static G2 EncodeToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        Span<Fp2> u = stackalloc Fp2[1];
        HashToField.ToFp2(msg, dst, u);
        return MapToCurve(u[0]).ClearCofactor();
    }

    /// <summary>Simplified SWU onto the isogenous curve followed by the 3-isogeny (no cofactor clearing).</summary>
    internal static G2 MapToCurve(in Fp2 u) => Sswu.MapG2(u);

    /// <summary>Map to curve and clear the cofactor (the EIP-2537 MAP_FP2_TO_G2 operation).</summary>
    internal static G2 MapToG2(in Fp2 u) => MapToCurve(u).ClearCofactor();

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is G2 g && Equals(g);

    public static bool operator ==(in G2 a, in G2 b) => a.Equals(b);

    public static bool operator !=(in G2 a, in G2 b) => !a.Equals(b);

    /// <summary>The compressed encoding in hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToCompressed());
}
