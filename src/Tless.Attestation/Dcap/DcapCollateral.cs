using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Tless.Attestation.Dcap;

/// <summary>
/// The offline collateral a DCAP quote is verified against (Intel PCS / PCCS data for the platform's FMSPC):
/// signed TCB info, signed QE identity, their TCB-signing issuer chains, the PCK CRL with its issuer chain and
/// the Intel SGX Root CA CRL. The trust anchor is not part of it: the root is pinned in code.
/// </summary>
public sealed record DcapCollateral
{
    /// <summary>The exact bytes of the PCS "tcbInfo" JSON object that Intel signed.</summary>
    public required ImmutableArray<byte> TcbInfo { get; init; }

    /// <summary>ECDSA P-256/SHA-256 signature over <see cref="TcbInfo"/>, raw r||s (64 bytes).</summary>
    public required ImmutableArray<byte> TcbInfoSignature { get; init; }

    /// <summary>PEM: Intel SGX TCB Signing certificate, then the root.</summary>
    public required string TcbInfoIssuerChain { get; init; }

    /// <summary>The exact bytes of the PCS "enclaveIdentity" JSON object that Intel signed.</summary>
    public required ImmutableArray<byte> QeIdentity { get; init; }

    /// <summary>ECDSA P-256/SHA-256 signature over <see cref="QeIdentity"/>, raw r||s (64 bytes).</summary>
    public required ImmutableArray<byte> QeIdentitySignature { get; init; }

    /// <summary>PEM: Intel SGX TCB Signing certificate, then the root.</summary>
    public required string QeIdentityIssuerChain { get; init; }

    /// <summary>The CRL of the PCK Processor or Platform CA (DER or PEM).</summary>
    public required ImmutableArray<byte> PckCrl { get; init; }

    /// <summary>PEM: the PCK CRL's issuer CA, then the root (informational: the CRL is checked against the quote's own PCK CA).</summary>
    public required string PckCrlIssuerChain { get; init; }

    /// <summary>The Intel SGX Root CA CRL (DER or PEM).</summary>
    public required ImmutableArray<byte> RootCaCrl { get; init; }

    /// <summary>
    /// Loads a collateral directory: <c>tcb_info.json</c> + <c>tcb_info.signature.hex</c> + <c>tcb_info_issuer_chain.pem</c>,
    /// <c>qe_identity.json</c> + <c>qe_identity.signature.hex</c> + <c>qe_identity_issuer_chain.pem</c>,
    /// <c>pck_crl.der</c> + <c>pck_crl_issuer_chain.pem</c>, <c>root_ca_crl.der</c>. The two JSON files hold the exact signed
    /// bytes; when one is absent, the PCS response envelope <c>pcs_tcb_info_response.json</c> /
    /// <c>pcs_qe_identity_response.json</c> ({"tcbInfo": ..., "signature": "hex"}) is used instead and the signed object is
    /// cut out of it byte for byte. Every file is checked for form; a bad or missing one throws
    /// <see cref="TlessFormatException"/> naming it.
    /// </summary>
    public static DcapCollateral LoadDirectory(string dir)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        if (!Directory.Exists(dir))
        {
            throw new TlessFormatException($"DCAP collateral directory '{dir}' does not exist");
        }

        var (tcbInfo, tcbSig) = LoadSigned(dir, "tcb_info", "tcbInfo");
        var (qeId, qeSig) = LoadSigned(dir, "qe_identity", "enclaveIdentity");
        var collateral = new DcapCollateral
        {
            TcbInfo = tcbInfo,
            TcbInfoSignature = tcbSig,
            TcbInfoIssuerChain = LoadPem(dir, "tcb_info_issuer_chain.pem"),
            QeIdentity = qeId,
            QeIdentitySignature = qeSig,
            QeIdentityIssuerChain = LoadPem(dir, "qe_identity_issuer_chain.pem"),
            PckCrl = LoadCrl(dir, "pck_crl.der"),
            PckCrlIssuerChain = LoadPem(dir, "pck_crl_issuer_chain.pem"),
            RootCaCrl = LoadCrl(dir, "root_ca_crl.der"),
        };
        Wrap(Path.Combine(dir, "tcb_info.json"), () => DcapTcbInfo.Parse(collateral.TcbInfo.AsSpan()));
        Wrap(Path.Combine(dir, "qe_identity.json"), () => DcapQeIdentity.Parse(collateral.QeIdentity.AsSpan()));
        return collateral;
    }

    private static (ImmutableArray<byte> Json, ImmutableArray<byte> Signature) LoadSigned(string dir, string stem, string property)
    {
        var jsonPath = Path.Combine(dir, stem + ".json");
        var envelopePath = Path.Combine(dir, $"pcs_{stem}_response.json");
        if (!File.Exists(jsonPath) && File.Exists(envelopePath))
        {
            var envelope = Read(envelopePath);
            return Wrap(envelopePath, () => ExtractSigned(envelope, property));
        }

        var json = Read(jsonPath);
        var sigPath = Path.Combine(dir, stem + ".signature.hex");
        var hex = Encoding.ASCII.GetString(Read(sigPath)).Trim();
        var sig = Wrap(sigPath, () => ParseSignatureHex(hex));
        return ([.. json], sig);
    }

    /// <summary>Cuts the raw bytes of <paramref name="property"/> and the hex "signature" out of a PCS response body.</summary>
    internal static (ImmutableArray<byte> Json, ImmutableArray<byte> Signature) ExtractSigned(ReadOnlySpan<byte> envelope, string property)
    {
        var reader = new Utf8JsonReader(envelope, new JsonReaderOptions { MaxDepth = 16 });
        ImmutableArray<byte>? body = null;
        string? signature = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new TlessFormatException("not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == property && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    body = [.. envelope[start..(int)reader.BytesConsumed]];
                }
                else if (name == "signature" && reader.TokenType == JsonTokenType.String)
                {
                    signature = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new TlessFormatException($"invalid JSON: {e.Message}", e);
        }

        if (body is null || signature is null)
        {
            throw new TlessFormatException($"needs an object '{property}' and a string 'signature'");
        }

        return (body.Value, ParseSignatureHex(signature));
    }

    private static ImmutableArray<byte> ParseSignatureHex(string hex)
    {
        if (hex.Length != 128)
        {
            throw new TlessFormatException($"the signature is {hex.Length} hex digits, not 128 (raw r||s)");
        }

        try
        {
            return [.. Convert.FromHexString(hex)];
        }
        catch (FormatException)
        {
            throw new TlessFormatException("the signature is not hex");
        }
    }

    private static string LoadPem(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        var bytes = Read(path);
        foreach (var cert in Wrap(path, () => DcapPki.ParsePemChain(bytes, name)))
        {
            cert.Dispose();
        }

        return Encoding.ASCII.GetString(bytes);
    }

    private static ImmutableArray<byte> LoadCrl(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        var bytes = Read(path);
        Wrap(path, () => DcapCrl.Parse(bytes, name));
        return [.. bytes];
    }

    private static byte[] Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlessFormatException($"DCAP collateral file '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static T Wrap<T>(string path, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (TlessFormatException e)
        {
            throw new TlessFormatException($"DCAP collateral file '{path}': {e.Message}", e);
        }
    }
}
