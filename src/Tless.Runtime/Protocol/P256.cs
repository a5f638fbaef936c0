using System.Security.Cryptography;

namespace Tless.Runtime.Protocol;

/// <summary>
/// Encodings of P-256 public keys used on the wire: the uncompressed SEC1 point (65 bytes, <c>0x04 || X || Y</c>)
/// and X.509 SubjectPublicKeyInfo (DER). Imports check the length, the prefix and that the point is on the curve.
/// </summary>
public static class P256
{
    /// <summary>The 65-byte uncompressed point of an ECDSA key.</summary>
    public static byte[] ExportPoint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encode(key.ExportParameters(false));
    }

    /// <summary>The 65-byte uncompressed point of an ECDH key.</summary>
    public static byte[] ExportPoint(ECDiffieHellman key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encode(key.ExportParameters(false));
    }

    /// <summary>Imports a 65-byte point as an ECDSA verification key; <see cref="ProtocolException"/> (key_invalid) when bad.</summary>
    public static ECDsa ImportEcdsaPoint(ReadOnlySpan<byte> point, string what)
    {
        var parameters = Decode(point, what);
        try
        {
            return ECDsa.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new ProtocolException(ProblemCodes.KeyInvalid, $"{what} is not a valid P-256 public key.", e);
        }
    }

    /// <summary>Imports a 65-byte point as an ECDH public key; <see cref="ProtocolException"/> (key_invalid) when bad.</summary>
    public static ECDiffieHellman ImportEcdhPoint(ReadOnlySpan<byte> point, string what)
    {
        var parameters = Decode(point, what);
        try
        {
            return ECDiffieHellman.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new ProtocolException(ProblemCodes.KeyInvalid, $"{what} is not a valid P-256 public key.", e);
        }
    }

    /// <summary>Imports a DER SubjectPublicKeyInfo holding a P-256 key; <see cref="ProtocolException"/> (key_invalid) when bad.</summary>
    public static ECDsa ImportEcdsaSpki(ReadOnlySpan<byte> spki, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length)
            {
                throw new ProtocolException(ProblemCodes.KeyInvalid, $"{what} has {spki.Length - read} trailing bytes after the SubjectPublicKeyInfo.");
            }

            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new ProtocolException(ProblemCodes.KeyInvalid, $"{what} is not a P-256 key.");
            }

            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ProtocolException(ProblemCodes.KeyInvalid, $"{what} is not a valid P-256 SubjectPublicKeyInfo.", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Converts a 65-byte point to SubjectPublicKeyInfo DER.</summary>
    public static byte[] PointToSpki(ReadOnlySpan<byte> point)
    {
        using var key = ImportEcdsaPoint(point, "public key");
        return key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>Converts SubjectPublicKeyInfo DER to the 65-byte point.</summary>
    public static byte[] SpkiToPoint(ReadOnlySpan<byte> spki)
    {
        using var key = ImportEcdsaSpki(spki, "public key");
        return ExportPoint(key);
    }

    private static byte[] Encode(ECParameters p)
    {
        if (p.Q.X is null || p.Q.Y is null || p.Q.X.Length != 32 || p.Q.Y.Length != 32)
        {
            throw new ArgumentException("The key is not a P-256 key.", nameof(p));
        }

        var point = new byte[ProtocolConstants.P256PublicKeyLength];
        point[0] = 0x04;
        p.Q.X.CopyTo(point, 1);
        p.Q.Y.CopyTo(point, 33);
        return point;
    }

    private static ECParameters Decode(ReadOnlySpan<byte> point, string what)
    {
        if (point.Length != ProtocolConstants.P256PublicKeyLength || point[0] != 0x04)
        {
            throw new ProtocolException(
                ProblemCodes.KeyInvalid,
                $"{what} must be an uncompressed P-256 point (65 bytes starting with 0x04), got {point.Length} bytes.");
        }

        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point.Slice(1, 32).ToArray(), Y = point.Slice(33, 32).ToArray() },
        };
    }
}
