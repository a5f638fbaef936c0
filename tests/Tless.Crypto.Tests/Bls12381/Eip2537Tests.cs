using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>
/// EIP-2537 precompile vectors (../shared/vectors/eip2537/eips, from ethereum/EIPs assets/eip-2537). A small decoder
/// for the EIP-2537 encoding lives in <see cref="Eip2537"/>; a fail-* case passes when the decoder or a check rejects it.
/// </summary>
public sealed class Eip2537Tests
{
    public static TheoryData<string, string> SuccessFiles => new()
    {
        { "add_G1_bls.json", "g1add" },
        { "add_G2_bls.json", "g2add" },
        { "mul_G1_bls.json", "g1msm" },
        { "mul_G2_bls.json", "g2msm" },
        { "msm_G1_bls.subset.json", "g1msm" },
        { "map_fp_to_G1_bls.json", "mapg1" },
        { "map_fp2_to_G2_bls.json", "mapg2" },
        { "pairing_check_bls.json", "pairing" },
    };

    public static TheoryData<string, string> FailFiles => new()
    {
        { "fail-add_G1_bls.json", "g1add" },
        { "fail-add_G2_bls.json", "g2add" },
        { "fail-mul_G1_bls.json", "g1msm" },
        { "fail-mul_G2_bls.json", "g2msm" },
        { "fail-msm_G1_bls.json", "g1msm" },
        { "fail-msm_G2_bls.json", "g2msm" },
        { "fail-map_fp_to_G1_bls.json", "mapg1" },
        { "fail-map_fp2_to_G2_bls.json", "mapg2" },
        { "fail-pairing_check_bls.json", "pairing" },
    };

    [Theory]
    [MemberData(nameof(SuccessFiles))]
    public void Run_SuccessVectors_ProduceExpectedOutput(string file, string op)
    {
        var cases = Vectors.Json("eip2537", "eips", file);
        int n = 0;
        foreach (var c in cases.EnumerateArray())
        {
            var name = c.GetProperty("Name").GetString();
            var output = Eip2537.Run(op, Convert.FromHexString(c.GetProperty("Input").GetString()!));
            Assert.True(output is not null, $"{name} was rejected");
            Assert.Equal(c.GetProperty("Expected").GetString()!.ToLowerInvariant(), Convert.ToHexStringLower(output));
            n++;
        }

        Assert.True(n > 0);
    }

    [Theory]
    [MemberData(nameof(FailFiles))]
    public void Run_FailVectors_AreRejected(string file, string op)
    {
        var cases = Vectors.Json("eip2537", "eips", file);
        int n = 0;
        foreach (var c in cases.EnumerateArray())
        {
            var name = c.GetProperty("Name").GetString();
            var output = Eip2537.Run(op, Convert.FromHexString(c.GetProperty("Input").GetString()!));
            Assert.True(output is null, $"{name} ({c.GetProperty("ExpectedError").GetString()}) was accepted");
            n++;
        }

        Assert.True(n > 0);
    }
}

/// <summary>A minimal EIP-2537 codec and the precompile semantics, for the vectors; null means "error".</summary>
internal static class Eip2537
{
    public static byte[]? Run(string op, byte[] input) => op switch
    {
        "g1add" => input.Length == 256 && ReadG1(input.AsSpan(0, 128), out var a) && ReadG1(input.AsSpan(128), out var b) ? WriteG1(a + b) : null,
        "g2add" => input.Length == 512 && ReadG2(input.AsSpan(0, 256), out var a) && ReadG2(input.AsSpan(256), out var b) ? WriteG2(a + b) : null,
        "g1msm" => G1Msm(input),
        "g2msm" => G2Msm(input),
        "mapg1" => input.Length == 64 && ReadFp(input, out var u) ? WriteG1(G1.MapToG1(u)) : null,
        "mapg2" => input.Length == 128 && ReadFp(input.AsSpan(0, 64), out var c0) && ReadFp(input.AsSpan(64), out var c1) ? WriteG2(G2.MapToG2(new Fp2(c0, c1))) : null,
        "pairing" => PairingCheck(input),
        _ => throw new ArgumentException(op, nameof(op)),
    };

    private static bool ReadFp(ReadOnlySpan<byte> b64, out Fp v)
    {
        v = default;
        return b64.Length == 64 && !b64[..16].ContainsAnyExcept((byte)0) && Fp.TryFromBytes(b64[16..], out v);
    }

    private static bool ReadG1(ReadOnlySpan<byte> b, out G1 p)
    {
        p = G1.Identity;
        return b.Length == 128 && !b[..16].ContainsAnyExcept((byte)0) && !b[64..80].ContainsAnyExcept((byte)0)
            && G1.TryFromAffine(b[16..64], b[80..128], out p);
    }

    private static bool ReadG2(ReadOnlySpan<byte> b, out G2 p)
    {
        p = G2.Identity;
        if (b.Length != 256 || !ReadFp(b[..64], out var x0) || !ReadFp(b[64..128], out var x1)
            || !ReadFp(b[128..192], out var y0) || !ReadFp(b[192..], out var y1))
        {
            return false;
        }

        return G2.TryFromAffine(new Fp2(x0, x1), new Fp2(y0, y1), out p);
    }

    private static byte[] WriteG1(G1 p)
    {
        var o = new byte[128];
        if (p.ToAffine(out var x, out var y))
        {
            x.WriteBytes(o.AsSpan(16, 48));
            y.WriteBytes(o.AsSpan(80, 48));
        }

        return o;
    }

    private static byte[] WriteG2(G2 p)
    {
        var o = new byte[256];
        if (p.ToAffine(out var x, out var y))
        {
            x.C0.WriteBytes(o.AsSpan(16, 48));
            x.C1.WriteBytes(o.AsSpan(80, 48));
            y.C0.WriteBytes(o.AsSpan(144, 48));
            y.C1.WriteBytes(o.AsSpan(208, 48));
        }

        return o;
    }

    private static byte[]? G1Msm(byte[] input)
    {
        if (input.Length == 0 || input.Length % 160 != 0)
        {
            return null;
        }

        int k = input.Length / 160;
        var ps = new G1[k];
        var ss = new Scalar[k];
        for (int i = 0; i < k; i++)
        {
            var chunk = input.AsSpan(i * 160, 160);
            if (!ReadG1(chunk[..128], out ps[i]) || !ps[i].IsInSubgroup())
            {
                return null;
            }

            ss[i] = Scalar.FromBytesReduced(chunk[128..]);
        }

        return WriteG1(G1.MultiScalarMultiply(ps, ss));
    }

    private static byte[]? G2Msm(byte[] input)
    {
        if (input.Length == 0 || input.Length % 288 != 0)
        {
            return null;
        }

        int k = input.Length / 288;
        var ps = new G2[k];
        var ss = new Scalar[k];
        for (int i = 0; i < k; i++)
        {
            var chunk = input.AsSpan(i * 288, 288);
            if (!ReadG2(chunk[..256], out ps[i]) || !ps[i].IsInSubgroup())
            {
                return null;
            }

            ss[i] = Scalar.FromBytesReduced(chunk[256..]);
        }

        return WriteG2(G2.MultiScalarMultiply(ps, ss));
    }

    private static byte[]? PairingCheck(byte[] input)
    {
        if (input.Length == 0 || input.Length % 384 != 0)
        {
            return null;
        }

        int k = input.Length / 384;
        var ps = new G1[k];
        var qs = new G2[k];
        for (int i = 0; i < k; i++)
        {
            var chunk = input.AsSpan(i * 384, 384);
            if (!ReadG1(chunk[..128], out ps[i]) || !ps[i].IsInSubgroup() || !ReadG2(chunk[128..], out qs[i]) || !qs[i].IsInSubgroup())
            {
                return null;
            }
        }

        var o = new byte[32];
        o[31] = Pairing.MultiPair(ps, qs).IsOne ? (byte)1 : (byte)0;
        return o;
    }
}
