using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tless.Crypto.Bls12381;

/// <summary>Fp2 = Fp[u]/(u^2 + 1), written c0 + c1*u.</summary>
internal readonly struct Fp2 : IEquatable<Fp2>
{
    internal readonly Fp C0;
    internal readonly Fp C1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2(in Fp c0, in Fp c1)
    {
        C0 = c0;
        C1 = c1;
    }

    public static Fp2 Zero => default;

    public static Fp2 One => new(Fp.One, Fp.Zero);

    public bool IsZero => C0.IsZero & C1.IsZero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator +(in Fp2 a, in Fp2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator -(in Fp2 a, in Fp2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator -(in Fp2 a) => new(-a.C0, -a.C1);

    /// <summary>
    /// (a0 b0 - a1 b1, a0 b1 + a1 b0) as two sums of products with one Montgomery reduction each (lazy reduction):
    /// the same 216 word products as Karatsuba's three multiplications but two reductions instead of three products'
    /// worth of additions; measured 15% faster here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Fp2 operator *(in Fp2 a, in Fp2 b) =>
        new(Fp.SumOfProducts(a.C0, b.C0, -a.C1, b.C1), Fp.SumOfProducts(a.C0, b.C1, a.C1, b.C0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator *(in Fp2 a, in Fp b) => new(a.C0 * b, a.C1 * b);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp2 Square()
    {
        var a = C0 + C1;
        var b = C0 - C1;
        var c = C0 * C1;
        return new Fp2(a * b, c + c);
    }

    public Fp2 Double() => new(C0 + C0, C1 + C1);

    /// <summary>Multiplies by the non-residue xi = u + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2 MulByNonResidue() => new(C0 - C1, C0 + C1);

    public Fp2 Conjugate() => new(C0, -C1);

    public Fp2 Frobenius() => Conjugate();

    public Fp Norm() => C0.Square() + C1.Square();

    /// <summary>The inverse; zero maps to zero.</summary>
    public Fp2 Invert()
    {
        var t = Norm().Invert();
        return new Fp2(C0 * t, -(C1 * t));
    }

    public static Fp2 Select(in Fp2 a, in Fp2 b, bool chooseB) => new(Fp.Select(a.C0, b.C0, chooseB), Fp.Select(a.C1, b.C1, chooseB));

    public static Fp2 Select(in Fp2 a, in Fp2 b, ulong mask) => new(Fp.Select(a.C0, b.C0, mask), Fp.Select(a.C1, b.C1, mask));

    public bool Equals(Fp2 other) => C0.Equals(other.C0) & C1.Equals(other.C1);

    public override bool Equals(object? obj) => obj is Fp2 f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(C0, C1);

    public static bool operator ==(in Fp2 a, in Fp2 b) => a.Equals(b);

    public static bool operator !=(in Fp2 a, in Fp2 b) => !a.Equals(b);

    /// <summary>Raises to a public exponent (square and multiply; the schedule depends only on the exponent).</summary>
    public Fp2 Pow(BigInteger e)
    {
        var acc = One;
        for (long i = (long)e.GetBitLength() - 1; i >= 0; i--)
        {
            acc = acc.Square();
            if (!(e >> (int)i).IsEven)
            {
                acc *= this;
            }
        }

        return acc;
    }

    private static readonly ulong[] PMinus3Over4 = Fp.Limbs((Fp.Modulus - 3) / 4);
    private static readonly Fp Half = Fp.FromUInt64(2).Invert();

    /// <summary>
    /// Square root by the complex method over Fp: two exponentiations in Fp instead of the two exponentiations in Fp2
    /// of the generic algorithm. With s = sqrt(c0^2 + c1^2) and t = (c0 + s)/2, one power w = t^((p-3)/4) gives both
    /// sqrt(t) = w t and 1/sqrt(t) = w when t is a square, and otherwise sqrt((c0 - s)/2) = w c1/2 with
    /// 1/that = -t w (then w^2 = -1/t). False when none exists. Variable time (public inputs only).
    /// </summary>
    public bool TrySqrt(out Fp2 root)
    {
        // a is a square in Fp2 exactly when its norm is a square in Fp
        var n = Norm();
        var s = n.SqrtCandidate();
        if (s.Square() != n)
        {
            root = default;
            return false;
        }

        var t = (C0 + s) * Half;
        if (t.IsZero)
        {
            // only when c1 = 0 and s = -c0: take the other root of the norm
            t = (C0 - s) * Half;
        }

        var w = t.Pow(PMinus3Over4);
        var wt = w * t;
        var x = wt.Square() == t
            ? new Fp2(wt, C1 * w * Half)
            : new Fp2(C1 * Half * w, -wt);
        root = x;
        return x.Square() == this;
    }

    /// <summary>
    /// sqrt(u / v) for v nonzero without an inversion (RFC 9380 sqrt_ratio, by the same complex method): with
    /// u / v = w / d for w = u conj(v) and d = norm(v) in Fp, S = sqrt(norm(w)), T = (w0 + S) / 2 and
    /// w' = (T d^3)^((p-3)/4), the root is (T d w', w1 d w' / 2) when T / d is a square and (w1 d w' / 2, -T d w')
    /// otherwise. False (root undefined) when u / v is not a square. Variable time (public inputs only).
    /// </summary>
    public static bool TrySqrtRatio(in Fp2 u, in Fp2 v, out Fp2 root)
    {
        var w = u * v.Conjugate();
        var d = v.Norm();

        // norm(u / v) = norm(w) / d^2 is a square exactly when norm(w) is
        var nw = w.Norm();
        var s = nw.SqrtCandidate();
        if (s.Square() != nw)
        {
            root = default;
            return false;
        }

        var t = (w.C0 + s) * Half;
        if (t.IsZero)
        {
            t = (w.C0 - s) * Half;
        }

        var g = t * d.Square() * d;
        var wp = g.Pow(PMinus3Over4);
        var wd = wp * d;
        root = (wp.Square() * g).IsOne
            ? new Fp2(t * wd, w.C1 * wd * Half)
            : new Fp2(w.C1 * wd * Half, -(t * wd));
        return root.Square() * v == u;
    }

    /// <summary>True when this is a square in Fp2 (zero included): its norm is a square in Fp.</summary>
    public bool IsSquare() => Norm().IsSquare();

    /// <summary>RFC 9380 sgn0 for m = 2.</summary>
    public bool Sgn0
    {
        get
        {
            bool sign0 = C0.Sgn0;
            bool zero0 = C0.IsZero;
            bool sign1 = C1.Sgn0;
            return sign0 | (zero0 & sign1);
        }
    }

    /// <summary>ZCash ordering: c1 decides, or c0 when c1 is zero.</summary>
    public bool IsLexicographicallyLargest() =>
        C1.IsLexicographicallyLargest() | (C1.IsZero & C0.IsLexicographicallyLargest());

    public static Fp2 FromHex(string c0, string c1) => new(Fp.FromHex(c0), Fp.FromHex(c1));

    public override string ToString() => $"({C0}, {C1})";
}
