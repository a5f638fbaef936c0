using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation;
using Tless.Attestation.Snp;
using Tless.Runtime.Tee;
using Tless.Testing;

namespace Tless.Runtime.Tests.Tee;

public sealed class SnpTeeProviderTests
{
    private const string Root = "/cfg/tsm/report";
    private const int ReportDataOffset = 0x50;

    private static readonly SnpTeeOptions Options = new() { ConfigFsTsmPath = Root, SevGuestDevicePath = "/dev/sev-guest-fake" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Fixture(string folder) => File.ReadAllBytes(SharedData.Require("fixtures", "attestation", folder, "report.bin"));

    /// <summary>A sev_guest configfs whose outblob is the real report with the requested report data patched in.</summary>
    private static FakeTeeFileSystem SnpConfigFs(byte[] report, byte[]? auxBlob = null, string provider = "sev_guest") =>
        FakeTeeFileSystem.ConfigFs(Root, provider, inBlob => FakeTeeFileSystem.WithReportData(report, ReportDataOffset, inBlob), auxBlob);

    private static byte[] ReportDataOf(byte[] report) => report[ReportDataOffset..(ReportDataOffset + 64)];

    [Theory]
    [InlineData("snp-milan-v2-virtee", "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f")]
    [InlineData("snp-milan-v2-debug-gosevguest", "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01")]
    [InlineData("snp-milan-v3-vlek-trustee", "8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0")]
    [InlineData("snp-genoa-v3-azure-trustee", "f57dc09a507c6ecd82369bffb600f0003792f4d99bc26e985ec0c266fc34faf3706faf814c9e61065768a6ff917c89ae")]
    public void Open_ConfigFsWithRealReport_MeasurementIsReportMeasurementField(string folder, string expected)
    {
        var provider = SnpTeeProvider.Open(SnpConfigFs(Fixture(folder)), null, Options);
        Assert.Equal(expected, provider.Measurement);
        Assert.Equal(TeeKind.Snp, provider.Kind);
        Assert.Equal(Root, provider.Interface);
        Assert.Equal(expected, SnpTeeProvider.MeasurementOf(Fixture(folder)));
    }

    [Fact]
    public async Task GetEvidence_ConfigFs_ReturnsRealReportAndFollowsTheProtocol()
    {
        var report = Fixture("snp-milan-v2-virtee");
        var fs = SnpConfigFs(report);
        var provider = SnpTeeProvider.Open(fs, null, Options);
        fs.Log.Clear();

        var evidence = await provider.GetEvidenceAsync(ReportDataOf(report), Ct);

        // The fixture's own report data gives back the fixture's exact bytes.
        Assert.Equal(report, evidence);
        Assert.Equal(
            ["mkdir E", "read E/provider", "read E/generation", "write E/inblob 64", "read E/outblob", "read E/generation", "rmdir E"],
            fs.NormalizedLog(Root));
        Assert.Equal([Root], fs.Directories);
    }

    [Fact]
    public async Task GetEvidence_PrivilegeLevel_WrittenAfterInblob()
    {
        var report = Fixture("snp-milan-v2-virtee");
        var fs = SnpConfigFs(report);
        var provider = SnpTeeProvider.Open(fs, null, Options with { PrivilegeLevel = 2 });
        fs.Log.Clear();
        string? privlevel = null;
        var inner = fs.OnWrite!;
        fs.OnWrite = (path, data) =>
        {
            if (path.EndsWith("/privlevel", StringComparison.Ordinal))
            {
                privlevel = System.Text.Encoding.ASCII.GetString(data);
            }

            inner(path, data);
        };

        await provider.GetEvidenceAsync(ReportDataOf(report), Ct);
        Assert.Equal("2\n", privlevel);
        Assert.Equal(
            ["mkdir E", "read E/provider", "read E/generation", "write E/inblob 64", "write E/privlevel 2", "read E/outblob", "read E/generation", "rmdir E"],
            fs.NormalizedLog(Root));
    }

    [Fact]
    public async Task GetEvidence_Auxblob_AppendsCertificateTableThatParses()
    {
        var report = Fixture("snp-milan-v2-virtee");
        var vcek = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der"));
        var table = CertificateTable(vcek);
        var fs = SnpConfigFs(report, table);
        var provider = SnpTeeProvider.Open(fs, null, Options);

        var evidence = await provider.GetEvidenceAsync(ReportDataOf(report), Ct);

        Assert.Equal([.. report, .. table], evidence);
        var certificate = Assert.Single(SnpCertTable.Parse(evidence.AsSpan(SnpReport.Size)));
        Assert.Equal(SnpCertTable.Vcek, certificate.Type);
        Assert.Equal(vcek, certificate.Der);
        Assert.Contains("read E/auxblob", fs.NormalizedLog(Root));

        var without = SnpTeeProvider.Open(SnpConfigFs(report, table), null, Options with { IncludeCertificates = false });
        Assert.Equal(report, await without.GetEvidenceAsync(ReportDataOf(report), Ct));
    }

    [Fact]
    public async Task GetEvidence_WithCertificateTable_VerifiesWithOnlyPinnedRootsInCollateral()
    {
        // The evidence format is the one the attestation service verifies: with the VCEK in the auxblob, the verifier
        // needs only the ARK/ASK chain; without it, the VCEK is missing.
        var report = Fixture("snp-milan-v2-virtee");
        var vcek = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der"));
        var verifier = EvidenceVerifiers.Create(TeeKind.Snp, new EvidenceVerifierOptions
        {
            Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero)),
            CertificateFiles = [SharedData.Require("fixtures", "attestation", "amd-roots", "milan_cert_chain_ask_ark.pem")],
        });

        var with = SnpTeeProvider.Open(SnpConfigFs(report, CertificateTable(vcek)), null, Options);
        var result = verifier.Verify(await with.GetEvidenceAsync(ReportDataOf(report), Ct));
        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(with.Measurement, result.Claims!.Measurement);

        var without = SnpTeeProvider.Open(SnpConfigFs(report), null, Options);
        Assert.False(verifier.Verify(await without.GetEvidenceAsync(ReportDataOf(report), Ct)).IsValid);
    }

    [Fact]
    public void Open_MalformedAuxblob_ThrowsTeeException()
    {
        var report = Fixture("snp-milan-v2-virtee");
        var fs = SnpConfigFs(report, [1, 2, 3]);
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(fs, null, Options));
        Assert.Contains("auxblob", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_GenerationChangedDuringRead_RetriesAndSucceeds()
    {
        var report = Fixture("snp-milan-v3-vlek-trustee");
        var fs = SnpConfigFs(report);
        var provider = SnpTeeProvider.Open(fs, null, Options);
        fs.Log.Clear();
        var interfered = false;
        var inner = fs.OnRead!;
        fs.OnRead = path =>
        {
            if (!interfered && path.EndsWith("/outblob", StringComparison.Ordinal))
            {
                // Another writer slips in between our inblob write and our outblob read.
                interfered = true;
                fs.BumpGeneration(path[..path.LastIndexOf('/')]);
            }

            return inner(path);
        };

        Assert.Equal(report, await provider.GetEvidenceAsync(ReportDataOf(report), Ct));
        Assert.Equal(
            [
                "mkdir E", "read E/provider",
                "read E/generation", "write E/inblob 64", "read E/outblob", "read E/generation",
                "read E/generation", "write E/inblob 64", "read E/outblob", "read E/generation",
                "rmdir E",
            ],
            fs.NormalizedLog(Root));
    }

    [Fact]
    public void GetEvidence_GenerationAlwaysChanging_GivesUpWithClearError()
    {
        var report = Fixture("snp-milan-v2-virtee");
        var fs = SnpConfigFs(report);
        var inner = fs.OnRead!;
        fs.OnRead = path =>
        {
            if (path.EndsWith("/outblob", StringComparison.Ordinal))
            {
                fs.BumpGeneration(path[..path.LastIndexOf('/')]);
            }

            return inner(path);
        };

        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(fs, null, Options));
        Assert.Contains($"each of {ConfigFsTsm.MaxAttempts} attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal(ConfigFsTsm.MaxAttempts, fs.Log.Count(l => l.StartsWith("write ", StringComparison.Ordinal)));
        Assert.Equal([Root], fs.Directories);
    }

    [Fact]
    public void Open_NoInterface_ThrowsNamingBothPaths()
    {
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(new FakeTeeFileSystem(), new FakeSevGuest(null), Options));
        Assert.Contains(Root, e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/sev-guest-fake", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WrongProvider_ThrowsAndRemovesEntry()
    {
        var fs = SnpConfigFs(Fixture("snp-milan-v2-virtee"), provider: "tdx_guest");
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(fs, null, Options));
        Assert.Contains("'tdx_guest', not 'sev_guest'", e.Message, StringComparison.Ordinal);
        Assert.Equal(["mkdir E", "read E/provider", "rmdir E"], fs.NormalizedLog(Root));
        Assert.DoesNotContain(fs.Log, l => l.Contains("inblob", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1000, "short")]
    [InlineData(0x4A0 + 16, "oversized")]
    public void Open_OutblobWrongSize_ThrowsSayingSo(int size, string expected)
    {
        var report = Fixture("snp-milan-v2-virtee");
        var fs = FakeTeeFileSystem.ConfigFs(Root, "sev_guest", inBlob =>
        {
            var blob = new byte[size];
            report.AsSpan(0, Math.Min(size, report.Length)).CopyTo(blob);
            inBlob.CopyTo(blob, ReportDataOffset);
            return blob;
        });
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(fs, null, Options));
        Assert.Contains($"{size} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal([Root], fs.Directories);
    }

    [Fact]
    public void Open_EmptyOutblob_ThrowsTeeException()
    {
        var fs = FakeTeeFileSystem.ConfigFs(Root, "sev_guest", _ => []);
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(fs, null, Options));
        Assert.Contains("empty outblob", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BadReportVersion_ThrowsMalformed()
    {
        var report = Fixture("snp-milan-v2-virtee");
        BinaryPrimitives.WriteUInt32LittleEndian(report, 9);
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(SnpConfigFs(report), null, Options));
        Assert.Contains("unsupported version 9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_ReportDataNotEchoed_Throws()
    {
        // A broken or hostile interface answers with a stale report: its report data is not ours.
        var report = Fixture("snp-milan-v2-virtee");
        var fs = SnpConfigFs(report);
        var provider = SnpTeeProvider.Open(fs, null, Options);
        fs.OnRead = path => path.EndsWith("/outblob", StringComparison.Ordinal) ? report : null;
        var e = await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(new byte[64], Ct).AsTask());
        Assert.Contains("not the", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidence_MeasurementChanged_Throws()
    {
        var report = Fixture("snp-milan-v2-virtee");
        var other = Fixture("snp-milan-v3-vlek-trustee");
        var fs = SnpConfigFs(report);
        var provider = SnpTeeProvider.Open(fs, null, Options);
        fs.OnRead = path => path.EndsWith("/outblob", StringComparison.Ordinal)
            ? FakeTeeFileSystem.WithReportData(other, ReportDataOffset, fs.Files[path[..^"outblob".Length] + "inblob"])
            : null;
        var e = await Assert.ThrowsAsync<TeeException>(() => provider.GetEvidenceAsync(new byte[64], Ct).AsTask());
        Assert.Contains("differs from this guest's", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public async Task GetEvidence_ReportDataWrongLength_ThrowsArgumentException(int length)
    {
        var report = Fixture("snp-milan-v2-virtee");
        var provider = SnpTeeProvider.Open(SnpConfigFs(report), null, Options);
        await Assert.ThrowsAsync<ArgumentException>(() => provider.GetEvidenceAsync(new byte[length], Ct).AsTask());
    }

    [Fact]
    public void Open_EntryCannotBeCreated_ThrowsNamingPath()
    {
        var fs = SnpConfigFs(Fixture("snp-milan-v2-virtee"));
        fs.FailCreateDirectory = new UnauthorizedAccessException("Permission denied");
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(fs, null, Options));
        Assert.Contains(Root + "/tless-", e.Message, StringComparison.Ordinal);
        Assert.Contains("Permission denied", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BadPrivilegeLevel_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => SnpTeeProvider.Open(new FakeTeeFileSystem(), null, Options with { PrivilegeLevel = 4 }));

    [Fact]
    public async Task GetEvidence_DeviceFallback_SendsRequestAndUnwrapsResponse()
    {
        var report = Fixture("snp-milan-v2-debug-gosevguest");
        var device = new FakeSevGuest(request => Response(0, FakeTeeFileSystem.WithReportData(report, ReportDataOffset, request[..64])));
        var provider = SnpTeeProvider.Open(new FakeTeeFileSystem(), device, Options with { PrivilegeLevel = 1 });
        Assert.Equal("/dev/sev-guest-fake", provider.Interface);
        Assert.Equal(SnpTeeProvider.MeasurementOf(report), provider.Measurement);

        var evidence = await provider.GetEvidenceAsync(ReportDataOf(report), Ct);
        Assert.Equal(report, evidence);
        var request = device.Requests[^1];
        Assert.Equal(SevGuestReport.RequestSize, request.Length);
        Assert.Equal(ReportDataOf(report), request[..64]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(64)));
        Assert.All(request[68..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Open_DeviceFirmwareError_ThrowsWithStatus()
    {
        var device = new FakeSevGuest(_ => Response(0x16, new byte[SnpReport.Size]));
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(new FakeTeeFileSystem(), device, Options));
        Assert.Contains("status 0x16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DeviceResponseClaimsTooMuch_ThrowsTeeException()
    {
        var device = new FakeSevGuest(_ =>
        {
            var response = Response(0, new byte[SnpReport.Size]);
            BinaryPrimitives.WriteUInt32LittleEndian(response.AsSpan(4), 5000);
            return response;
        });
        var e = Assert.Throws<TeeException>(() => SnpTeeProvider.Open(new FakeTeeFileSystem(), device, Options));
        Assert.Contains("5000-byte report", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SevGuestDevice_IoctlNumber_MatchesKernelHeader()
    {
        // SNP_GET_REPORT = _IOWR('S', 0x0, struct snp_guest_request_ioctl) in include/uapi/linux/sev-guest.h.
        var field = typeof(SevGuestDevice).GetField("SnpGetReport", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        Assert.Equal(0xC0205300u, (uint)field!.GetValue(null)!);
    }

    private static byte[] Response(uint status, byte[] report)
    {
        var response = new byte[SevGuestReport.ResponseSize];
        BinaryPrimitives.WriteUInt32LittleEndian(response, status);
        BinaryPrimitives.WriteUInt32LittleEndian(response.AsSpan(4), (uint)report.Length);
        report.CopyTo(response, 32);
        return response;
    }

    private static byte[] CertificateTable(byte[] vcek)
    {
        // One entry (GUID, offset, length), the all-zero terminator, then the certificate.
        var table = new byte[48 + vcek.Length];
        SnpCertTable.Vcek.TryWriteBytes(table, bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(16), 48);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(20), (uint)vcek.Length);
        vcek.CopyTo(table, 48);
        return table;
    }

    private sealed class FakeSevGuest(Func<byte[], byte[]>? respond) : ISevGuestDevice
    {
        public List<byte[]> Requests { get; } = [];

        public string Path => "/dev/sev-guest-fake";

        public bool Exists => respond is not null;

        public byte[] GetReport(ReadOnlySpan<byte> request)
        {
            Requests.Add(request.ToArray());
            return respond!(request.ToArray());
        }
    }
}
