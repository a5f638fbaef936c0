using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Snp;
using Tless.Testing;
using static Tless.Attestation.Tests.Snp.SnpFixtures;

namespace Tless.Attestation.Tests.Snp;

public sealed class SnpEvidenceVerifierTests
{
    [Fact]
    public void Verify_MilanV2Virtee_ValidWithClaims()
    {
        var (report, verifier) = MilanVirtee();

        var result = verifier.Verify(report);

        Assert.True(result.IsValid, result.Detail);
        var c = result.Claims!;
        Assert.Equal(TeeKind.Snp, c.Tee);
        Assert.False(c.Insecure);
        Assert.False(c.Debug);
        Assert.Equal("7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f", c.Measurement);
        Assert.Equal("d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
            Convert.ToHexStringLower(c.ReportData.AsSpan()));
        Assert.Equal("d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6", c.ChipId);
        Assert.Equal("bl=3 tee=0 snp=8 ucode=115", c.Tcb);
        Assert.Equal("UpToDate", c.Status);
        Assert.Equal("Milan", c.Extra["product"]);
        Assert.Equal("0x30000", c.Extra["policy"]);
        Assert.Equal("0", c.Extra["vmpl"]);
        Assert.Equal("VCEK", c.Extra["signing_key"]);
        Assert.Equal("1.52.4", c.Extra["firmware"]);
    }

    [Fact]
    public void Verify_DebugGuest_RefusedUnderProductionAcceptedWithAllowDebug()
    {
        var report = Bytes("snp-milan-v2-debug-gosevguest", "report.bin");
        var collateral = Collateral(File("snp-milan-v2-debug-gosevguest", "vcek.der"), MilanChain);

        var refused = Verifier(collateral).Verify(report);
        var allowed = Verifier(collateral, policy: new VerifierPolicy { AllowDebug = true }).Verify(report);

        Assert.Equal("debug_policy", refused.FailedCheck);
        Assert.True(refused.Claims!.Debug);
        Assert.Equal("bl=2 tee=0 snp=5 ucode=68", refused.Claims.Tcb);
        Assert.True(allowed.IsValid, allowed.Detail);
        Assert.True(allowed.Claims!.Debug);
        Assert.Equal("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01", allowed.Claims.Measurement);
    }

    [Fact]
    public void Verify_VlekReport_ValidIn2025ExpiredToday()
    {
        var report = Bytes("snp-milan-v3-vlek-trustee", "report.bin");
        var collateral = Collateral(File("snp-milan-v3-vlek-trustee", "vlek.der"), MilanVlekChain);

        var past = Verifier(collateral, VlekValidAt).Verify(report);
        var today = Verifier(collateral, Today).Verify(report);

        Assert.True(past.IsValid, past.Detail);
        Assert.Equal("VLEK", past.Claims!.Extra["signing_key"]);
        Assert.Null(past.Claims.ChipId);
        Assert.Equal("bl=4 tee=0 snp=24 ucode=217", past.Claims.Tcb);
        Assert.Equal("CN=cc-us-east-2.amazonaws.com", past.Claims.Extra["csp_id"]);
        Assert.Equal("19/01/01", past.Claims.Extra["cpuid"]);
        Assert.Equal("cert_validity", today.FailedCheck);
        Assert.Contains("SEV-VLEK", today.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_CachedChain_StillChecksValidityAtEachCall()
    {
        var report = Bytes("snp-milan-v3-vlek-trustee", "report.bin");
        var time = new FakeTimeProvider(VlekValidAt);
        var verifier = new SnpEvidenceVerifier(Collateral(File("snp-milan-v3-vlek-trustee", "vlek.der"), MilanVlekChain), time);

        Assert.True(verifier.Verify(report).IsValid);
        Assert.True(verifier.Verify(report).IsValid);
        time.SetUtcNow(Today);
        Assert.Equal("cert_validity", verifier.Verify(report).FailedCheck);
    }

    [Fact]
    public void Verify_GenoaRawReport_Valid()
    {
        var report = Bytes("snp-genoa-v3-azure-trustee", "report.bin");
        var verifier = Verifier(Collateral(File("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), GenoaChain));

        var result = verifier.Verify(report);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal("Genoa", result.Claims!.Extra["product"]);
        Assert.Equal("bl=10 tee=0 snp=23 ucode=84", result.Claims.Tcb);
        Assert.Equal("f57dc09a507c6ecd82369bffb600f0003792f4d99bc26e985ec0c266fc34faf3706faf814c9e61065768a6ff917c89ae", result.Claims.Measurement);
    }

    [Fact]
    public void Verify_AzureHclReport_ValidAndBindsRuntimeData()
    {
        var hcl = Bytes("snp-genoa-v3-azure-trustee", "hcl_report.bin");
        var verifier = Verifier(Collateral(File("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), GenoaChain));

        var result = verifier.Verify(hcl);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal("true", result.Claims!.Extra["azure_hcl"]);
        Assert.Contains("HCLAkPub", result.Claims.Extra["azure_runtime_data"], StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AzureHclRuntimeDataTampered_FailsHclReportData()
    {
        var hcl = Bytes("snp-genoa-v3-azure-trustee", "hcl_report.bin");
        var verifier = Verifier(Collateral(File("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), GenoaChain));
        var at = hcl.AsSpan().IndexOf("HCLAkPub"u8);
        hcl[at] = (byte)'X';

        Assert.Equal("hcl_report_data", verifier.Verify(hcl).FailedCheck);
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(0x10, 0x04)]
    [InlineData(0x14, 0x00)]
    public void Verify_AzureHclHeaderCorrupted_FailsFormat(int offset, byte value)
    {
        var hcl = Bytes("snp-genoa-v3-azure-trustee", "hcl_report.bin");
        var verifier = Verifier(Collateral(File("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), GenoaChain));
        // header request_type (0xC), IGVM report_type/hash_type/size live after the SNP report at 0x4C0
        var target = offset < 0x10 ? 0xC : 0x4C0 + offset - 0x10 + 8;
        hcl[target] = value;
        hcl[target + 1] = (byte)(offset == 4 ? 0x10 : hcl[target + 1]);

        var result = verifier.Verify(hcl);

        Assert.False(result.IsValid);
        Assert.Equal("format", result.FailedCheck);
    }

    [Fact]
    public void Verify_GenoaVcekWithMilanChain_FailsCertChain()
    {
        var report = Bytes("snp-genoa-v3-azure-trustee", "report.bin");
        var verifier = Verifier(Collateral(File("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), MilanChain));

        var result = verifier.Verify(report);

        Assert.Equal("cert_chain", result.FailedCheck);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void Verify_MilanVcekWithGenoaChain_FailsCertChain()
    {
        var report = Bytes("snp-milan-v2-virtee", "report.bin");
        var verifier = Verifier(Collateral(File("snp-milan-v2-virtee", "vcek.der"), GenoaChain));

        Assert.Equal("cert_chain", verifier.Verify(report).FailedCheck);
    }

    [Fact]
    public void Verify_VcekOfAnotherChip_FailsCollateral()
    {
        var report = Bytes("snp-milan-v2-virtee", "report.bin");
        var verifier = Verifier(Collateral(File("snp-milan-v2-debug-gosevguest", "vcek.der"), MilanChain));

        var result = verifier.Verify(report);

        Assert.Equal("collateral", result.FailedCheck);
        Assert.Contains("d49554ec717f4e5b", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NoArkInCollateral_FailsCertChain()
    {
        var report = Bytes("snp-milan-v2-virtee", "report.bin");
        var verifier = Verifier(Collateral(File("snp-milan-v2-virtee", "vcek.der"), File("amd-roots", "milan_ask.pem")));

        var result = verifier.Verify(report);

        Assert.Equal("cert_chain", result.FailedCheck);
        Assert.Contains("ARK", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EmptyCollateral_FailsCollateral()
    {
        var (report, _) = MilanVirtee();
        Assert.Equal("collateral", Verifier(SnpCollateral.Empty).Verify(report).FailedCheck);
    }

    [Fact]
    public void Verify_RequireSmtDisabled_FailsSmtPolicyOnSmtPlatform()
    {
        var (report, verifier) = MilanVirtee(policy: new VerifierPolicy { RequireSmtDisabled = true });
        Assert.Equal("smt_policy", verifier.Verify(report).FailedCheck);
    }

    [Fact]
    public void Verify_RepeatedVerification_SameVerdict()
    {
        var (report, verifier) = MilanVirtee();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(verifier.Verify(report).IsValid);
        }
    }

    [Fact]
    public void Verify_UpstreamPolicyBitFlip_FailsReportSignature()
    {
        // virtee/sev's own negative test: report[21] ^= 0x80 lies inside POLICY.
        var (report, verifier) = MilanVirtee();
        report[21] ^= 0x80;

        Assert.Equal("report_signature", verifier.Verify(report).FailedCheck);
    }

    [Theory]
    [InlineData(0x50)] // report_data
    [InlineData(0x90)] // measurement
    [InlineData(0x180)] // reported_tcb
    [InlineData(0x1A0)] // chip_id
    [InlineData(0x29F)] // last signed byte
    [InlineData(0x2A0)] // signature r (least significant byte)
    [InlineData(0x2E8 + 47)] // signature s (most significant byte)
    public void Verify_BitFlipAtOffset_Fails(int offset)
    {
        var (report, verifier) = MilanVirtee();
        report[offset] ^= 0x01;

        var result = verifier.Verify(report);

        Assert.False(result.IsValid);
        Assert.Contains(result.FailedCheck, new[] { "report_signature", "collateral", "format" });
    }

    [Property(MaxTest = 150)]
    public Property Verify_AnySingleBitFlipInReport_Fails(PositiveInt position)
    {
        var (report, verifier) = MilanVirtee();
        var bit = position.Get % (SnpReport.SignedSize * 8 + 144 * 8);
        report[bit / 8] ^= (byte)(1 << (bit % 8));
        return (!verifier.Verify(report).IsValid).Label($"bit {bit}");
    }

    [Theory]
    [InlineData("snp-milan-v2-virtee/vcek.der")]
    [InlineData("amd-roots/milan_ask.pem")]
    [InlineData("amd-roots/milan_ark.pem")]
    public void Verify_BitFlipsInCertificate_Fail(string which)
    {
        var report = Bytes("snp-milan-v2-virtee", "report.bin");
        var parts = which.Split('/');
        var der = Tless.Attestation.Common.Certificates.ReadFile(File(parts[0], parts[1]))[0];
        var others = new[] { "snp-milan-v2-virtee/vcek.der", "amd-roots/milan_ask.pem", "amd-roots/milan_ark.pem" }
            .Where(o => o != which)
            .Select(o => Tless.Attestation.Common.Certificates.ReadFile(File(o.Split('/')[0], o.Split('/')[1]))[0])
            .ToList();
        var rng = new Random(which.Length);
        for (var i = 0; i < 25; i++)
        {
            var mutated = (byte[])der.Clone();
            var bit = rng.Next(mutated.Length * 8);
            mutated[bit / 8] ^= (byte)(1 << (bit % 8));
            SnpCollateral collateral;
            try
            {
                collateral = SnpCollateral.FromCertificates([mutated, .. others]);
            }
            catch (TlessFormatException)
            {
                continue; // the documented exception for a malformed certificate
            }

            var result = Verifier(collateral).Verify(report);
            Assert.False(result.IsValid, $"bit {bit} of {which} flipped, still valid");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1183)]
    [InlineData(1185)]
    [InlineData(2368)]
    public void Verify_TruncatedOrOversized_FailsFormat(int length)
    {
        var (report, verifier) = MilanVirtee();
        var resized = new byte[length];
        Array.Copy(report, resized, Math.Min(length, report.Length));

        var result = verifier.Verify(resized);

        Assert.Equal("format", result.FailedCheck);
        Assert.Contains(length < 1184 ? "1184" : "certificate table", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TruncatedHcl_FailsFormat()
    {
        var hcl = Bytes("snp-genoa-v3-azure-trustee", "hcl_report.bin");
        var verifier = Verifier(Collateral(File("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), GenoaChain));
        foreach (var length in new[] { 4, 31, 32 + 1184, 32 + 1184 + 20, 2435 })
        {
            Assert.Equal("format", verifier.Verify(hcl.AsSpan(0, length)).FailedCheck);
        }
    }

    [Property(MaxTest = 100)]
    public void Verify_RandomBytes_FailsWithoutThrowing(byte[] bytes)
    {
        var (_, verifier) = MilanVirtee();
        Assert.False(verifier.Verify(bytes ?? []).IsValid);
    }

    [Fact]
    public void Verify_RandomReportsOfExactSize_FailWithoutThrowing()
    {
        var (report, verifier) = MilanVirtee();
        var rng = new Random(1234);
        for (var i = 0; i < 200; i++)
        {
            var mutated = (byte[])report.Clone();
            var n = rng.Next(1, 16);
            for (var k = 0; k < n; k++)
            {
                mutated[rng.Next(mutated.Length)] ^= (byte)rng.Next(1, 256);
            }

            if (i % 4 == 0)
            {
                rng.NextBytes(mutated);
            }

            if (i % 8 == 1)
            {
                "HCLA"u8.CopyTo(mutated);
            }

            var diff = string.Join(",", Enumerable.Range(0, report.Length).Where(k => report[k] != mutated[k]).Select(k => k.ToString("X", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.False(verifier.Verify(mutated).IsValid, $"iteration {i}: changed bytes {diff}");
        }
    }

    [Fact]
    public void Verify_ForgedChainWithSelfMadeRoot_FailsCertChain()
    {
        // An attacker builds a complete ARK -> ASK -> VCEK chain with the right names and extensions and signs a
        // report of their own: only the pinned ARK fingerprint stops it.
        var report = Bytes("snp-milan-v2-virtee", "report.bin");
        var chipId = report.AsSpan(0x1A0, 64).ToArray();
        using var arkKey = RSA.Create(2048);
        using var askKey = RSA.Create(2048);
        using var vcekKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var now = Today;
        var arkReq = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=ARK-Milan", arkKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        arkReq.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ark = arkReq.CreateSelfSigned(now.AddYears(-1), now.AddYears(1));
        var askReq = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=SEV-Milan", askKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        askReq.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, true, 0, true));
        using var ask = askReq.Create(ark, now.AddYears(-1), now.AddYears(1), [1]);
        var vcekReq = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=SEV-VCEK", vcekKey, HashAlgorithmName.SHA384);
        void Ext(string oid, byte[] value) => vcekReq.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509Extension(oid, value, false));
        Ext("1.3.6.1.4.1.3704.1.3.1", [2, 1, 3]);
        Ext("1.3.6.1.4.1.3704.1.3.2", [2, 1, 0]);
        Ext("1.3.6.1.4.1.3704.1.3.3", [2, 1, 8]);
        Ext("1.3.6.1.4.1.3704.1.3.8", [2, 1, 115]);
        Ext("1.3.6.1.4.1.3704.1.4", [0x04, 0x40, .. chipId]);
        var askGen = System.Security.Cryptography.X509Certificates.X509SignatureGenerator.CreateForRSA(askKey, RSASignaturePadding.Pss);
        using var vcek = vcekReq.Create(ask.SubjectName, askGen, now.AddYears(-1), now.AddYears(1), [2]);

        report[0x50] ^= 0xFF; // the attacker's own report data
        var sig = vcekKey.SignData(report.AsSpan(0, SnpReport.SignedSize), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        for (var i = 0; i < 48; i++)
        {
            report[0x2A0 + i] = sig[47 - i];
            report[0x2E8 + i] = sig[95 - i];
        }

        var collateral = SnpCollateral.FromCertificates([vcek.RawData, ask.RawData, ark.RawData]);
        var result = Verifier(collateral).Verify(report);

        Assert.Equal("cert_chain", result.FailedCheck);
        Assert.Contains("not a pinned AMD ARK", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DirectoryCollateral_FindsVcekByChipId()
    {
        var dir = Directory.CreateTempSubdirectory("tless-snp-");
        try
        {
            System.IO.File.Copy(File("snp-milan-v2-virtee", "vcek.der"), Path.Combine(dir.FullName, "a.der"));
            System.IO.File.Copy(File("snp-milan-v2-debug-gosevguest", "vcek.der"), Path.Combine(dir.FullName, "b.der"));
            System.IO.File.Copy(MilanChain, Path.Combine(dir.FullName, "chain.pem"));
            System.IO.File.Copy(File("intel-roots", "Intel_SGX_RootCA.pem"), Path.Combine(dir.FullName, "intel.pem"));
            System.IO.File.WriteAllText(Path.Combine(dir.FullName, "README.txt"), "not a certificate");

            var collateral = SnpCollateral.FromDirectory(dir.FullName);
            var (report, _) = MilanVirtee();

            Assert.Equal(4, collateral.Count);
            Assert.True(Verifier(collateral).Verify(report).IsValid);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static byte[] Der(string folder, string name) => Tless.Attestation.Common.Certificates.ReadFile(File(folder, name))[0];

    private static byte[] WithTable(byte[] report, params (Guid, byte[])[] entries) => [.. report, .. SnpCertTable.Build(entries)];

    [Fact]
    public void Verify_ReportWithAttachedCertificates_ValidWithoutCollateral()
    {
        var (report, _) = MilanVirtee();
        var evidence = WithTable(report,
            (SnpCertTable.Vcek, Der("snp-milan-v2-virtee", "vcek.der")),
            (SnpCertTable.Ask, Der("amd-roots", "milan_ask.pem")),
            (SnpCertTable.Ark, Der("amd-roots", "milan_ark.pem")));

        var result = Verifier(SnpCollateral.Empty).Verify(evidence);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal("bl=3 tee=0 snp=8 ucode=115", result.Claims!.Tcb);
    }

    [Fact]
    public void Verify_AttachedVcekOnly_UsesChainFromCollateral()
    {
        var (report, _) = MilanVirtee();
        var evidence = WithTable(report, (SnpCertTable.Vcek, Der("snp-milan-v2-virtee", "vcek.der")));

        Assert.True(Verifier(Collateral(MilanChain)).Verify(evidence).IsValid);
        Assert.Equal("cert_chain", Verifier(SnpCollateral.Empty).Verify(evidence).FailedCheck);
    }

    [Fact]
    public void Verify_AttachedChainOfOtherProduct_FailsCertChain()
    {
        var (report, _) = MilanVirtee();
        var evidence = WithTable(report,
            (SnpCertTable.Vcek, Der("snp-milan-v2-virtee", "vcek.der")),
            (SnpCertTable.Ask, Der("amd-roots", "genoa_ask.pem")),
            (SnpCertTable.Ark, Der("amd-roots", "genoa_ark.pem")));

        Assert.Equal("cert_chain", Verifier(SnpCollateral.Empty).Verify(evidence).FailedCheck);
    }

    [Fact]
    public void Verify_MalformedCertificateTable_FailsFormat()
    {
        var (report, verifier) = MilanVirtee();
        var table = SnpCertTable.Build([(SnpCertTable.Vcek, Der("snp-milan-v2-virtee", "vcek.der"))]);
        var badOffset = (byte[])table.Clone();
        badOffset[16] = 0xFF; // offset beyond the table
        var noTerminator = table.AsSpan(0, 24).ToArray();
        var garbageCert = (byte[])table.Clone();
        garbageCert[48] ^= 0xFF; // first byte of the DER certificate

        foreach (var t in new[] { badOffset, noTerminator, garbageCert, new byte[5] })
        {
            var result = verifier.Verify([.. report, .. t]);
            Assert.Equal("format", result.FailedCheck);
        }
    }

    [Fact]
    public void CertTable_BuildParse_RoundTrip()
    {
        var vcek = Der("snp-milan-v2-virtee", "vcek.der");
        var ask = Der("amd-roots", "milan_ask.pem");

        var parsed = SnpCertTable.Parse(SnpCertTable.Build([(SnpCertTable.Vcek, vcek), (SnpCertTable.Ask, ask)]));

        Assert.Equal(2, parsed.Count);
        Assert.Equal(SnpCertTable.Vcek, parsed[0].Type);
        Assert.Equal(vcek, parsed[0].Der);
        Assert.Equal(ask, parsed[1].Der);
    }

    [Fact]
    public void CertTable_GuidBytes_AreRfc4122Order()
    {
        var table = SnpCertTable.Build([(SnpCertTable.Vcek, new byte[] { 1 })]);

        Assert.Equal("63da758de6644564adc5f4b93be8accd", Convert.ToHexStringLower(table.AsSpan(0, 16)));
    }

    [Fact]
    public void Verify_AttachedTableWithZeroPadding_ValidButNonZeroTailFails()
    {
        var (report, _) = MilanVirtee();
        var evidence = WithTable(report, (SnpCertTable.Vcek, Der("snp-milan-v2-virtee", "vcek.der")));
        byte[] padded = [.. evidence, .. new byte[4096]];
        byte[] tail = [.. padded];
        tail[^1] = 1;

        Assert.True(Verifier(Collateral(MilanChain)).Verify(padded).IsValid);
        Assert.Equal("format", Verifier(Collateral(MilanChain)).Verify(tail).FailedCheck);
    }

    [Property(MaxTest = 100)]
    public void Verify_RandomTailAfterReport_FailsWithoutThrowing(byte[] tail)
    {
        var (report, verifier) = MilanVirtee();
        tail ??= [];
        if (tail.Length == 0 || !tail.AsSpan().ContainsAnyExcept((byte)0))
        {
            tail = [.. tail, 1];
        }

        Assert.False(verifier.Verify([.. report, .. tail]).IsValid);
    }

    [Fact]
    public void FromDirectory_DcapCollateralDirectory_SkipsCrlsAndIntelCertificates()
    {
        var dir = SharedData.Require("fixtures", "attestation", "sgx-dcap-quote-v3-phala", "collateral");

        var collateral = SnpCollateral.FromDirectory(dir);

        Assert.Equal(0, collateral.Count);
        Assert.Contains(collateral.SkippedFiles, f => f.Contains("pck_crl.der", StringComparison.Ordinal));
    }

    [Fact]
    public void FromDirectory_Missing_ThrowsFormat() =>
        Assert.Throws<TlessFormatException>(() => SnpCollateral.FromDirectory("/nonexistent/tless-snp-cache"));

    [Fact]
    public void Verify_ConcurrentCallsOnOneVerifier_AllSameVerdict()
    {
        var (report, verifier) = MilanVirtee();
        var tampered = (byte[])report.Clone();
        tampered[0x60] ^= 1;
        var results = new VerificationResult[64];

        Parallel.For(0, results.Length, i => results[i] = verifier.Verify(i % 2 == 0 ? report : tampered));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? null : "report_signature", results[i].FailedCheck);
        }
    }

    [Theory]
    [InlineData(3, 0, 8, 115, true)]
    [InlineData(2, 0, 5, 68, true)]
    [InlineData(3, 0, 8, 116, false)]
    [InlineData(4, 0, 0, 0, false)]
    [InlineData(0, 1, 0, 0, false)]
    [InlineData(0, 0, 9, 0, false)]
    public void Verify_MinimumTcb_EnforcedPerComponent(int bl, int tee, int snp, int ucode, bool valid)
    {
        var (report, verifier) = MilanVirtee(policy: new VerifierPolicy { MinimumSnpTcb = new SnpTcbFloor(bl, tee, snp, ucode) });

        var result = verifier.Verify(report);

        Assert.Equal(valid ? null : "tcb_policy", result.FailedCheck);
        Assert.NotNull(result.Claims);
    }
}
