using System.Text;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Dcap;
using static Tless.Attestation.Tests.Dcap.DcapFixtures;

namespace Tless.Attestation.Tests.Dcap;

public sealed class DcapCollateralTests
{
    private static readonly string[] Files =
    [
        "tcb_info.json", "tcb_info.signature.hex", "tcb_info_issuer_chain.pem", "qe_identity.json", "qe_identity.signature.hex",
        "qe_identity_issuer_chain.pem", "pck_crl.der", "pck_crl_issuer_chain.pem", "root_ca_crl.der",
    ];

    public static TheoryData<string> FileNames() => [.. Files];

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void LoadDirectory_Fixture_HoldsTheSignedBytesExactly(string folder)
    {
        var dir = CollateralDir(folder);

        var c = DcapCollateral.LoadDirectory(dir);

        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "tcb_info.json")), c.TcbInfo.ToArray());
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "qe_identity.json")), c.QeIdentity.ToArray());
        Assert.Equal(64, c.TcbInfoSignature.Length);
        Assert.Equal(64, c.QeIdentitySignature.Length);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "root_ca_crl.der")), c.RootCaCrl.ToArray());
    }

    [Theory]
    [InlineData(SgxFolder)]
    [InlineData(TdxFolder)]
    public void LoadDirectory_OnlyPcsEnvelopes_CutsOutTheSameSignedBytes(string folder)
    {
        using var dir = new TempDir(CollateralDir(folder));
        foreach (var name in new[] { "tcb_info.json", "tcb_info.signature.hex", "qe_identity.json", "qe_identity.signature.hex" })
        {
            File.Delete(Path.Combine(dir.Path, name));
        }

        var fromEnvelope = DcapCollateral.LoadDirectory(dir.Path);
        var split = Collateral(folder);

        Assert.Equal(split.TcbInfo.ToArray(), fromEnvelope.TcbInfo.ToArray());
        Assert.Equal(split.TcbInfoSignature.ToArray(), fromEnvelope.TcbInfoSignature.ToArray());
        Assert.Equal(split.QeIdentity.ToArray(), fromEnvelope.QeIdentity.ToArray());
        Assert.True(Verifier(folder, collateral: fromEnvelope).Verify(Quote(folder)).IsValid);
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void LoadDirectory_CorruptFile_ThrowsNamingTheFile(string name)
    {
        using var dir = new TempDir(CollateralDir(SgxFolder));
        var path = Path.Combine(dir.Path, name);
        var bytes = File.ReadAllBytes(path);
        // keep the first third: JSON and PEM lose their end, DER its structure, hex its length
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);

        var e = Assert.Throws<TlessFormatException>(() => DcapCollateral.LoadDirectory(dir.Path));

        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public void LoadDirectory_MissingFile_ThrowsNamingTheFile(string name)
    {
        using var dir = new TempDir(CollateralDir(TdxFolder));
        File.Delete(Path.Combine(dir.Path, name));
        if (name.StartsWith("tcb_info", StringComparison.Ordinal) || name.StartsWith("qe_identity", StringComparison.Ordinal))
        {
            // with the split file gone the envelope would be used instead
            File.Delete(Path.Combine(dir.Path, "pcs_tcb_info_response.json"));
            File.Delete(Path.Combine(dir.Path, "pcs_qe_identity_response.json"));
        }

        var e = Assert.Throws<TlessFormatException>(() => DcapCollateral.LoadDirectory(dir.Path));

        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_TcbInfoMissingField_ThrowsNamingFileAndField()
    {
        using var dir = new TempDir(CollateralDir(SgxFolder));
        var path = Path.Combine(dir.Path, "tcb_info.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"fmspc\"", "\"fmspx\"", StringComparison.Ordinal));

        var e = Assert.Throws<TlessFormatException>(() => DcapCollateral.LoadDirectory(dir.Path));

        Assert.Contains("tcb_info.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'fmspc'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_NoSuchDirectory_Throws()
    {
        var e = Assert.Throws<TlessFormatException>(() => DcapCollateral.LoadDirectory("/nonexistent/dcap"));

        Assert.Contains("/nonexistent/dcap", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_CollateralWithMalformedJson_FailsCollateralCheck()
    {
        var c = Collateral(SgxFolder) with { QeIdentity = [.. Encoding.UTF8.GetBytes("{\"id\":\"QE\"")] };

        var result = Verifier(SgxFolder, collateral: c).Verify(Quote(SgxFolder));

        Assert.Equal("collateral", result.FailedCheck);
        Assert.Contains("QE identity", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NonDcapTee_ThrowsArgumentException()
    {
        var c = Collateral(SgxFolder);

        Assert.Throws<ArgumentException>(() => new DcapVerifier(TeeKind.Snp, c, new FakeTimeProvider()));
    }

    [Fact]
    public void Policy_Default_AcceptsTheFourPatchedStatusesOnly()
    {
        Assert.Equal(
            ["ConfigurationAndSWHardeningNeeded", "ConfigurationNeeded", "SWHardeningNeeded", "UpToDate"],
            DcapPolicy.Production.AcceptedStatuses.Order(StringComparer.Ordinal).ToArray());
        Assert.False(DcapPolicy.Production.AllowDebug);
    }

    [Theory]
    [InlineData(SgxFolder, "UpToDate")]
    [InlineData(TdxFolder, "SWHardeningNeeded")]
    public void Verify_StatusNotInAcceptedSet_FailsTcbStatusWithClaims(string folder, string onlyAccepted)
    {
        var policy = new DcapPolicy { AcceptedStatuses = new HashSet<string> { onlyAccepted } };

        var result = Verifier(folder, policy: policy).Verify(Quote(folder));

        Assert.Equal("tcb_status", result.FailedCheck);
        Assert.Equal(folder == SgxFolder ? "ConfigurationAndSWHardeningNeeded" : "UpToDate", result.Claims!.Status);
    }

    private sealed class TempDir : IDisposable
    {
        public TempDir(string copyFrom)
        {
            Path = Directory.CreateTempSubdirectory("tless-dcap-").FullName;
            foreach (var file in Directory.GetFiles(copyFrom))
            {
                var target = System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file));
                File.Copy(file, target);
                File.SetAttributes(target, FileAttributes.Normal);
            }
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
