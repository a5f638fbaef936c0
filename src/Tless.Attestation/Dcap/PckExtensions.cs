using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Tless.Attestation.Dcap;

/// <summary>
/// The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1, Intel "SGX PCK Certificate and CRL Profile"):
/// PPID, the platform TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC and the SGX type.
/// </summary>
internal sealed record PckExtensions(byte[] Ppid, int[] CompSvn, int PceSvn, byte[] CpuSvn, byte[] PceId, byte[] Fmspc, int? SgxType)
{
    public const string SgxExtensionOid = "1.2.840.113741.1.13.1";

    public static PckExtensions Parse(X509Certificate2 pck)
    {
        var ext = pck.Extensions.FirstOrDefault(e => e.Oid?.Value == SgxExtensionOid)
            ?? throw new TlessFormatException($"PCK certificate '{pck.Subject}' has no SGX extension ({SgxExtensionOid})");
        try
        {
            return Parse(ext.RawData);
        }
        catch (AsnContentException e)
        {
            throw new TlessFormatException($"PCK certificate SGX extension: malformed DER: {e.Message}", e);
        }
    }

    private static PckExtensions Parse(byte[] der)
    {
        byte[]? ppid = null, cpuSvn = null, pceId = null, fmspc = null;
        int? pceSvn = null, sgxType = null;
        var comps = new int?[16];
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var seq = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        while (seq.HasData)
        {
            var item = seq.ReadSequence();
            var oid = item.ReadObjectIdentifier();
            switch (oid)
            {
                case SgxExtensionOid + ".1":
                    ppid = Once(ppid, item.ReadOctetString(), oid);
                    break;
                case SgxExtensionOid + ".2":
                    var tcb = item.ReadSequence();
                    while (tcb.HasData)
                    {
                        var c = tcb.ReadSequence();
                        var cOid = c.ReadObjectIdentifier();
                        var prefix = SgxExtensionOid + ".2.";
                        if (!cOid.StartsWith(prefix, StringComparison.Ordinal) || !int.TryParse(cOid[prefix.Length..], out var n))
                        {
                            c.ReadEncodedValue();
                        }
                        else if (n is >= 1 and <= 16)
                        {
                            comps[n - 1] = OnceVal(comps[n - 1], Svn(c, cOid, 255), cOid);
                        }
                        else if (n == 17)
                        {
                            pceSvn = OnceVal(pceSvn, Svn(c, cOid, 65535), cOid);
                        }
                        else if (n == 18)
                        {
                            cpuSvn = Once(cpuSvn, c.ReadOctetString(), cOid);
                        }
                        else
                        {
                            c.ReadEncodedValue();
                        }

                        c.ThrowIfNotEmpty();
                    }

                    break;
                case SgxExtensionOid + ".3":
                    pceId = Once(pceId, item.ReadOctetString(), oid);
                    break;
                case SgxExtensionOid + ".4":
                    fmspc = Once(fmspc, item.ReadOctetString(), oid);
                    break;
                case SgxExtensionOid + ".5":
                    sgxType = OnceVal(sgxType, (int)item.ReadEnumeratedValue<SgxTypeValue>(), oid);
                    break;
                default:
                    item.ReadEncodedValue(); // platform instance id, configuration: not used here
                    break;
            }

            item.ThrowIfNotEmpty();
        }

        if (fmspc is not { Length: 6 })
        {
            throw new TlessFormatException("PCK certificate SGX extension: FMSPC (.4) missing or not 6 bytes");
        }

        if (pceId is not { Length: 2 })
        {
            throw new TlessFormatException("PCK certificate SGX extension: PCE-ID (.3) missing or not 2 bytes");
        }

        if (pceSvn is null || comps.Any(c => c is null))
        {
            throw new TlessFormatException("PCK certificate SGX extension: TCB (.2) lacks a component SVN or the PCESVN");
        }

        return new PckExtensions(ppid ?? [], [.. comps.Select(c => c!.Value)], pceSvn.Value, cpuSvn ?? [], pceId, fmspc, sgxType);
    }

    private static int Svn(AsnReader r, string oid, int max)
    {
        if (!r.TryReadInt32(out var v) || v < 0 || v > max)
        {
            throw new TlessFormatException($"PCK certificate SGX extension: {oid} is not an integer in 0..{max}");
        }

        return v;
    }

    private static int OnceVal(int? existing, int value, string oid) =>
        existing is null ? value : throw new TlessFormatException($"PCK certificate SGX extension: {oid} appears twice");

    private static T Once<T>(T? existing, T value, string oid)
        where T : class
    {
        if (existing is not null)
        {
            throw new TlessFormatException($"PCK certificate SGX extension: {oid} appears twice");
        }

        return value;
    }

    private enum SgxTypeValue
    {
        Standard = 0,
        Scalable = 1,
        ScalableWithIntegrity = 2,
    }
}
