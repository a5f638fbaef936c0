using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Tless.Crypto.Bls12381;

/// <summary>
/// An element of the scalar field Fr of BLS12-381 (the group order r). Arithmetic is constant time; the encoding is
/// 32 bytes big-endian.
/// </summary>
public readonly struct Scalar : IEquatable<Scalar>
{
    /// <summary>The length of the encoding in bytes.</summary>
    public const int ByteLength = 32;

    internal readonly Fr Value;

    internal Scalar(in Fr value) => Value = value;

    /// <summary>The additive identity.</summary>
    public static Scalar Zero => default;

    /// <summary>The multiplicative identity.</summary>
    public static Scalar One => new(Fr.OneMont);

    /// <summary>The scalar with the given small value.</summary>
    public static Scalar FromUInt64(ulong v) => new(Fr.FromRaw256(v, 0, 0, 0));

    /// <summary>A uniformly random scalar from the OS CSPRNG (64 bytes reduced modulo r: bias below 2^-254).</summary>
    public static Scalar Random()
    {
        Span<byte> buf = stackalloc byte[64];
        RandomNumberGenerator.Fill(buf);
        var s = new Scalar(Fr.FromWide(buf));
        CryptographicOperations.ZeroMemory(buf);
        return s;
    }

    /// <summary>Reads a canonical 32-byte big-endian scalar; false when the length is wrong or the value is not below r.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bigEndian32, out Scalar s)
    {
        if (bigEndian32.Length != ByteLength)
        {
            s = default;
            return false;
        }

        bool ok = Fr.TryFromCanonical(bigEndian32, out var v);
        s = ok ? new Scalar(v) : default;
        return ok;
    }

    /// <summary>Reads a canonical 32-byte big-endian scalar; throws <see cref="TlessFormatException"/> when it is not.</summary>
    public static Scalar FromBytes(ReadOnlySpan<byte> bigEndian32)
    {
        if (bigEndian32.Length != ByteLength)
        {
            throw new TlessFormatException($"A scalar is {ByteLength} bytes, got {bigEndian32.Length}.");
        }

        if (!TryFromBytes(bigEndian32, out var s))
        {
            throw new TlessFormatException("The scalar is not canonical (it is not below the group order r).");
        }

        return s;
    }

    /// <summary>Reads a big-endian integer of up to 64 bytes and reduces it modulo r.</summary>
    public static Scalar FromBytesReduced(ReadOnlySpan<byte> bigEndian)
    {
        if (bigEndian.Length > 64)
        {
            throw new ArgumentException("At most 64 bytes can be reduced into a scalar.", nameof(bigEndian));
        }

        Span<byte> buf = stackalloc byte[64];
        buf.Clear();
        bigEndian.CopyTo(buf[(64 - bigEndian.Length)..]);
        return new Scalar(Fr.FromWide(buf));
    }

    /// <summary>RFC 9380 hash_to_field into Fr (count 1, L = 48, expand_message_xmd with SHA-256).</summary>
    public static Scalar HashToScalar(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        Span<byte> uniform = stackalloc byte[48];
        HashToField.ExpandMessageXmd(msg, dst, uniform);
        return FromBytesReduced(uniform);
    }

    /// <summary>Writes the 32-byte big-endian encoding.</summary>
    public void WriteBytes(Span<byte> destination32)
    {
        if (destination32.Length < ByteLength)
        {
            throw new ArgumentException($"The destination needs {ByteLength} bytes.", nameof(destination32));
        }

        Value.WriteBytes(destination32);
    }

    /// <summary>The 32-byte big-endian encoding.</summary>
    public byte[] ToBytes()
    {
        var b = new byte[ByteLength];
        Value.WriteBytes(b);
        return b;
    }

    public static Scalar operator +(in Scalar a, in Scalar b) => new(a.Value + b.Value);

    public static Scalar operator -(in Scalar a, in Scalar b) => new(a.Value - b.Value);

    public static Scalar operator *(in Scalar a, in Scalar b) => new(a.Value * b.Value);

    public static Scalar operator -(in Scalar a) => new(-a.Value);

    /// <summary>The multiplicative inverse (constant time). The inverse of zero is defined as zero.</summary>
    public Scalar Invert() => new(Value.Invert());

    /// <summary>True for the zero scalar.</summary>
    public bool IsZero => Value.IsZero;

    /// <summary>Canonical little-endian limbs (out of Montgomery form).</summary>
    internal void GetLimbs(Span<ulong> limbs4)
    {
        var raw = Value.ToRaw();
        limbs4[0] = raw.L0;
        limbs4[1] = raw.L1;
        limbs4[2] = raw.L2;
        limbs4[3] = raw.L3;
    }

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Scalar other) => Value.Equals(other.Value);

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Scalar s && Equals(s);

    public override int GetHashCode() => Value.GetHashCode();

    public static bool operator ==(in Scalar a, in Scalar b) => a.Equals(b);

    public static bool operator !=(in Scalar a, in Scalar b) => !a.Equals(b);

    /// <summary>The value as 64 hex digits (big-endian).</summary>
    public override string ToString() => Convert.ToHexStringLower(ToBytes());
}
