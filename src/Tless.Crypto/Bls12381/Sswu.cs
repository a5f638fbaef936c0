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

    /// <summary>
    /// RFC 9380 section 6.6.2 onto E2' with x = xn / xd kept as a fraction (sqrt_ratio instead of an inversion), then
    /// the 3-isogeny evaluated homogeneously in (xn : xd).
    /// </summary>
    internal static G2 MapG2(in Fp2 u)
    {
        var zu2 = Z2 * u.Square();
        var tv1 = zu2.Square() + zu2;

        // x1 = -B (1 + tv1) / (A tv1), or B / (Z A) when tv1 = 0
        var xn = B2 * (tv1 + Fp2.One);
        var xd = tv1.IsZero ? Z2 * A2 : -(A2 * tv1);
        if (tv1.IsZero)
        {
            xn = B2;
        }

        var xd2 = xd.Square();
        var gxd = xd2 * xd;
        var gxn = ((xn.Square() + (A2 * xd2)) * xn) + (B2 * gxd);
        if (!Fp2.TrySqrtRatio(gxn, gxd, out var y))
        {
            // then g(Z u^2 x1) is a square
            xn = zu2 * xn;
            gxn = ((xn.Square() + (A2 * xd2)) * xn) + (B2 * gxd);
            Fp2.TrySqrtRatio(gxn, gxd, out y);
        }

        if (u.Sgn0 != y.Sgn0)
        {
            y = -y;
        }

        Span<Fp2> zPow = stackalloc Fp2[4];
        zPow[0] = Fp2.One;
        zPow[1] = xd;
        zPow[2] = xd2;
        zPow[3] = gxd;
        var nx = Homogeneous(IsoConstants.G2XNum, xn, zPow); // degree 3
        var dx = Homogeneous(IsoConstants.G2XDen, xn, zPow); // degree 2
        var ny = Homogeneous(IsoConstants.G2YNum, xn, zPow); // degree 3
        var dy = Homogeneous(IsoConstants.G2YDen, xn, zPow); // degree 3

        // x' = nx / (xd dx), y' = y ny / dy
        var zdx = xd * dx;
        return new G2(nx * dy, y * ny * zdx, zdx * dy);
    }

    /// <summary>sum k_i X^i Z^(d-i) for d = k.Length - 1 (Horner in X with Z powers).</summary>
    private static Fp2 Homogeneous(Fp2[] k, in Fp2 x, ReadOnlySpan<Fp2> zPow)
    {
        int d = k.Length - 1;
        var r = k[d];
        for (int i = d - 1; i >= 0; i--)
        {
            r = (r * x) + (k[i] * zPow[d - i]);
        }

        return r;
    }
}
