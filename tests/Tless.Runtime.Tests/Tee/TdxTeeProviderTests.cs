using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation;
using Tless.Runtime.Tee;
using Tless.Testing;

namespace Tless.Runtime.Tests.Tee;

public sealed class TdxTeeProviderTests
{
    private const string Root = "/cfg/tsm/report";
    private const int ReportDataOffset = 48 + 520;
    private const string FixtureMrTd = "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7";

    private static readonly TdxTeeOptions Options = new() { ConfigFsTsmPath = Root };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Quote() => File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "tdx-quote-v4-phala", "quote.bin"));

    private static FakeTeeFileSystem TdxConfigFs(byte[] quote, string provider = "tdx_guest") =>
        FakeTeeFileSystem.ConfigFs(Root, provider, inBlob => FakeTeeFileSystem.WithReportData(quote, ReportDataOffset, inBlob));

    [Fact]
    public void Open_RealQuote_MeasurementIsMrTd()
    {
        var provider = TdxTeeProvider.Open(TdxConfigFs(Quote()), Options);
        Assert.Equal(FixtureMrTd, provider.Measurement);
        Assert.Equal(TeeKind.Tdx, provider.Kind);
        Assert.Equal(FixtureMrTd, TdxTeeProvider.MeasurementOf(Quote()));
    }

    [Fact]
    public async Task GetEvidence_RealQuote_ReturnsQuoteWithoutPaddingAndFollowsTheProtocol()
    {
        var quote = Quote();
        var fs = TdxConfigFs(quote);
        var provider = TdxTeeProvider.Open(fs, Options);
        fs.Log.Clear();

        var evidence = await provider.GetEvidenceAsync(quote[ReportDataOffset..(ReportDataOffset + 64)], Ct);

        // The fixture carries 70 zero bytes after the signature data; the evidence is the quote proper.
        var declared = 48 + 584 + 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(48 + 584));
        Assert.Equal(quote[..declared], evidence);
        Assert.Equal(
            ["mkdir E", "read E/provider", "read E/generation", "write E/inblob 64", "read E/outblob", "read E/generation", "rmdir E"],
            fs.NormalizedLog(Root));
    }

    [Fact]
    public async Task GetEvidence_RealQuote_VerifiesWithDcapCollateral()
    {
        var quote = Quote();
        var provider = TdxTeeProvider.Open(TdxConfigFs(quote), Options);
        var evidence = await provider.GetEvidenceAsync(quote[ReportDataOffset..(ReportDataOffset + 64)], Ct);
        var verifier = EvidenceVerifiers.Create(TeeKind.Tdx, new EvidenceVerifierOptions
        {
            Time = new FakeTimeProvider(new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero)),
            CollateralDirectory = SharedData.Require("fixtures", "attestation", "tdx-quote-v4-phala", "collateral"),
        });

        var result = verifier.Verify(evidence);
        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(provider.Measurement, result.Claims!.Measurement);
    }

    [Fact]
    public void Open_WrongProvider_Throws()
    {
        var fs = TdxConfigFs(Quote(), provider: "sev_guest");
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(fs, Options));
        Assert.Contains("'sev_guest', not 'tdx_guest'", e.Message, StringComparison.Ordinal);
        Assert.Equal(["mkdir E", "read E/provider", "rmdir E"], fs.NormalizedLog(Root));
    }

    [Fact]
    public void Open_NoConfigFs_ThrowsClearError()
    {
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(new FakeTeeFileSystem(), Options));
        Assert.Contains($"configfs-tsm is not available: {Root} does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ShortOutblob_ThrowsSayingShort()
    {
        var fs = FakeTeeFileSystem.ConfigFs(Root, "tdx_guest", _ => Quote()[..600]);
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(fs, Options));
        Assert.Contains("600 bytes, too short", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedSignatureData_ThrowsSayingShort()
    {
        var fs = FakeTeeFileSystem.ConfigFs(Root, "tdx_guest", inBlob => FakeTeeFileSystem.WithReportData(Quote()[..2000], ReportDataOffset, inBlob));
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(fs, Options));
        Assert.Contains("(short)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TrailingGarbage_ThrowsSayingOversized()
    {
        var fs = FakeTeeFileSystem.ConfigFs(Root, "tdx_guest", inBlob => FakeTeeFileSystem.WithReportData([.. Quote(), 0xFF], ReportDataOffset, inBlob));
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(fs, Options));
        Assert.Contains("oversized", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HugeOutblob_ThrowsSayingOversized()
    {
        var fs = FakeTeeFileSystem.ConfigFs(Root, "tdx_guest", _ => new byte[70_000]);
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(fs, Options));
        Assert.Contains("70000 bytes, oversized", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SgxQuoteInsteadOfTdx_ThrowsNamingVersionAndType()
    {
        var sgx = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "sgx-dcap-quote-v3-phala", "quote.bin"));
        var fs = FakeTeeFileSystem.ConfigFs(Root, "tdx_guest", _ => sgx);
        var e = Assert.Throws<TeeException>(() => TdxTeeProvider.Open(fs, Options));
        Assert.Contains("quote v3 with TEE type 0x0, not v4 with TEE type 0x81", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_ReportDataNotEchoed_Throws()
    {
        var quote = Quote();
        var fs = TdxConfigFs(quote);
        var provider = TdxTeeProvider.Open(fs, Options);
        fs.OnRead = path => path.EndsWith("/outblob", StringComparison.Ordinal) ? quote : null;
        var data = new byte[64];
        data[0] = 1;
        await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(data, Ct).AsTask());
    }
}
