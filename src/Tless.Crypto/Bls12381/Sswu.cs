namespace Tless.Crypto.Bls12381;

/// <summary>
/// RFC 9380 simplified SWU map (section 6.6.2) onto the isogenous curves E1' and E2', followed by the isogeny maps
/// (appendix E). Not constant time with respect to the input: hashed inputs here are public (attribute names).
/// </summary>
internal static class Sswu
{
    private static readonly Fp A1 = Fp.FromHex("144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d");
    private static readonly Fp B1 = Fp.FromHex("12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0");
    private static readonly Fp Z1 = Fp.FromUInt64(11);

    private static readonly Fp2 A2 = new(Fp.Zero, Fp.FromUInt64(240));
    private static readonly Fp2 B2 = new(Fp.FromUInt64(1012), Fp.FromUInt64(1012));
    private static readonly Fp2 Z2 = new(-Fp.FromUInt64(2), -Fp.One);
    private static readonly Fp2 MinusBOverA2 = -(B2 * A2.Invert());
    private static readonly Fp2 BOverZA2 = B2 * (Z2 * A2).Invert();

    private static readonly ulong[] PMinus3Over4 = Fp.Limbs((Fp.Modulus - 3) / 4);
    private static readonly Fp SqrtMinusZ1 = SqrtOf(-Z1);

    private static Fp SqrtOf(in Fp v)
    {
        v.TrySqrt(out var r);
        return r;
    }

    /// <summary>RFC 9380 appendix F.2.1.2 sqrt_ratio for q = 3 mod 4: (true, sqrt(u/v)) or (false, sqrt(Z u/v)).</summary>
    private static bool SqrtRatio(in Fp u, in Fp v, out Fp y)
    {
        var tv2 = u * v;
        var tv1 = v.Square() * tv2;
        var y1 = tv1.Pow(PMinus3Over4) * tv2;
        var y2 = y1 * SqrtMinusZ1;
        bool isQr = (y1.Square() * v) == u;
        y = Fp.Select(y2, y1, isQr);
        return isQr;
    }

    /// <summary>RFC 9380 section 6.6.2 (straight-line form of appendix F.2), then the 11-isogeny, without inversions.</summary>
    internal static G1 MapG1(in Fp u)
    {
        var tv1 = Z1 * u.Square();
        var tv2 = tv1.Square() + tv1;
        var tv3 = B1 * (tv2 + Fp.One);
        var tv4 = A1 * Fp.Select(Z1, -tv2, !tv2.IsZero);
        var tv6 = tv4.Square();
        var gxNum = ((tv3.Square() + (A1 * tv6)) * tv3) + (B1 * (tv6 * tv4));
        tv6 *= tv4;
        bool isSquare = SqrtRatio(gxNum, tv6, out var y1);
        var xNum = Fp.Select(tv1 * tv3, tv3, isSquare);
        var y = Fp.Select(tv1 * u * y1, y1, isSquare);
        y = Fp.Select(-y, y, u.Sgn0 == y.Sgn0);

        // x = xNum / tv4 on E1'; evaluate the isogeny polynomials homogeneously in (xNum : tv4)
        Span<Fp> zPow = stackalloc Fp[16];
        zPow[0] = Fp.One;
        for (int i = 1; i < 16; i++)
        {
            zPow[i] = zPow[i - 1] * tv4;
        }

        var nx = Homogeneous(IsoConstants.G1XNum, xNum, zPow); // degree 11
        var dx = Homogeneous(IsoConstants.G1XDen, xNum, zPow); // degree 10
        var ny = Homogeneous(IsoConstants.G1YNum, xNum, zPow); // degree 15
        var dy = Homogeneous(IsoConstants.G1YDen, xNum, zPow); // degree 15

        // x' = nx / (z dx), y' = y ny / dy
        var zdx = tv4 * dx;
        return new G1(nx * dy, y * ny * zdx, zdx * dy);
    }

    /// <summary>sum k_i X^i Z^(d-i) for d = k.Length - 1 (Horner in X with Z powers).</summary>
    private static Fp Homogeneous(Fp[] k, in Fp x, ReadOnlySpan<Fp> zPow)
    {
        int d = k.Length - 1;
        var r = k[d];
        for (int i = d - 1; i >= 0; i--)
        {
            r = (r * x) + (k[i] * zPow[d - i]);
        }

        return r;
    }

    internal static G2 MapG2(in Fp2 u)
    {
        var zu2 = Z2 * u.Square();
        var tv1 = zu2.Square() + zu2;
        Fp2 x1 = tv1.IsZero ? BOverZA2 : MinusBOverA2 * (Fp2.One + tv1.Invert());
        var gx1 = ((x1.Square() + A2) * x1) + B2;
        Fp2 x;
        if (gx1.TrySqrt(out var y))
        {
            x = x1;
        }
        else
        {
            x = zu2 * x1;
            var gx2 = ((x.Square() + A2) * x) + B2;
            gx2.TrySqrt(out y);
        }

        if (u.Sgn0 != y.Sgn0)
        {
            y = -y;
        }

        var xn = Horner(IsoConstants.G2XNum, x);
        var xd = Horner(IsoConstants.G2XDen, x);
        var yn = Horner(IsoConstants.G2YNum, x);
        var yd = Horner(IsoConstants.G2YDen, x);
        return new G2(xn * yd, y * yn * xd, xd * yd);
    }

    private static Fp2 Horner(Fp2[] k, in Fp2 x)
    {
        var r = k[^1];
        for (int i = k.Length - 2; i >= 0; i--)
        {
            r = (r * x) + k[i];
        }

        return r;
    }
}
