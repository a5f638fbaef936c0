using System.Text;
using static Tless.Attestation.Tests.Dcap.DcapFixtures;

namespace Tless.Attestation.Tests.Dcap;

public sealed class DcapVerifierTests
{
    [Fact]
    public void Verify_SgxFixtureAtValidTime_ValidWithIntelStatusAndAdvisories()
    {
        var result = Verifier(SgxFolder).Verify(Quote(SgxFolder));

        Assert.True(result.IsValid, $"{result.FailedCheck}: {result.Detail}");
        var c = result.Claims!;
        Assert.Equal(TeeKind.Sgx, c.Tee);
        Assert.Equal("ConfigurationAndSWHardeningNeeded", c.Status);
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615"], c.Advisories.ToArray());
        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", c.Measurement);
        Assert.Equal("815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6", c.Extra["mrsigner"]);
        Assert.Equal("0", c.Extra["isv_prod_id"]);
        Assert.Equal("00a067110000", c.Extra["fmspc"]);
        Assert.Equal("UpToDate", c.Extra["qe_tcb_status"]);
        Assert.False(c.Debug);
        Assert.False(c.Insecure);
        Assert.Equal([.. Encoding.ASCII.GetBytes("Hello, world!"), .. new byte[51]], c.ReportData.ToArray());
        Assert.Contains("tcbDate=2024-03-13T00:00:00Z", c.Tcb, StringComparison.Ordinal);
        Assert.Contains("pcesvn=13", c.Tcb, StringComparison.Ordinal);
        Assert.NotNull(c.ChipId);
        Assert.Equal(32, c.ChipId.Length); // PPID, 16 bytes
    }

    [Fact]
    public void Verify_TdxFixtureAtValidTime_ValidUpToDateWithoutAdvisories()
    {
        var result = Verifier(TdxFolder).Verify(Quote(TdxFolder));

        Assert.True(result.IsValid, $"{result.FailedCheck}: {result.Detail}");
        var c = result.Claims!;
        Assert.Equal(TeeKind.Tdx, c.Tee);
        Assert.Equal("UpToDate", c.Status);
        Assert.Empty(c.Advisories);
        Assert.Equal("91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7", c.Measurement);
        Assert.Equal("44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0", c.Extra["rtmr0"]);
        Assert.Equal(new string('0', 96), c.Extra["rtmr3"]);
        Assert.Equal(new string('0', 96), c.Extra["mrconfigid"]);
        Assert.Equal("06010300000000000000000000000000", c.Extra["tee_tcb_svn"]);
        Assert.Equal("b0c06f000000", c.Extra["fmspc"]);
        Assert.Equal("0000001000000000", c.Extra["td_attributes"]);
        Assert.False(c.Debug);
        Assert.Equal(
            "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20",
            Convert.ToHexStringLower(c.ReportData.AsSpan()));
    }

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void Verify_FixtureAtTodaysDate_FailsCollateralExpired(string folder)
    {
        var result = Verifier(folder, Today).Verify(Quote(folder));

        Assert.Equal("collateral_expired", result.FailedCheck);
        Assert.NotNull(result.Claims);
        Assert.Equal("Unknown", result.Claims.Status);
    }
}
