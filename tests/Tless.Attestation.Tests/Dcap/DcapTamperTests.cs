using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using static Tless.Attestation.Tests.Dcap.DcapFixtures;

namespace Tless.Attestation.Tests.Dcap;

/// <summary>Single-bit flips in every signed or bound part of the real quotes and collateral, each caught by the right check.</summary>
public sealed class DcapTamperTests
{
    public static TheoryData<string, string, string> QuoteFlips()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var folder in new[] { SgxFolder, TdxFolder })
        {
            data.Add(folder, "header.user_data", "quote_signature");
            data.Add(folder, "header.pce_svn", "quote_signature");
            data.Add(folder, "body.measurement", "quote_signature");
            data.Add(folder, "body.report_data", "quote_signature");
            data.Add(folder, "signature", "quote_signature");
            data.Add(folder, "attestation_key", "attestation_key_binding");
            data.Add(folder, "qe_report.mrsigner", "qe_report_signature");
            data.Add(folder, "qe_report.report_data", "qe_report_signature");
            data.Add(folder, "qe_report_signature", "qe_report_signature");
            data.Add(folder, "qe_auth_data", "attestation_key_binding");
            data.Add(folder, "pck_leaf.signature", "pck_chain");
            data.Add(folder, "pck_leaf.tbs", "pck_chain");
            data.Add(folder, "pck_ca.signature", "pck_chain");
            data.Add(folder, "pck_root.tbs", "pck_chain");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QuoteFlips))]
    public void Verify_SingleBitFlipInQuote_FailsNamedCheck(string folder, string target, string expectedCheck)
    {
        var quote = Quote(folder);
        var layout = Layout.Of(quote);
        var mutated = target switch
        {
            "header.user_data" => Flip(quote, 28),
            "header.pce_svn" => Flip(quote, 10),
            "body.measurement" => Flip(quote, 48 + (folder == TdxFolder ? 136 : 64) + 5),
            "body.report_data" => Flip(quote, 48 + (folder == TdxFolder ? 520 : 320)),
            "signature" => Flip(quote, layout.Signature + 40),
            "attestation_key" => Flip(quote, layout.Signature + 64 + 7),
            "qe_report.mrsigner" => Flip(quote, layout.QeReport + 128),
            "qe_report.report_data" => Flip(quote, layout.QeReport + 320 + 40),
            "qe_report_signature" => Flip(quote, layout.QeReport + 384 + 3),
            "qe_auth_data" => Flip(quote, layout.QeReport + 384 + 64 + 2 + 1),
            "pck_leaf.signature" => FlipInCertificate(quote, 0, der => der.Length - 1),
            "pck_leaf.tbs" => FlipInCertificate(quote, 0, der => der.Length / 2),
            "pck_ca.signature" => FlipInCertificate(quote, 1, der => der.Length - 1),
            "pck_root.tbs" => FlipInCertificate(quote, 2, der => der.Length / 2),
            _ => throw new ArgumentException(target),
        };

        var result = Verifier(folder).Verify(mutated);

        Assert.False(result.IsValid);
        Assert.Equal(expectedCheck, result.FailedCheck);
        Assert.NotNull(result.Claims);
    }

    public static TheoryData<string, string, string> CollateralFlips()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var folder in new[] { SgxFolder, TdxFolder })
        {
            data.Add(folder, "tcb_info.json", "tcb_info_signature");
            data.Add(folder, "tcb_info.signature", "tcb_info_signature");
            data.Add(folder, "qe_identity.json", "qe_identity_signature");
            data.Add(folder, "qe_identity.signature", "qe_identity_signature");
            data.Add(folder, "pck_crl.der", "pck_crl");
            data.Add(folder, "root_ca_crl.der", "root_ca_crl");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CollateralFlips))]
    public void Verify_SingleBitFlipInCollateral_FailsNamedCheck(string folder, string target, string expectedCheck)
    {
        var c = Collateral(folder);
        var mutated = target switch
        {
            // "tcbEvaluationDataNumber":17 -> 16: still well-formed JSON, so only the signature can notice
            "tcb_info.json" => c with { TcbInfo = FlipDigit(c.TcbInfo) },
            "tcb_info.signature" => c with { TcbInfoSignature = DcapTestPki.Flip(c.TcbInfoSignature, 10, 3) },
            "qe_identity.json" => c with { QeIdentity = FlipDigit(c.QeIdentity) },
            "qe_identity.signature" => c with { QeIdentitySignature = DcapTestPki.Flip(c.QeIdentitySignature, 50) },
            "pck_crl.der" => c with { PckCrl = DcapTestPki.Flip(c.PckCrl, c.PckCrl.Length - 1) },
            "root_ca_crl.der" => c with { RootCaCrl = DcapTestPki.Flip(c.RootCaCrl, c.RootCaCrl.Length - 1) },
            _ => throw new ArgumentException(target),
        };

        var result = Verifier(folder, collateral: mutated).Verify(Quote(folder));

        Assert.Equal(expectedCheck, result.FailedCheck);
    }

    private static ImmutableArray<byte> FlipDigit(ImmutableArray<byte> json)
    {
        var marker = Encoding.ASCII.GetBytes("\"tcbEvaluationDataNumber\":17");
        var at = json.AsSpan().IndexOf(marker);
        Assert.True(at >= 0);
        return DcapTestPki.Flip(json, at + marker.Length - 1);
    }

    private static byte[] Flip(byte[] data, int index)
    {
        var copy = (byte[])data.Clone();
        copy[index] ^= 0x01;
        return copy;
    }

    /// <summary>Flips one bit of the DER of certificate <paramref name="which"/> in the quote's PEM chain, keeping every length.</summary>
    private static byte[] FlipInCertificate(byte[] quote, int which, Func<byte[], int> position)
    {
        var text = Encoding.Latin1.GetString(quote);
        var start = -1;
        for (var i = 0; i <= which; i++)
        {
            start = text.IndexOf("-----BEGIN CERTIFICATE-----", start + 1, StringComparison.Ordinal);
        }

        start += "-----BEGIN CERTIFICATE-----".Length;
        var end = text.IndexOf("-----END CERTIFICATE-----", start, StringComparison.Ordinal);
        var slots = Enumerable.Range(start, end - start).Where(i => !char.IsWhiteSpace(text[i])).ToArray();
        var der = Convert.FromBase64String(new string(slots.Select(i => text[i]).ToArray()));
        der[position(der)] ^= 0x01;
        var b64 = Convert.ToBase64String(der);
        Assert.Equal(slots.Length, b64.Length);
        var copy = (byte[])quote.Clone();
        for (var i = 0; i < slots.Length; i++)
        {
            copy[slots[i]] = (byte)b64[i];
        }

        return copy;
    }

    /// <summary>Offsets of the signature data parts in a fixture quote.</summary>
    private sealed record Layout(int Signature, int QeReport)
    {
        public static Layout Of(byte[] quote)
        {
            var version = BinaryPrimitives.ReadUInt16LittleEndian(quote);
            var sig = 48 + (version == 4 ? 584 : 384) + 4;
            var qe = sig + 128 + (version == 4 ? 6 : 0);
            return new Layout(sig, qe);
        }
    }
}
