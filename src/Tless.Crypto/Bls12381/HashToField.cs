using System.Security.Cryptography;

namespace Tless.Crypto.Bls12381;

/// <summary>RFC 9380 hashing primitives: expand_message_xmd with SHA-256 and hash_to_field for BLS12-381.</summary>
public static class HashToField
{
    private const int HashLength = 32;
    private const int BlockLength = 64;

    /// <summary>
    /// RFC 9380 section 5.3.1 expand_message_xmd with SHA-256: fills <paramref name="output"/> (at most 8160 bytes) with
    /// uniform bytes. A DST longer than 255 bytes is first hashed as the RFC prescribes ("H2C-OVERSIZE-DST-").
    /// </summary>
    public static void ExpandMessageXmd(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, Span<byte> output)
    {
        int len = output.Length;
        int ell = (len + HashLength - 1) / HashLength;
        if (len == 0 || ell > 255 || len > 65535)
        {
            throw new ArgumentException("expand_message_xmd output length must be between 1 and 8160 bytes.", nameof(output));
        }

        Span<byte> dstHash = stackalloc byte[HashLength];
        scoped ReadOnlySpan<byte> dstIn = dst;
        if (dstIn.Length > 255)
        {
            using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            h.AppendData("H2C-OVERSIZE-DST-"u8);
            h.AppendData(dstIn);
            h.GetHashAndReset(dstHash);
            dstIn = dstHash;
        }

        Span<byte> lenAndDst = stackalloc byte[3];
        Span<byte> b0 = stackalloc byte[HashLength];
        Span<byte> bi = stackalloc byte[HashLength];
        Span<byte> dstLen = [(byte)dstIn.Length];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // b_0 = H(Z_pad || msg || I2OSP(len, 2) || I2OSP(0, 1) || DST_prime)
        Span<byte> zpad = stackalloc byte[BlockLength];
        zpad.Clear();
        sha.AppendData(zpad);
        sha.AppendData(msg);
        lenAndDst[0] = (byte)(len >> 8);
        lenAndDst[1] = unchecked((byte)len);
        lenAndDst[2] = 0;
        sha.AppendData(lenAndDst);
        sha.AppendData(dstIn);
        sha.AppendData(dstLen);
        sha.GetHashAndReset(b0);

        // b_1 = H(b_0 || I2OSP(1, 1) || DST_prime)
        Span<byte> counter = stackalloc byte[1];
        counter[0] = 1;
        sha.AppendData(b0);
        sha.AppendData(counter);
        sha.AppendData(dstIn);
        sha.AppendData(dstLen);
        sha.GetHashAndReset(bi);
        int written = Math.Min(HashLength, len);
        bi[..written].CopyTo(output);

        Span<byte> x = stackalloc byte[HashLength];
        for (int i = 2; i <= ell; i++)
        {
            // b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime)
            for (int j = 0; j < HashLength; j++)
            {
                x[j] = (byte)(b0[j] ^ bi[j]);
            }

            counter[0] = (byte)i;
            sha.AppendData(x);
            sha.AppendData(counter);
            sha.AppendData(dstIn);
            sha.AppendData(dstLen);
            sha.GetHashAndReset(bi);
            int n = Math.Min(HashLength, len - written);
            bi[..n].CopyTo(output[written..]);
            written += n;
        }
    }

    /// <summary>hash_to_field into Fp (L = 64), count elements.</summary>
    internal static void ToFp(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, Span<Fp> output)
    {
        Span<byte> uniform = stackalloc byte[64 * output.Length];
        ExpandMessageXmd(msg, dst, uniform);
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = Fp.FromWideBytes(uniform.Slice(64 * i, 64));
        }
    }

    /// <summary>hash_to_field into Fp2 (L = 64, m = 2), count elements.</summary>
    internal static void ToFp2(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, Span<Fp2> output)
    {
        Span<byte> uniform = stackalloc byte[128 * output.Length];
        ExpandMessageXmd(msg, dst, uniform);
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = new Fp2(Fp.FromWideBytes(uniform.Slice(128 * i, 64)), Fp.FromWideBytes(uniform.Slice((128 * i) + 64, 64)));
        }
    }
}
