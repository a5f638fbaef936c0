using System.Runtime.CompilerServices;

namespace Tless.Crypto.Bls12381;

/// <summary>Fp12 = Fp6[w]/(w^2 - v), written c0 + c1*w.</summary>
internal readonly struct Fp12 : IEquatable<Fp12>
{
    internal readonly Fp6 C0;
    internal readonly Fp6 C1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp12(in Fp6 c0, in Fp6 c1)
    {
        C0 = c0;
        C1 = c1;
    }

    public static Fp12 One => new(Fp6.One, Fp6.Zero);

    public bool IsZero => C0.IsZero & C1.IsZero;

    public bool IsOne => Equals(One);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Fp12 operator *(in Fp12 a, in Fp12 b)
    {
        var v0 = a.C0 * b.C0;
        var v1 = a.C1 * b.C1;
        var c1 = ((a.C0 + a.C1) * (b.C0 + b.C1)) - v0 - v1;
        return new Fp12(v0 + v1.MulByNonResidue(), c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp12 Square()
    {
        var ab = C0 * C1;
        var c0 = ((C0 + C1) * (C0 + C1.MulByNonResidue())) - ab - ab.MulByNonResidue();
        return new Fp12(c0, ab + ab);
    }

    public Fp12 Conjugate() => new(C0, -C1);

    public Fp12 Invert()
    {
        var t = (C0.Square() - C1.Square().MulByNonResidue()).Invert();
        return new Fp12(C0 * t, -(C1 * t));
    }

    /// <summary>The p^k power for k = 0..5.</summary>
    public Fp12 Frobenius(int k)
    {
        var c0 = C0.Frobenius(k);
        var c1 = C1.Frobenius(k).MulByFp2(Frob.Fp12C1[k]);
        return new Fp12(c0, c1);
    }

    /// <summary>Multiplies by the sparse element c0 + c1*v + c4*v*w (a Miller-loop line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp12 MulBy014(in Fp2 c0, in Fp2 c1, in Fp2 c4)
    {
        var aa = C0.MulBy01(c0, c1);
        var bb = C1.MulBy1(c4);
        var o = c1 + c4;
        var t = (C1 + C0).MulBy01(c0, o) - aa - bb;
        return new Fp12(bb.MulByNonResidue() + aa, t);
    }

    /// <summary>Squaring for elements of the cyclotomic subgroup (Granger-Scott).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp12 CyclotomicSquare()
    {
        var z0 = C0.C0;
        var z4 = C0.C1;
        var z3 = C0.C2;
        var z2 = C1.C0;
        var z1 = C1.C1;
        var z5 = C1.C2;

        Fp4Square(z0, z1, out var t0, out var t1);
        z0 = t0 - z0;
        z0 = z0 + z0 + t0;
        z1 = t1 + z1;
        z1 = z1 + z1 + t1;

        Fp4Square(z2, z3, out t0, out t1);
        Fp4Square(z4, z5, out var t2, out var t3);
        z4 = t0 - z4;
        z4 = z4 + z4 + t0;
        z5 = t1 + z5;
        z5 = z5 + z5 + t1;

        t0 = t3.MulByNonResidue();
        z2 = t0 + z2;
        z2 = z2 + z2 + t0;
        z3 = t2 - z3;
        z3 = z3 + z3 + t2;

        return new Fp12(new Fp6(z0, z4, z3), new Fp6(z2, z1, z5));
    }

    private static void Fp4Square(in Fp2 a, in Fp2 b, out Fp2 c0, out Fp2 c1)
    {
        var t0 = a.Square();
        var t1 = b.Square();
        c0 = t1.MulByNonResidue() + t0;
        c1 = (a + b).Square() - t0 - t1;
    }

    public static Fp12 Select(in Fp12 a, in Fp12 b, ulong mask) => new(Fp6.Select(a.C0, b.C0, mask), Fp6.Select(a.C1, b.C1, mask));

    public bool Equals(Fp12 other) => C0.Equals(other.C0) & C1.Equals(other.C1);

    public override bool Equals(object? obj) => obj is Fp12 f && Equals(f);

    public static bool operator ==(in Fp12 a, in Fp12 b) => a.Equals(b);

    public static bool operator !=(in Fp12 a, in Fp12 b) => !a.Equals(b);

    public override int GetHashCode() => HashCode.Combine(C0, C1);

    /// <summary>The 12 Fp coefficients in the canonical order c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1.</summary>
    public void Coefficients(Span<Fp> dst)
    {
        dst[0] = C0.C0.C0; dst[1] = C0.C0.C1; dst[2] = C0.C1.C0; dst[3] = C0.C1.C1; dst[4] = C0.C2.C0; dst[5] = C0.C2.C1;
        dst[6] = C1.C0.C0; dst[7] = C1.C0.C1; dst[8] = C1.C1.C0; dst[9] = C1.C1.C1; dst[10] = C1.C2.C0; dst[11] = C1.C2.C1;
    }

    public static Fp12 FromCoefficients(ReadOnlySpan<Fp> c) =>
        new(
            new Fp6(new Fp2(c[0], c[1]), new Fp2(c[2], c[3]), new Fp2(c[4], c[5])),
            new Fp6(new Fp2(c[6], c[7]), new Fp2(c[8], c[9]), new Fp2(c[10], c[11])));
}
