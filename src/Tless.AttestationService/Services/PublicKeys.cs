using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Services;

/// <summary>
/// Validation of wire P-256 points without building an OpenSSL key object: length, the 0x04 prefix, both coordinates
/// below p, and y^2 = x^3 - 3x + b (mod p). P-256 has prime order (cofactor 1), so a point that passes is a valid
/// public key: this is the full validation of SP 800-56A 5.6.2.3.3, without the redundant n*Q check OpenSSL adds.
/// </summary>
internal static class P256Points
{
    private static readonly BigInteger P = Parse("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    private static readonly BigInteger B = Parse("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

    /// <summary>True when <paramref name="point"/> is a 65-byte uncompressed point on P-256 (never the point at infinity).</summary>
    public static bool IsValid(ReadOnlySpan<byte> point)
    {
        if (point.Length != ProtocolConstants.P256PublicKeyLength || point[0] != 0x04)
        {
            return false;
        }

        var x = new BigInteger(point.Slice(1, 32), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(point.Slice(33, 32), isUnsigned: true, isBigEndian: true);
        if (x >= P || y >= P)
        {
            return false;
        }

        var rhs = ((((x * x) % P * x) - (3 * x) + B) % P + P) % P;
        return (y * y) % P == rhs;
    }

    private static BigInteger Parse(string hex) => new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}

/// <summary>
/// An ECDSA verification key parsed once and shared by concurrent requests: imported instances are pooled (one per
/// concurrent user) because <see cref="ECDsa"/> instances are not documented as thread-safe. Import failures surface
/// as the same <see cref="ProtocolException"/> as a direct import, on every use.
/// </summary>
internal sealed class PooledVerificationKey
{
    private const int MaxPooled = 64;
    private readonly byte[] spki;
    private readonly string what;
    private readonly ConcurrentBag<ECDsa> pool = [];

    public PooledVerificationKey(byte[] spki, string what)
    {
        this.spki = spki;
        this.what = what;
    }

    /// <summary>Runs <paramref name="verify"/> with an imported key (<see cref="P256.ImportEcdsaSpki"/>).</summary>
    public bool Verify<TState>(TState state, Func<ECDsa, TState, bool> verify)
    {
        if (!pool.TryTake(out var key))
        {
            key = P256.ImportEcdsaSpki(spki, what);
        }

        try
        {
            return verify(key, state);
        }
        finally
        {
            if (pool.Count < MaxPooled)
            {
                pool.Add(key);
            }
            else
            {
                key.Dispose();
            }
        }
    }
}
