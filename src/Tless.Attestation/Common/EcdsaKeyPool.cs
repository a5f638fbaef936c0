using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Tless.Attestation.Common;

/// <summary>
/// Imported copies of one ECDSA public key for verification from many threads: importing a key costs more than a
/// verification, and an <see cref="ECDsa"/> instance is not documented as thread-safe, so each caller rents its own.
/// </summary>
internal sealed class EcdsaKeyPool(ECParameters publicKey)
{
    private readonly ConcurrentBag<ECDsa> _keys = [];

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureP1363, HashAlgorithmName hash)
    {
        var key = _keys.TryTake(out var k) ? k : ECDsa.Create(publicKey);
        try
        {
            return key.VerifyData(data, signatureP1363, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            if (_keys.Count < 2 * Environment.ProcessorCount)
            {
                _keys.Add(key);
            }
            else
            {
                key.Dispose();
            }
        }
    }
}
