using Tless.Attestation;
using Tless.Runtime.Tee;
using Tless.Testing;

namespace Tless.Runtime.Tests.Tee;

public sealed class SgxTeeProviderTests
{
    private const string Root = "/dev/attestation-fake";
    private const int ReportDataOffset = 48 + 320;
    private const int MrEnclaveOffset = 48 + 64;
    private const string FixtureMrEnclave = "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb";

    private static readonly SgxTeeOptions Options = new() { AttestationPath = Root };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Quote() => File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "sgx-dcap-quote-v3-phala", "quote.bin"));

    private static byte[] TargetInfo(byte[] quote)
    {
        var info = new byte[512];
        quote.AsSpan(MrEnclaveOffset, 32).CopyTo(info);
        return info;
    }

    /// <summary>Gramine's /dev/attestation: the quote carries whatever was last written to user_report_data.</summary>
    private static FakeTeeFileSystem Gramine(byte[] quote, string type = "dcap", byte[]? targetInfo = null)
    {
        var fs = new FakeTeeFileSystem();
        fs.Directories.Add(Root);
        fs.Files[Root + "/attestation_type"] = System.Text.Encoding.ASCII.GetBytes(type);
        fs.Files[Root + "/my_target_info"] = targetInfo ?? TargetInfo(quote);
        fs.Files[Root + "/user_report_data"] = new byte[64];
        fs.Files[Root + "/quote"] = [];
        fs.OnRead = path => path == Root + "/quote"
            ? FakeTeeFileSystem.WithReportData(quote, ReportDataOffset, fs.Files[Root + "/user_report_data"])
            : null;
        return fs;
    }

    [Fact]
    public async Task GetEvidence_RealQuote_MeasurementIsMrEnclaveAndProtocolIsFollowed()
    {
        var quote = Quote();
        var fs = Gramine(quote);
        var provider = SgxTeeProvider.Open(fs, Options);
        Assert.Equal(FixtureMrEnclave, provider.Measurement);
        Assert.Equal(TeeKind.Sgx, provider.Kind);
        Assert.Equal(FixtureMrEnclave, SgxTeeProvider.MeasurementOf(quote));

        var evidence = await provider.GetEvidenceAsync(quote[ReportDataOffset..(ReportDataOffset + 64)], Ct);
        Assert.Equal(quote, evidence);
        Assert.Equal(
            [$"read {Root}/attestation_type", $"read {Root}/my_target_info", $"write {Root}/user_report_data 64", $"read {Root}/quote"],
            fs.Log);
    }

    [Fact]
    public async Task GetEvidence_ConcurrentRequests_EachGetsItsOwnReportData()
    {
        var fs = Gramine(Quote());
        var provider = SgxTeeProvider.Open(fs, Options);
        var data = Enumerable.Range(1, 8).Select(i => Enumerable.Repeat((byte)i, 64).ToArray()).ToArray();
        var evidence = await Task.WhenAll(data.Select(d => Task.Run(() => provider.GetEvidenceAsync(d, Ct).AsTask(), Ct)));
        for (var i = 0; i < data.Length; i++)
        {
            Assert.Equal(data[i], evidence[i][ReportDataOffset..(ReportDataOffset + 64)]);
        }
    }

    [Fact]
    public void Open_NoAttestationDirectory_ThrowsClearError()
    {
        var e = Assert.Throws<TeeException>(() => SgxTeeProvider.Open(new FakeTeeFileSystem(), Options));
        Assert.Contains($"{Root} does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("Gramine", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("epid")]
    [InlineData("none")]
    public void Open_AttestationTypeNotDcap_Throws(string type)
    {
        var e = Assert.Throws<TeeException>(() => SgxTeeProvider.Open(Gramine(Quote(), type), Options));
        Assert.Contains($"'{type}', not 'dcap'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TargetInfoWrongSize_Throws()
    {
        var e = Assert.Throws<TeeException>(() => SgxTeeProvider.Open(Gramine(Quote(), targetInfo: new byte[100]), Options));
        Assert.Contains("100 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_QuoteFromAnotherEnclave_Throws()
    {
        var quote = Quote();
        var otherTarget = TargetInfo(quote);
        otherTarget[0] ^= 1;
        var provider = SgxTeeProvider.Open(Gramine(quote, targetInfo: otherTarget), Options);
        var e = await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(new byte[64], Ct).AsTask());
        Assert.Contains("differs from this enclave's", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_ShortQuote_Throws()
    {
        var fs = Gramine(Quote());
        var provider = SgxTeeProvider.Open(fs, Options);
        fs.OnRead = path => path == Root + "/quote" ? new byte[100] : null;
        var e = await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(new byte[64], Ct).AsTask());
        Assert.Contains("100 bytes, too short", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_TdxQuoteInsteadOfSgx_Throws()
    {
        var fs = Gramine(Quote());
        var provider = SgxTeeProvider.Open(fs, Options);
        var tdx = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "tdx-quote-v4-phala", "quote.bin"));
        fs.OnRead = path => path == Root + "/quote" ? tdx : null;
        var e = await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(new byte[64], Ct).AsTask());
        Assert.Contains("not v3 with TEE type 0x0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_WriteRefused_ThrowsNamingFile()
    {
        var fs = Gramine(Quote());
        var provider = SgxTeeProvider.Open(fs, Options);
        fs.Files.Remove(Root + "/user_report_data");
        var e = await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(new byte[64], Ct).AsTask());
        Assert.Contains($"cannot write {Root}/user_report_data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_RealFileSystem_ReadsAndWritesFiles()
    {
        // The real ITeeFileSystem over a directory laid out like /dev/attestation (the quote file is static, so it is
        // prepared with the report data the test then asks for).
        var quote = Quote();
        var dir = Directory.CreateTempSubdirectory("tless-gramine-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "attestation_type"), "dcap");
            File.WriteAllBytes(Path.Combine(dir.FullName, "my_target_info"), TargetInfo(quote));
            File.WriteAllBytes(Path.Combine(dir.FullName, "user_report_data"), new byte[64]);
            File.WriteAllBytes(Path.Combine(dir.FullName, "quote"), quote);
            var provider = TeeProviders.Create(TeeKind.Sgx, new TeeProviderOptions { Sgx = new SgxTeeOptions { AttestationPath = dir.FullName } });
            var reportData = quote[ReportDataOffset..(ReportDataOffset + 64)];

            Assert.Equal(quote, await provider.GetEvidenceAsync(reportData, Ct));
            Assert.Equal(reportData, File.ReadAllBytes(Path.Combine(dir.FullName, "user_report_data")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
