using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Tless.Attestation.Sim;

/// <summary>
/// A simulated TEE "platform" for machines without TEE hardware: it holds an ECDSA P-256 simulation key and signs
/// <see cref="SimEvidence"/> for (measurement, report data). INSECURE: it proves nothing about where code runs; the
/// attestation service accepts it only when explicitly allowed. The platform's public key
/// (<see cref="PublicKey"/>) is the trust anchor given to <see cref="SimEvidenceVerifier"/>.
/// </summary>
public sealed class SimulatedTee : IDisposable
{
    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private SimulatedTee(ECDsa key, TimeProvider time)
    {
        _key = key;
        _time = time;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = SHA256.HashData(PublicKey);
    }

    /// <summary>The platform's public key as SubjectPublicKeyInfo DER: the verifier's trust anchor.</summary>
    public byte[] PublicKey { get; }

    /// <summary>SHA-256 of <see cref="PublicKey"/>; written into every evidence so the verifier can pick the key.</summary>
    public byte[] KeyId { get; }

    /// <summary>A new platform with a fresh random key.</summary>
    public static SimulatedTee Create(TimeProvider? time = null) =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256), time ?? TimeProvider.System);

    /// <summary>A platform from a key exported by <see cref="ExportPrivateKey"/> (PKCS#8 DER).</summary>
    public static SimulatedTee ImportPrivateKey(ReadOnlySpan<byte> pkcs8, TimeProvider? time = null)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out var read);
            if (read != pkcs8.Length)
            {
                throw new ArgumentException($"trailing {pkcs8.Length - read} bytes after the PKCS#8 key", nameof(pkcs8));
            }
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new ArgumentException("not a PKCS#8 EC private key: " + ex.Message, nameof(pkcs8), ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }

        EnsureP256(key, nameof(pkcs8));
        return new SimulatedTee(key, time ?? TimeProvider.System);
    }

    /// <summary>A platform from a PEM "PRIVATE KEY" (PKCS#8) as written by <see cref="ExportPrivateKeyPem"/>.</summary>
    public static SimulatedTee ImportPrivateKeyPem(string pem, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var fields = PemEncoding.TryFind(pem, out var f) ? f : throw new ArgumentException("no PEM block found", nameof(pem));
        if (!pem.AsSpan(fields.Label).SequenceEqual("PRIVATE KEY"))
        {
            throw new ArgumentException($"expected a PEM 'PRIVATE KEY' block, got '{pem[fields.Label]}'", nameof(pem));
        }

        return ImportPrivateKey(Convert.FromBase64String(pem[fields.Base64Data]), time);
    }

    /// <summary>Reads a trust anchor: SubjectPublicKeyInfo as DER or PEM "PUBLIC KEY"; throws ArgumentException otherwise.</summary>
    public static byte[] ReadPublicKey(ReadOnlySpan<byte> derOrPem)
    {
        byte[] der;
        var text = System.Text.Encoding.ASCII.GetString(derOrPem);
        if (PemEncoding.TryFind(text, out var fields))
        {
            if (!text.AsSpan(fields.Label).SequenceEqual("PUBLIC KEY"))
            {
                throw new ArgumentException($"expected a PEM 'PUBLIC KEY' block, got '{text[fields.Label]}'", nameof(derOrPem));
            }

            der = Convert.FromBase64String(text[fields.Base64Data]);
        }
        else
        {
            der = derOrPem.ToArray();
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                throw new ArgumentException("trailing bytes after the public key", nameof(derOrPem));
            }
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException("not an EC SubjectPublicKeyInfo: " + ex.Message, nameof(derOrPem), ex);
        }

        EnsureP256(key, nameof(derOrPem));
        return key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The simulated measurement of a host image or code identity: SHA-384 of the given bytes (48 bytes).</summary>
    public static byte[] Measure(ReadOnlySpan<byte> imageIdentity) => SHA384.HashData(imageIdentity);

    /// <summary>The private key as PKCS#8 DER (a secret: whoever holds it can forge this platform's evidence).</summary>
    public byte[] ExportPrivateKey() => _key.ExportPkcs8PrivateKey();

    /// <summary>The private key as PEM "PRIVATE KEY".</summary>
    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The public key as PEM "PUBLIC KEY".</summary>
    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>
    /// Signs evidence binding <paramref name="measurement"/> (48 bytes, see <see cref="Measure"/>) and
    /// <paramref name="reportData"/> (64 bytes) at the current time of the injected clock.
    /// </summary>
    public byte[] CreateEvidence(ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> reportData, bool debug = false)
    {
        if (measurement.Length != SimEvidence.MeasurementSize)
        {
            throw new ArgumentException($"measurement must be {SimEvidence.MeasurementSize} bytes, got {measurement.Length}", nameof(measurement));
        }

        if (reportData.Length != SimEvidence.ReportDataSize)
        {
            throw new ArgumentException($"report data must be {SimEvidence.ReportDataSize} bytes, got {reportData.Length}", nameof(reportData));
        }

        var e = new byte[SimEvidence.Size];
        var span = e.AsSpan();
        SimEvidence.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x08..], SimEvidence.CurrentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x0C..], debug ? SimEvidence.DebugFlag : 0u);
        BinaryPrimitives.WriteInt64LittleEndian(span[0x10..], _time.GetUtcNow().ToUnixTimeMilliseconds());
        measurement.CopyTo(span[0x18..]);
        reportData.CopyTo(span[0x48..]);
        KeyId.CopyTo(span[0x88..]);
        var written = _key.SignData(
            span[..SimEvidence.SignedSize], span[SimEvidence.SignedSize..], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (written != SimEvidence.SignatureSize)
        {
            throw new CryptographicException($"unexpected P-256 signature size {written}");
        }

        return e;
    }

    public void Dispose() => _key.Dispose();

    private static void EnsureP256(ECDsa key, string paramName)
    {
        var curve = key.ExportParameters(false).Curve;
        if (!curve.IsNamed || curve.Oid.Value != "1.2.840.10045.3.1.7")
        {
            throw new ArgumentException("the simulation key must be ECDSA P-256", paramName);
        }
    }
}
