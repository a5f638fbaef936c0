using System.Runtime.CompilerServices;
namespace Tless.Crypto.Bls12381;

/// <summary>The output of the Miller loop, before the final exponentiation (only useful for benchmarks and batching).</summary>
public readonly struct MillerLoopResult : IEquatable<MillerLoopResult>
{
    internal readonly Fp12 Value;

    internal MillerLoopResult(in Fp12 value) => Value = value;

    /// <summary>Multiplies two Miller-loop outputs (the product pairs after one final exponentiation).</summary>
    public static MillerLoopResult operator *(in MillerLoopResult a, in MillerLoopResult b) => new(a.Value * b.Value);

    public bool Equals(MillerLoopResult other) => Value.Equals(other.Value);

    public override bool Equals(object? obj) => obj is MillerLoopResult m && Equals(m);

    public override int GetHashCode() => Value.GetHashCode();

    public static bool operator ==(in MillerLoopResult a, in MillerLoopResult b) => a.Equals(b);

    public static bool operator !=(in MillerLoopResult a, in MillerLoopResult b) => !a.Equals(b);
}

/// <summary>
/// The line coefficients of the Miller loop for a fixed G2 point, computed once; pairings with a prepared point skip
/// all G2 arithmetic.
/// </summary>
public sealed class G2Prepared
{
    internal readonly LineCoeffs[] Coeffs;
    internal readonly bool IsIdentity;

    /// <summary>Precomputes the 68 line coefficients of <paramref name="q"/>.</summary>
    public G2Prepared(in G2 q)
    {
        Point = q;
        IsIdentity = q.IsIdentity;
        if (IsIdentity)
        {
            Coeffs = [];
            return;
        }

        q.ToAffine(out var qx, out var qy);
        var list = new List<LineCoeffs>(68);
        var r = new MillerState(qx, qy);
        bool found = false;
        for (int b = 63; b >= 0; b--)
        {
            bool bit = ((G1.BlsX >> 1 >> b) & 1) == 1;
            if (!found)
            {
                found = bit;
                continue;
            }

            list.Add(r.DoublingStep());
            if (bit)
            {
                list.Add(r.AdditionStep(qx, qy));
            }
        }

        list.Add(r.DoublingStep());
        Coeffs = [.. list];
    }

    /// <summary>The prepared point.</summary>
    public G2 Point { get; }
}

internal readonly struct LineCoeffs
{
    internal readonly Fp2 C0;
    internal readonly Fp2 C1;
    internal readonly Fp2 C2;

    internal LineCoeffs(in Fp2 c0, in Fp2 c1, in Fp2 c2)
    {
        C0 = c0;
        C1 = c1;
        C2 = c2;
    }

    /// <summary>f * line(P): the coefficients scaled by P's affine coordinates, as a sparse Fp12 product.</summary>
    internal Fp12 Apply(in Fp12 f, in Fp px, in Fp py) => f.MulBy014(C2, C1 * px, C0 * py);
}

/// <summary>The running G2 point of the Miller loop and its line functions (Costello-Lange-Naehrig 2010, algorithms 26-27).</summary>
internal struct MillerState
{
    private Fp2 x;
    private Fp2 y;
    private Fp2 z;

    internal MillerState(in Fp2 qx, in Fp2 qy)
    {
        x = qx;
        y = qy;
        z = Fp2.One;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal LineCoeffs DoublingStep()
    {
        var t0 = x.Square();
        var t1 = y.Square();
        var t2 = t1.Square();
        var t3 = (t1 + x).Square() - t0 - t2;
        t3 += t3;
        var t4 = t0 + t0 + t0;
        var t6 = x + t4;
        var t5 = t4.Square();
        var zz = z.Square();
        x = t5 - t3 - t3;
        z = (z + y).Square() - t1 - zz;
        y = (t3 - x) * t4;
        t2 += t2;
        t2 += t2;
        t2 += t2;
        y -= t2;
        t3 = t4 * zz;
        t3 += t3;
        t3 = -t3;
        t6 = t6.Square() - t0 - t5;
        t1 += t1;
        t1 += t1;
        t6 -= t1;
        t0 = z * zz;
        t0 += t0;
        return new LineCoeffs(t0, t3, t6);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal LineCoeffs AdditionStep(in Fp2 qx, in Fp2 qy)
    {
        var zz = z.Square();
        var yy = qy.Square();
        var t0 = zz * qx;
        var t1 = ((qy + z).Square() - yy - zz) * zz;
        var t2 = t0 - x;
        var t3 = t2.Square();
        var t4 = t3 + t3;
        t4 += t4;
        var t5 = t4 * t2;
        var t6 = t1 - y - y;
        var t9 = t6 * qx;
        var t7 = t4 * x;
        x = t6.Square() - t5 - t7 - t7;
        z = (z + t2).Square() - zz - t3;
        var t10 = qy + z;
        var t8 = (t7 - x) * t6;
        t0 = y * t5;
        t0 += t0;
        y = t8 - t0;
        t10 = t10.Square() - yy;
        var zt2 = z.Square();
        t10 -= zt2;
        t9 = t9 + t9 - t10;
        t10 = z + z;
        t6 = -t6;
        t1 = t6 + t6;
        return new LineCoeffs(t10, t1, t9);
    }
}

/// <summary>The optimal ate pairing e: G1 x G2 -> GT of BLS12-381.</summary>
public static class Pairing
{
    /// <summary>e(p, q); the identity in either argument gives <see cref="Gt.One"/>.</summary>
    public static Gt Pair(in G1 p, in G2 q) => FinalExponentiation(MillerLoop(p, q));

    /// <summary>e(p, q) with a prepared G2 point.</summary>
    public static Gt Pair(in G1 p, G2Prepared q)
    {
        ArgumentNullException.ThrowIfNull(q);
        ReadOnlySpan<G1> ps = [p];
        ReadOnlySpan<G2Prepared> qs = [q];
        return MultiPair(ps, qs);
    }

    /// <summary>The product of e(ps[i], qs[i]) with one shared Miller loop and one final exponentiation; identity pairs are skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Gt MultiPair(ReadOnlySpan<G1> ps, ReadOnlySpan<G2> qs)
    {
        if (ps.Length != qs.Length)
        {
            throw new ArgumentException("The numbers of G1 and G2 points differ.", nameof(qs));
        }

        int n = 0;
        var px = new Fp[ps.Length];
        var py = new Fp[ps.Length];
        var qx = new Fp2[ps.Length];
        var qy = new Fp2[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            if (ps[i].IsIdentity || qs[i].IsIdentity)
            {
                continue;
            }

            ps[i].ToAffine(out px[n], out py[n]);
            qs[i].ToAffine(out qx[n], out qy[n]);
            n++;
        }

        var states = new MillerState[n];
        for (int i = 0; i < n; i++)
        {
            states[i] = new MillerState(qx[i], qy[i]);
        }

        var f = Fp12.One;
        bool found = false;
        for (int b = 63; b >= 0; b--)
        {
            bool bit = ((G1.BlsX >> 1 >> b) & 1) == 1;
            if (!found)
            {
                found = bit;
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                f = states[i].DoublingStep().Apply(f, px[i], py[i]);
            }

            if (bit)
            {
                for (int i = 0; i < n; i++)
                {
                    f = states[i].AdditionStep(qx[i], qy[i]).Apply(f, px[i], py[i]);
                }
            }

            f = f.Square();
        }

        for (int i = 0; i < n; i++)
        {
            f = states[i].DoublingStep().Apply(f, px[i], py[i]);
        }

        return FinalExponentiation(new MillerLoopResult(f.Conjugate()));
    }

    /// <summary>The product of e(ps[i], qs[i]) for prepared G2 points.</summary>
    public static Gt MultiPair(ReadOnlySpan<G1> ps, ReadOnlySpan<G2Prepared> qs)
    {
        if (ps.Length != qs.Length)
        {
            throw new ArgumentException("The numbers of G1 and G2 points differ.", nameof(qs));
        }

        var px = new Fp[ps.Length];
        var py = new Fp[ps.Length];
        var idx = new int[ps.Length];
        int n = 0;
        for (int i = 0; i < ps.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(qs[i], nameof(qs));
            if (ps[i].IsIdentity || qs[i].IsIdentity)
            {
                continue;
            }

            ps[i].ToAffine(out px[n], out py[n]);
            idx[n] = i;
            n++;
        }

        var f = Fp12.One;
        int c = 0;
        bool found = false;
        for (int b = 63; b >= 0; b--)
        {
            bool bit = ((G1.BlsX >> 1 >> b) & 1) == 1;
            if (!found)
            {
                found = bit;
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                f = qs[idx[i]].Coeffs[c].Apply(f, px[i], py[i]);
            }

            c++;
            if (bit)
            {
                for (int i = 0; i < n; i++)
                {
                    f = qs[idx[i]].Coeffs[c].Apply(f, px[i], py[i]);
                }

                c++;
            }

            f = f.Square();
        }

        for (int i = 0; i < n; i++)
        {
            f = qs[idx[i]].Coeffs[c].Apply(f, px[i], py[i]);
        }

        return FinalExponentiation(new MillerLoopResult(f.Conjugate()));
    }

    /// <summary>The Miller loop of the optimal ate pairing (f_{x,Q}(P), conjugated for the negative x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MillerLoopResult MillerLoop(in G1 p, in G2 q)
    {
        if (p.IsIdentity || q.IsIdentity)
        {
            return new MillerLoopResult(Fp12.One);
        }

        p.ToAffine(out var px, out var py);
        q.ToAffine(out var qx, out var qy);
        var r = new MillerState(qx, qy);
        var f = Fp12.One;
        bool found = false;
        for (int b = 63; b >= 0; b--)
        {
            bool bit = ((G1.BlsX >> 1 >> b) & 1) == 1;
            if (!found)
            {
                found = bit;
                continue;
            }

            f = r.DoublingStep().Apply(f, px, py);
            if (bit)
            {
                f = r.AdditionStep(qx, qy).Apply(f, px, py);
            }

            f = f.Square();
        }

        f = r.DoublingStep().Apply(f, px, py);
        return new MillerLoopResult(f.Conjugate());
    }

    /// <summary>The final exponentiation f^((p^12 - 1) / r), with cyclotomic squarings in the hard part.</summary>
    public static Gt FinalExponentiation(in MillerLoopResult f) => new(FinalExp(f.Value));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Fp12 FinalExp(in Fp12 f)
    {
        // easy part: f^((p^6 - 1)(p^2 + 1))
        var t0 = f.Conjugate();
        var t1 = f.Invert();
        var t2 = t0 * t1;
        t1 = t2;
        t2 = t2.Frobenius(2) * t1;

        // hard part (the addition chain of zkcrypto/bls12_381 and RELIC, in terms of x)
        t1 = t2.CyclotomicSquare().Conjugate();
        var t3 = CyclotomicExpX(t2);
        var t4 = t3.CyclotomicSquare();
        var t5 = t1 * t3;
        t1 = CyclotomicExpX(t5);
        t0 = CyclotomicExpX(t1);
        var t6 = CyclotomicExpX(t0);
        t6 *= t4;
        t4 = CyclotomicExpX(t6);
        t5 = t5.Conjugate();
        t4 *= t5 * t2;
        t5 = t2.Conjugate();
        t1 *= t2;
        t1 = t1.Frobenius(3);
        t6 *= t5;
        t6 = t6.Frobenius(1);
        t3 *= t0;
        t3 = t3.Frobenius(2);
        t3 *= t1;
        t3 *= t6;
        return t3 * t4;
    }

    /// <summary>f^x for the negative BLS parameter x, for f in the cyclotomic subgroup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Fp12 CyclotomicExpX(in Fp12 f)
    {
        // |x| = 0xd201000000010000: start from f for the top bit, then square-and-multiply over bits 62..0
        var acc = f;
        for (int b = 62; b >= 0; b--)
        {
            acc = acc.CyclotomicSquare();
            if (((G1.BlsX >> b) & 1) == 1)
            {
                acc *= f;
            }
        }

        return acc.Conjugate();
    }
}
