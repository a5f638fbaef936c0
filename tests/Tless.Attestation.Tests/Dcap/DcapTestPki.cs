using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Dcap;

namespace Tless.Attestation.Tests.Dcap;

/// <summary>
/// A private DCAP world for the checks the real fixtures cannot reach (debug quotes, revoked certificates, other TCB
/// statuses, TDX module identities): a test root, PCK CA, PCK leaf with an SGX extension, TCB signing key, signed TCB
/// info and QE identity, CRLs, and quotes signed by an attestation key that a fake QE vouches for. The verifier is
/// pointed at the test root through its internal constructor; everything else is the production code path.
/// </summary>
internal sealed class DcapTestPki
{
    public static readonly DateTimeOffset Now = new(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly byte[] QeMrSigner = Enumerable.Repeat((byte)0x8c, 32).ToArray();

    private static readonly byte[] Fmspc = [0x00, 0xa0, 0x67, 0x11, 0x00, 0x00];

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _pckKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _tcbKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _attKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DcapTestPki(int[]? pckCompSvn = null, int pckPceSvn = 13)
    {
        Root = CaCert("CN=Test SGX Root CA", _rootKey, null, 1);
        Ca = CaCert("CN=Test SGX PCK Platform CA", _caKey, Root, 2);
        Pck = LeafCert("CN=Test SGX PCK Certificate", _pckKey, Ca, 3, SgxExtension(pckCompSvn ?? [3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pckPceSvn));
        TcbSigning = LeafCert("CN=Test SGX TCB Signing", _tcbKey, Root, 4, null);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Pck { get; }

    public X509Certificate2 TcbSigning { get; }

    /// <summary>Platform TCB levels: (sgx comps, pcesvn, tdx comps, status, advisories), first match wins.</summary>
    public List<(int[] Sgx, int PceSvn, int[] Tdx, string Status, string[] Advisories)> Levels { get; } =
    [
        ([3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], 13, [5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "UpToDate", []),
        ([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 5, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "OutOfDate", ["INTEL-SA-00001"]),
    ];

    /// <summary>QE identity levels: (isvsvn, status, advisories).</summary>
    public List<(int IsvSvn, string Status, string[] Advisories)> QeLevels { get; } = [(8, "UpToDate", []), (4, "OutOfDate", ["INTEL-SA-00615"])];

    /// <summary>TDX module identity TDX_01 levels: (isvsvn, status).</summary>
    public List<(int IsvSvn, string Status)> ModuleLevels { get; } = [(4, "UpToDate"), (2, "OutOfDate")];

    public byte[] TdxModuleMrSigner { get; set; } = new byte[48];

    public string TcbInfoFmspc { get; set; } = "00A067110000";

    public List<X509Certificate2> RevokedByCa { get; } = [];

    public List<X509Certificate2> RevokedByRoot { get; } = [];

    public DcapVerifier Verifier(TeeKind tee, DcapPolicy? policy = null, DateTimeOffset? at = null) =>
        new(tee, Collateral(tee), new FakeTimeProvider(at ?? Now), policy, Root);

    public DcapCollateral Collateral(TeeKind tee)
    {
        var tcbInfo = Encoding.UTF8.GetBytes(TcbInfoJson(tee));
        var qeIdentity = Encoding.UTF8.GetBytes(QeIdentityJson(tee));
        var signingChain = Pem(TcbSigning, Root);
        return new DcapCollateral
        {
            TcbInfo = [.. tcbInfo],
            TcbInfoSignature = [.. _tcbKey.SignData(tcbInfo, HashAlgorithmName.SHA256)],
            TcbInfoIssuerChain = signingChain,
            QeIdentity = [.. qeIdentity],
            QeIdentitySignature = [.. _tcbKey.SignData(qeIdentity, HashAlgorithmName.SHA256)],
            QeIdentityIssuerChain = signingChain,
            PckCrl = [.. Crl(Ca, _caKey, RevokedByCa)],
            PckCrlIssuerChain = Pem(Ca, Root),
            RootCaCrl = [.. Crl(Root, _rootKey, RevokedByRoot)],
        };
    }

    /// <summary>An SGX v3 quote; <paramref name="debug"/> sets ATTRIBUTES.DEBUG.</summary>
    public byte[] SgxQuote(bool debug = false, int qeIsvSvn = 10, byte[]? qeMrSigner = null, byte qeAttributes = 0x11)
    {
        var body = new byte[DcapQuote.SgxBodySize];
        body[48] = (byte)(debug ? 0x07 : 0x05);
        body.AsSpan(64, 32).Fill(0x33); // MRENCLAVE
        body.AsSpan(320, 13).Fill(0x42); // report data
        return Quote(3, DcapQuote.TeeTypeSgx, body, qeIsvSvn, qeMrSigner, qeAttributes);
    }

    /// <summary>A TDX v4 quote; <paramref name="teeTcbSvn"/> is the TD report's TEE_TCB_SVN.</summary>
    public byte[] TdxQuote(bool debug = false, byte[]? teeTcbSvn = null, byte[]? mrSignerSeam = null)
    {
        var body = new byte[DcapQuote.TdxBodySize];
        (teeTcbSvn ?? [6, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).CopyTo(body, 0);
        (mrSignerSeam ?? new byte[48]).CopyTo(body, 64);
        body[120] = (byte)(debug ? 0x01 : 0x00);
        body[123] = 0x10;
        body.AsSpan(136, 48).Fill(0x91); // MRTD
        body.AsSpan(520, 64).Fill(0x9a); // report data
        return Quote(4, DcapQuote.TeeTypeTdx, body, 10, null, 0x11);
    }

    private byte[] Quote(ushort version, uint teeType, byte[] body, int qeIsvSvn, byte[]? qeMrSigner, byte qeAttributes)
    {
        var header = new byte[DcapQuote.HeaderSize];
        BinaryPrimitives.WriteUInt16LittleEndian(header, version);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), DcapQuote.AttestationKeyEcdsaP256);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), teeType);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)qeIsvSvn);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), 13);
        DcapQuote.IntelQeVendorId.CopyTo(header.AsSpan(12));
        byte[] signed = [.. header, .. body];
        var p = _attKey.ExportParameters(false);
        byte[] attKey = [.. p.Q.X!, .. p.Q.Y!];
        var auth = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var qe = new byte[DcapQuote.SgxBodySize];
        qe[48] = qeAttributes; // 0x11 = INIT | PROVISION_KEY, debug clear
        (qeMrSigner ?? QeMrSigner).CopyTo(qe, 128);
        BinaryPrimitives.WriteUInt16LittleEndian(qe.AsSpan(256), (ushort)(version == 4 ? 2 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(qe.AsSpan(258), (ushort)qeIsvSvn);
        SHA256.HashData([.. attKey, .. auth]).CopyTo(qe, 320);
        var qeSig = _pckKey.SignData(qe, HashAlgorithmName.SHA256);

        var pem = Encoding.ASCII.GetBytes(Pem(Pck, Ca, Root));
        var qeCert = new List<byte>();
        qeCert.AddRange(qe);
        qeCert.AddRange(qeSig);
        qeCert.AddRange(U16((ushort)auth.Length));
        qeCert.AddRange(auth);
        qeCert.AddRange(U16(5));
        qeCert.AddRange(U32((uint)pem.Length));
        qeCert.AddRange(pem);

        var sigData = new List<byte>();
        sigData.AddRange(_attKey.SignData(signed, HashAlgorithmName.SHA256));
        sigData.AddRange(attKey);
        if (version == 4)
        {
            sigData.AddRange(U16(6));
            sigData.AddRange(U32((uint)qeCert.Count));
        }

        sigData.AddRange(qeCert);
        return [.. signed, .. U32((uint)sigData.Count), .. sigData];
    }

    private string TcbInfoJson(TeeKind tee)
    {
        static string Comps(int[] svns) => "[" + string.Join(",", svns.Select(s => $"{{\"svn\":{s}}}")) + "]";
        static string Adv(string[] a) => a.Length == 0 ? "" : ",\"advisoryIDs\":[" + string.Join(",", a.Select(x => $"\"{x}\"")) + "]";
        var tdx = tee == TeeKind.Tdx;
        var levels = string.Join(",", Levels.Select(l =>
            $"{{\"tcb\":{{\"sgxtcbcomponents\":{Comps(l.Sgx)},\"pcesvn\":{l.PceSvn}{(tdx ? ",\"tdxtcbcomponents\":" + Comps(l.Tdx) : "")}}},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"{l.Status}\"{Adv(l.Advisories)}}}"));
        var signer = Convert.ToHexString(TdxModuleMrSigner);
        var module = !tdx ? "" :
            $"\"tdxModule\":{{\"mrsigner\":\"{signer}\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"}}," +
            $"\"tdxModuleIdentities\":[{{\"id\":\"TDX_01\",\"mrsigner\":\"{signer}\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":[" +
            string.Join(",", ModuleLevels.Select(m => $"{{\"tcb\":{{\"isvsvn\":{m.IsvSvn}}},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"{m.Status}\"}}")) + "]}],";
        return $"{{\"id\":\"{(tdx ? "TDX" : "SGX")}\",\"version\":3,\"issueDate\":\"2025-06-19T10:00:00Z\",\"nextUpdate\":\"2025-07-19T10:00:00Z\"," +
               $"\"fmspc\":\"{TcbInfoFmspc}\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17,{module}\"tcbLevels\":[{levels}]}}";
    }

    private string QeIdentityJson(TeeKind tee)
    {
        var levels = string.Join(",", QeLevels.Select(l =>
            $"{{\"tcb\":{{\"isvsvn\":{l.IsvSvn}}},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"{l.Status}\"" +
            (l.Advisories.Length == 0 ? "" : ",\"advisoryIDs\":[" + string.Join(",", l.Advisories.Select(x => $"\"{x}\"")) + "]") + "}"));
        return $"{{\"id\":\"{(tee == TeeKind.Tdx ? "TD_QE" : "QE")}\",\"version\":2,\"issueDate\":\"2025-06-19T10:00:00Z\",\"nextUpdate\":\"2025-07-19T10:00:00Z\"," +
               "\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\"," +
               $"\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"{Convert.ToHexString(QeMrSigner)}\",\"isvprodid\":{(tee == TeeKind.Tdx ? 2 : 1)},\"tcbLevels\":[{levels}]}}";
    }

    private static byte[] Crl(X509Certificate2 issuer, ECDsa key, List<X509Certificate2> revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var cert in revoked)
        {
            builder.AddEntry(cert, Now.AddDays(-1));
        }

        using var withKey = issuer.CopyWithPrivateKey(key);
        return builder.Build(withKey, BigInteger.One, Now.AddDays(10), HashAlgorithmName.SHA256, null, Now.AddDays(-10));
    }

    private X509Certificate2 CaCert(string name, ECDsa key, X509Certificate2? issuer, byte serial)
    {
        var req = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        if (issuer is null)
        {
            using var selfSigned = req.CreateSelfSigned(Now.AddYears(-5), Now.AddYears(20));
            return X509CertificateLoader.LoadCertificate(selfSigned.RawData); // the public part only, like a real root
        }

        using var issuerWithKey = issuer.CopyWithPrivateKey(_rootKey);
        return req.Create(issuerWithKey, Now.AddYears(-4), Now.AddYears(10), [serial]);
    }

    private X509Certificate2 LeafCert(string name, ECDsa key, X509Certificate2 issuer, byte serial, X509Extension? extension)
    {
        var req = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (extension is not null)
        {
            req.CertificateExtensions.Add(extension);
        }

        var issuerKey = issuer == Root ? _rootKey : _caKey;
        using var issuerWithKey = issuer.CopyWithPrivateKey(issuerKey);
        return req.Create(issuerWithKey, Now.AddYears(-1), Now.AddYears(5), [serial]);
    }

    private static X509Extension SgxExtension(int[] comps, int pceSvn)
    {
        const string Base = PckExtensions.SgxExtensionOid;
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            Item(w, Base + ".1", x => x.WriteOctetString(new byte[16].Select((_, i) => (byte)(0xa0 + i)).ToArray()));
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(Base + ".2");
                using (w.PushSequence())
                {
                    for (var i = 0; i < 16; i++)
                    {
                        var svn = comps[i];
                        Item(w, $"{Base}.2.{i + 1}", x => x.WriteInteger(svn));
                    }

                    Item(w, Base + ".2.17", x => x.WriteInteger(pceSvn));
                    Item(w, Base + ".2.18", x => x.WriteOctetString(comps.Select(c => (byte)c).ToArray()));
                }
            }

            Item(w, Base + ".3", x => x.WriteOctetString([0, 0]));
            Item(w, Base + ".4", x => x.WriteOctetString(Fmspc));
            Item(w, Base + ".5", x => x.WriteEncodedValue([0x0a, 0x01, 0x01])); // SGX type: ENUMERATED 1, Scalable
        }

        return new X509Extension(Base, w.Encode(), false);
    }

    private static void Item(AsnWriter w, string oid, Action<AsnWriter> value)
    {
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid);
            value(w);
        }
    }

    private static string Pem(params X509Certificate2[] certs) => string.Concat(certs.Select(c => c.ExportCertificatePem() + "\n"));

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public static ImmutableArray<byte> Flip(ImmutableArray<byte> data, int index, int bit = 0)
    {
        var copy = data.ToArray();
        copy[index] ^= (byte)(1 << bit);
        return [.. copy];
    }
}
