using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Dcap;

namespace Tless.Attestation.Tests.Dcap;

/// <summary>
/// Checks the real fixtures cannot show (they are valid, non-debug, up to date), run on quotes and collateral signed
/// in a private test PKI (<see cref="DcapTestPki"/>) through the production verification code.
/// </summary>
public sealed class DcapSyntheticTests
{
    [Theory]
    [InlineData(TeeKind.Sgx)]
    [InlineData(TeeKind.Tdx)]
    public void Verify_WellFormedSyntheticQuote_Valid(TeeKind tee)
    {
        var pki = new DcapTestPki();
        var quote = tee == TeeKind.Sgx ? pki.SgxQuote() : pki.TdxQuote();

        var result = pki.Verifier(tee).Verify(quote);

        Assert.True(result.IsValid, $"{result.FailedCheck}: {result.Detail}");
        Assert.Equal("UpToDate", result.Claims!.Status);
        Assert.Equal("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", result.Claims.ChipId);
    }

    [Fact]
    public void Verify_SyntheticQuoteUnderPinnedIntelRoot_FailsPckChain()
    {
        var pki = new DcapTestPki();
        var verifier = new DcapVerifier(TeeKind.Sgx, pki.Collateral(TeeKind.Sgx), new FakeTimeProvider(DcapTestPki.Now));

        var result = verifier.Verify(pki.SgxQuote());

        Assert.Equal("pck_chain", result.FailedCheck);
        Assert.Contains("not the pinned Intel SGX Root CA", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TeeKind.Sgx)]
    [InlineData(TeeKind.Tdx)]
    public void Verify_DebugQuoteUnderProductionPolicy_FailsDebugPolicy(TeeKind tee)
    {
        var pki = new DcapTestPki();
        var quote = tee == TeeKind.Sgx ? pki.SgxQuote(debug: true) : pki.TdxQuote(debug: true);

        var refused = pki.Verifier(tee).Verify(quote);
        var allowed = pki.Verifier(tee, new DcapPolicy { AllowDebug = true }).Verify(quote);

        Assert.Equal("debug_policy", refused.FailedCheck);
        Assert.True(refused.Claims!.Debug);
        Assert.True(allowed.IsValid, $"{allowed.FailedCheck}: {allowed.Detail}");
        Assert.True(allowed.Claims!.Debug);
    }

    [Fact]
    public void Verify_PckCertificateInPckCrl_FailsCertificateRevoked()
    {
        var pki = new DcapTestPki();
        pki.RevokedByCa.Add(pki.Pck);

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());

        Assert.Equal("certificate_revoked", result.FailedCheck);
    }

    [Fact]
    public void Verify_PckCaInRootCrl_FailsCertificateRevoked()
    {
        var pki = new DcapTestPki();
        pki.RevokedByRoot.Add(pki.Ca);

        var result = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote());

        Assert.Equal("certificate_revoked", result.FailedCheck);
    }

    [Fact]
    public void Verify_TcbSigningCertificateInRootCrl_FailsCertificateRevoked()
    {
        var pki = new DcapTestPki();
        pki.RevokedByRoot.Add(pki.TcbSigning);

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());

        Assert.Equal("certificate_revoked", result.FailedCheck);
    }

    [Fact]
    public void Verify_AfterCollateralNextUpdate_FailsCollateralExpired()
    {
        var pki = new DcapTestPki();

        var result = pki.Verifier(TeeKind.Sgx, at: DcapTestPki.Now.AddDays(30)).Verify(pki.SgxQuote());

        Assert.Equal("collateral_expired", result.FailedCheck);
    }

    [Fact]
    public void Verify_PlatformBelowNewestLevel_OutOfDateRefusedWithAdvisories()
    {
        var pki = new DcapTestPki(pckCompSvn: [2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], pckPceSvn: 13);

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());
        var accepted = pki.Verifier(TeeKind.Sgx, new DcapPolicy { AcceptedStatuses = new HashSet<string> { "OutOfDate" } }).Verify(pki.SgxQuote());

        Assert.Equal("tcb_status", result.FailedCheck);
        Assert.Equal("OutOfDate", result.Claims!.Status);
        Assert.Equal(["INTEL-SA-00001"], result.Claims.Advisories.ToArray());
        Assert.True(accepted.IsValid, $"{accepted.FailedCheck}: {accepted.Detail}");
    }

    [Fact]
    public void Verify_PceSvnBelowEveryLevel_FailsTcbLevel()
    {
        var pki = new DcapTestPki(pckPceSvn: 4);

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());

        Assert.Equal("tcb_level", result.FailedCheck);
    }

    [Fact]
    public void Verify_OneComponentBelowLevel_SkipsToNextLevel()
    {
        // component 8 is 4 < 5 of the newest level: all-components-greater-or-equal, not a lexicographic comparison
        var pki = new DcapTestPki(pckCompSvn: [9, 9, 9, 9, 9, 9, 9, 4, 0, 0, 0, 0, 0, 0, 0, 0]);

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());

        Assert.Equal("OutOfDate", result.Claims!.Status);
    }

    [Theory]
    [InlineData("UpToDate", "OutOfDate")]
    [InlineData("SWHardeningNeeded", "OutOfDate")]
    [InlineData("ConfigurationNeeded", "OutOfDateConfigurationNeeded")]
    [InlineData("ConfigurationAndSWHardeningNeeded", "OutOfDateConfigurationNeeded")]
    public void Verify_QeOutOfDate_ConvergesWithPlatformStatus(string platform, string expected)
    {
        var pki = new DcapTestPki();
        pki.Levels[0] = pki.Levels[0] with { Status = platform, Advisories = ["INTEL-SA-00289"] };

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote(qeIsvSvn: 5));

        Assert.Equal("tcb_status", result.FailedCheck);
        Assert.Equal(expected, result.Claims!.Status);
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615"], result.Claims.Advisories.ToArray());
        Assert.Equal("OutOfDate", result.Claims.Extra["qe_tcb_status"]);
    }

    [Fact]
    public void Verify_PlatformRevoked_RevokedRefused()
    {
        var pki = new DcapTestPki();
        pki.Levels[0] = pki.Levels[0] with { Status = "Revoked" };

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());

        Assert.Equal("tcb_status", result.FailedCheck);
        Assert.Equal("Revoked", result.Claims!.Status);
    }

    [Fact]
    public void Verify_QeIsvSvnBelowEveryLevel_FailsQeTcb()
    {
        var pki = new DcapTestPki();

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote(qeIsvSvn: 3));

        Assert.Equal("qe_tcb", result.FailedCheck);
    }

    [Fact]
    public void Verify_QeFromAnotherSigner_FailsQeIdentity()
    {
        var pki = new DcapTestPki();

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote(qeMrSigner: new byte[32]));

        Assert.Equal("qe_identity", result.FailedCheck);
    }

    [Fact]
    public void Verify_TcbInfoForAnotherFmspc_FailsTcbInfo()
    {
        var pki = new DcapTestPki { TcbInfoFmspc = "00906ED50000" };

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote());

        Assert.Equal("tcb_info", result.FailedCheck);
    }

    [Fact]
    public void Verify_SgxTcbInfoForTdxQuote_FailsTcbInfo()
    {
        var pki = new DcapTestPki();
        var verifier = new DcapVerifier(TeeKind.Tdx, pki.Collateral(TeeKind.Sgx), new FakeTimeProvider(DcapTestPki.Now), null, pki.Root);

        var result = verifier.Verify(pki.TdxQuote());

        Assert.Equal("tcb_info", result.FailedCheck);
    }

    [Fact]
    public void Verify_TdxModuleIsvSvnOutOfDate_ConvergesToOutOfDate()
    {
        var pki = new DcapTestPki();

        var result = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote(teeTcbSvn: [3, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));

        // TEE_TCB_SVN[0] = 3 is below the platform level's 5 as well: the next level (OutOfDate) is chosen
        Assert.Equal("OutOfDate", result.Claims!.Status);
    }

    [Fact]
    public void Verify_TdxModuleIsvSvnBetweenLevels_ModuleStatusConverges()
    {
        var pki = new DcapTestPki();
        pki.Levels[0] = pki.Levels[0] with { Tdx = [2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };

        var result = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote(teeTcbSvn: [3, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));

        Assert.Equal("tcb_status", result.FailedCheck);
        Assert.Equal("OutOfDate", result.Claims!.Status);
        Assert.Contains("tee_tcb_svn=03010300", result.Claims.Tcb, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "below every TCB level")]
    [InlineData(new byte[] { 6, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "no TDX module identity 'TDX_02'")]
    public void Verify_TdxModuleNotRecognised_FailsTdxModule(byte[] teeTcbSvn, string detail)
    {
        var pki = new DcapTestPki();
        pki.Levels[0] = pki.Levels[0] with { Tdx = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };

        var result = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote(teeTcbSvn: teeTcbSvn));

        Assert.Equal("tdx_module", result.FailedCheck);
        Assert.Contains(detail, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SeamModuleFromAnotherSigner_FailsTdxModule()
    {
        var pki = new DcapTestPki();

        var result = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote(mrSignerSeam: Enumerable.Repeat((byte)1, 48).ToArray()));

        Assert.Equal("tdx_module", result.FailedCheck);
    }

    [Fact]
    public void Verify_DebugQuotingEnclave_FailsQeIdentity()
    {
        var pki = new DcapTestPki();

        var result = pki.Verifier(TeeKind.Sgx).Verify(pki.SgxQuote(qeAttributes: 0x13));

        Assert.Equal("qe_identity", result.FailedCheck);
    }

    [Fact]
    public void Verify_TdxModuleVersionZero_CheckedAgainstTdxModuleOnly()
    {
        var pki = new DcapTestPki();
        byte[] teeTcbSvn = [6, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var valid = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote(teeTcbSvn: teeTcbSvn));
        var foreign = pki.Verifier(TeeKind.Tdx).Verify(pki.TdxQuote(teeTcbSvn: teeTcbSvn, mrSignerSeam: Enumerable.Repeat((byte)7, 48).ToArray()));

        Assert.True(valid.IsValid, $"{valid.FailedCheck}: {valid.Detail}");
        Assert.Equal("UpToDate", valid.Claims!.Status);
        Assert.Equal("tdx_module", foreign.FailedCheck);
        Assert.Contains("tdxModule", foreign.Detail, StringComparison.Ordinal);
    }
}
