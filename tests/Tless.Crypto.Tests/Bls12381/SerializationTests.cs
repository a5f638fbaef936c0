using Tless.Crypto.Bls12381;

namespace Tless.Crypto.Tests.Bls12381;

/// <summary>ZCash encodings: zkcrypto's k*G vectors (k &lt; 1000) and the ethereum/bls12-381-tests deserialization cases.</summary>
public sealed class SerializationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void G1_KTimesGenerator_MatchesZkcryptoVectors(bool compressed)
    {
        var data = Vectors.Bytes("serialization", "zkcrypto", compressed ? "g1_compressed_valid_test_vectors.dat" : "g1_uncompressed_valid_test_vectors.dat");
        int size = compressed ? G1.CompressedLength : G1.UncompressedLength;
        Assert.Equal(1000 * size, data.Length);
        var acc = G1.Identity;
        for (int k = 0; k < 1000; k++)
        {
            var record = data.AsSpan(k * size, size);
            var encoded = compressed ? acc.ToCompressed() : acc.ToUncompressed();
            Assert.True(record.SequenceEqual(encoded), $"encoding of {k}*G");
            var decoded = compressed ? G1.FromCompressed(record) : G1.FromUncompressed(record);
            Assert.Equal(acc, decoded);
            acc += G1.Generator;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void G2_KTimesGenerator_MatchesZkcryptoVectors(bool compressed)
    {
        var data = Vectors.Bytes("serialization", "zkcrypto", compressed ? "g2_compressed_valid_test_vectors.dat" : "g2_uncompressed_valid_test_vectors.dat");
        int size = compressed ? G2.CompressedLength : G2.UncompressedLength;
        Assert.Equal(1000 * size, data.Length);
        var acc = G2.Identity;
        for (int k = 0; k < 1000; k++)
        {
            var record = data.AsSpan(k * size, size);
            var encoded = compressed ? acc.ToCompressed() : acc.ToUncompressed();
            Assert.True(record.SequenceEqual(encoded), $"encoding of {k}*G");
            var decoded = compressed ? G2.FromCompressed(record) : G2.FromUncompressed(record);
            Assert.Equal(acc, decoded);
            acc += G2.Generator;
        }
    }

    [Theory]
    [InlineData("deserialization_G1.json", "pubkey")]
    [InlineData("deserialization_G2.json", "signature")]
    public void Decode_EthDeserializationCases_AcceptOnlyValid(string file, string field)
    {
        var v = Vectors.Json("serialization", "eth-bls12-381-tests", file);
        int cases = 0;
        foreach (var c in v.EnumerateObject())
        {
            var hex = c.Value.GetProperty("input").GetProperty(field).GetString()!;
            var bytes = Vectors.Hex(hex);
            bool expected = c.Value.GetProperty("output").GetBoolean();
            bool g1 = field == "pubkey";
            bool ok = g1 ? G1.TryFromCompressed(bytes, out _) : G2.TryFromCompressed(bytes, out _);
            Assert.True(expected == ok, $"{c.Name}: expected {expected}");
            if (!expected)
            {
                var ex = g1
                    ? Assert.Throws<TlessFormatException>(() => G1.FromCompressed(bytes))
                    : Assert.Throws<TlessFormatException>(() => G2.FromCompressed(bytes));
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            }

            cases++;
        }

        Assert.True(cases >= 16);
    }

    [Fact]
    public void G1_FromCompressed_NamesTheFailedCheck()
    {
        var good = (G1.Generator * Scalar.FromUInt64(5)).ToCompressed();

        var noFlag = (byte[])good.Clone();
        noFlag[0] &= 0x7F;
        Assert.Contains("0x80", Message(() => G1.FromCompressed(noFlag)), StringComparison.Ordinal);

        Assert.Contains("48 bytes", Message(() => G1.FromCompressed(good.AsSpan(0, 47).ToArray())), StringComparison.Ordinal);

        var infinityWithBits = new byte[48];
        infinityWithBits[0] = 0xC0;
        infinityWithBits[47] = 1;
        Assert.Contains("infinity", Message(() => G1.FromCompressed(infinityWithBits)), StringComparison.Ordinal);

        var infinityWithSort = new byte[48];
        infinityWithSort[0] = 0xE0;
        Assert.Contains("sort", Message(() => G1.FromCompressed(infinityWithSort)), StringComparison.Ordinal);

        var tooBig = Enumerable.Repeat((byte)0xFF, 48).ToArray();
        tooBig[0] = 0x9F;
        Assert.Contains("modulus", Message(() => G1.FromCompressed(tooBig)), StringComparison.Ordinal);
    }

    [Fact]
    public void G1_FromUncompressed_RejectsOffCurveAndNonSubgroupPoints()
    {
        var good = (G1.Generator * Scalar.FromUInt64(9)).ToUncompressed();
        var offCurve = (byte[])good.Clone();
        offCurve[^1] ^= 1;
        Assert.Contains("not on the curve", Message(() => G1.FromUncompressed(offCurve)), StringComparison.Ordinal);

        // a point on the curve outside the subgroup: x = 0 gives y^2 = 4, y = 2 (order 3 point)
        var small = new byte[96];
        small[^1] = 2;
        Assert.Contains("subgroup", Message(() => G1.FromUncompressed(small)), StringComparison.Ordinal);

        var compressedFlag = (byte[])good.Clone();
        compressedFlag[0] |= 0x80;
        Assert.False(G1.TryFromUncompressed(compressedFlag, out _));
        var sortFlag = (byte[])good.Clone();
        sortFlag[0] |= 0x20;
        Assert.False(G1.TryFromUncompressed(sortFlag, out _));
    }

    [Fact]
    public void G2_FromUncompressed_RejectsBadInput()
    {
        var good = (G2.Generator * Scalar.FromUInt64(9)).ToUncompressed();
        var offCurve = (byte[])good.Clone();
        offCurve[^1] ^= 1;
        Assert.Contains("not on the curve", Message(() => G2.FromUncompressed(offCurve)), StringComparison.Ordinal);
        Assert.Contains("192 bytes", Message(() => G2.FromUncompressed(good.AsSpan(1).ToArray())), StringComparison.Ordinal);
        var nonCanonical = (byte[])good.Clone();
        nonCanonical[96] = 0x1F;
        nonCanonical[97] = 0xFF;
        Assert.Contains("canonical", Message(() => G2.FromUncompressed(nonCanonical)), StringComparison.Ordinal);
    }

    [Fact]
    public void G2_NonSubgroupPoint_IsRejected()
    {
        // map_to_curve output before cofactor clearing is on the curve but (almost surely) outside G2
        var q = G2.MapToCurve(new Fp2(Fp.FromUInt64(3), Fp.FromUInt64(5)));
        Assert.True(q.IsOnCurve());
        Assert.False(q.IsInSubgroup());
        Assert.Contains("subgroup", Message(() => G2.FromUncompressed(q.ToUncompressed())), StringComparison.Ordinal);
        Assert.Contains("subgroup", Message(() => G2.FromCompressed(q.ToCompressed())), StringComparison.Ordinal);
        Assert.True(q.ClearCofactor().IsInSubgroup());
    }

    [Fact]
    public void G1_NonSubgroupPoint_IsRejected()
    {
        var q = G1.MapToCurve(Fp.FromUInt64(7));
        Assert.True(q.IsOnCurve());
        Assert.False(q.IsInSubgroup());
        Assert.False(G1.TryFromCompressed(q.ToCompressed(), out _));
        Assert.True(q.ClearCofactor().IsInSubgroup());
    }

    [Fact]
    public void Decode_RandomBytes_NeverThrowsFromTry()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 200; i++)
        {
            var b1 = new byte[rng.Next(0, 100)];
            rng.NextBytes(b1);
            _ = G1.TryFromCompressed(b1, out _);
            _ = G1.TryFromUncompressed(b1, out _);
            var b2 = new byte[rng.Next(90, 200)];
            rng.NextBytes(b2);
            _ = G2.TryFromCompressed(b2, out _);
            _ = G2.TryFromUncompressed(b2, out _);
        }
    }

    private static string Message(Action a) => Assert.Throws<TlessFormatException>(a).Message;
}
