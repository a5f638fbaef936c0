using System.Runtime.CompilerServices;

namespace Tless.Crypto.Bls12381;

/// <summary>Fp6 = Fp2[v]/(v^3 - (u + 1)), written c0 + c1*v + c2*v^2.</summary>
internal readonly struct Fp6 : IEquatable<Fp6>
{
    internal readonly Fp2 C0;
    internal readonly Fp2 C1;
    internal readonly Fp2 C2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp6(in Fp2 c0, in Fp2 c1, in Fp2 c2)
    {
        C0 = c0;
        C1 = c1;
        C2 = c2;
    }

    public static Fp6 Zero => default;

    public static Fp6 One => new(Fp2.One, Fp2.Zero, Fp2.Zero);

    public bool IsZero => C0.IsZero & C1.IsZero & C2.IsZero;

    public static Fp6 operator +(in Fp6 a, in Fp6 b) => new(a.C0 + b.C0, a.C1 + b.C1, a.C2 + b.C2);

    public static Fp6 operator -(in Fp6 a, in Fp6 b) => new(a.C0 - b.C0, a.C1 - b.C1, a.C2 - b.C2);

    public static Fp6 operator -(in Fp6 a) => new(-a.C0, -a.C1, -a.C2);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Fp6 operator *(in Fp6 a, in Fp6 b)
    {
        var v0 = a.C0 * b.C0;
        var v1 = a.C1 * b.C1;
        var v2 = a.C2 * b.C2;
        var c0 = (((a.C1 + a.C2) * (b.C1 + b.C2)) - v1 - v2).MulByNonResidue() + v0;
        var c1 = ((a.C0 + a.C1) * (b.C0 + b.C1)) - v0 - v1 + v2.MulByNonResidue();
        var c2 = ((a.C0 + a.C2) * (b.C0 + b.C2)) - v0 - v2 + v1;
        return new Fp6(c0, c1, c2);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp6 Square()
    {
        var s0 = C0.Square();
        var ab = C0 * C1;
        var s1 = ab + ab;
        var s2 = (C0 - C1 + C2).Square();
        var bc = C1 * C2;
        var s3 = bc + bc;
        var s4 = C2.Square();
        return new Fp6(s3.MulByNonResidue() + s0, s4.MulByNonResidue() + s1, s1 + s2 + s3 - s0 - s4);
    }

    /// <summary>Multiplies by v (the Fp6 non-residue used by Fp12).</summary>
    public Fp6 MulByNonResidue() => new(C2.MulByNonResidue(), C0, C1);

    /// <summary>Multiplies by b0 + b1*v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp6 MulBy01(in Fp2 b0, in Fp2 b1)
    {
        var aa = C0 * b0;
        var bb = C1 * b1;
        var t1 = (C2 * b1).MulByNonResidue() + aa;
        var t2 = ((b0 + b1) * (C0 + C1)) - aa - bb;
        var t3 = (C2 * b0) + bb;
        return new Fp6(t1, t2, t3);
    }

    /// <summary>Multiplies by b1*v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fp6 MulBy1(in Fp2 b1) => new((C2 * b1).MulByNonResidue(), C0 * b1, C1 * b1);

    /// <summary>Multiplies each coefficient by an Fp2 scalar.</summary>
    public Fp6 MulByFp2(in Fp2 s) => new(C0 * s, C1 * s, C2 * s);

    public Fp6 Invert()
    {
        var t0 = C0.Square() - (C1 * C2).MulByNonResidue();
        var t1 = C2.Square().MulByNonResidue() - (C0 * C1);
        var t2 = C1.Square() - (C0 * C2);
        var d = (C0 * t0) + ((C2 * t1) + (C1 * t2)).MulByNonResidue();
        var inv = d.Invert();
        return new Fp6(t0 * inv, t1 * inv, t2 * inv);
    }

    public Fp6 Frobenius() => new(C0.Conjugate(), C1.Conjugate() * Frob.Fp6C1[1], C2.Conjugate() * Frob.Fp6C2[1]);

    /// <summary>The p^k power for k = 0..5.</summary>
    public Fp6 Frobenius(int k)
    {
        if ((k & 1) == 0)
        {
            return new Fp6(C0, C1 * Frob.Fp6C1[k], C2 * Frob.Fp6C2[k]);
        }

        return new Fp6(C0.Conjugate(), C1.Conjugate() * Frob.Fp6C1[k], C2.Conjugate() * Frob.Fp6C2[k]);
    }

    public static Fp6 Select(in Fp6 a, in Fp6 b, ulong mask) =>
        new(Fp2.Select(a.C0, b.C0, mask), Fp2.Select(a.C1, b.C1, mask), Fp2.Select(a.C2, b.C2, mask));

    public bool Equals(Fp6 other) => C0.Equals(other.C0) & C1.Equals(other.C1) & C2.Equals(other.C2);

    public override bool Equals(object? obj) => obj is Fp6 f && Equals(f);

    public static bool operator ==(in Fp6 a, in Fp6 b) => a.Equals(b);

    public static bool operator !=(in Fp6 a, in Fp6 b) => !a.Equals(b);

    public override int GetHashCode() => HashCode.Combine(C0, C1, C2);
}
