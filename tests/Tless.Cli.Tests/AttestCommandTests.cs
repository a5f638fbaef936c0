using System.CommandLine;
using System.Text.Json;
using Tless.Attestation.Sim;
using Tless.Cli.Commands;
using Tless.Testing;

namespace Tless.Cli.Tests;

public sealed class AttestCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("tless-attest-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = TlessCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static string Fixture(string folder, string name) => SharedData.Require("fixtures", "attestation", folder, name);

    [Fact]
    public void Verify_SnpMilanFixture_PrintsValidAndExitsZero()
    {
        var (exit, output, _) = Run("attest", "verify", "--tee", "snp",
            "--evidence", Fixture("snp-milan-v2-virtee", "report.bin"),
            "--cert", Fixture("snp-milan-v2-virtee", "vcek.der"),
            "--chain", Fixture("amd-roots", "milan_cert_chain_ask_ark.pem"),
            "--at", "2026-12-04T00:00:00Z");

        Assert.Equal(0, exit);
        Assert.StartsWith("VALID", output, StringComparison.Ordinal);
        Assert.Contains("bl=3 tee=0 snp=8 ucode=115", output, StringComparison.Ordinal);
        Assert.DoesNotContain("INSECURE", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SnpDebugFixture_InvalidUnlessAllowDebug()
    {
        string[] args = ["attest", "verify", "--tee", "snp",
            "--evidence", Fixture("snp-milan-v2-debug-gosevguest", "report.bin"),
            "--cert", Fixture("snp-milan-v2-debug-gosevguest", "vcek.der"),
            "--chain", Fixture("amd-roots", "milan_cert_chain_ask_ark.pem"),
            "--at", "2026-12-04T00:00:00Z"];

        var refused = Run(args);
        var allowed = Run([.. args, "--allow-debug"]);

        Assert.Equal(1, refused.Exit);
        Assert.StartsWith("INVALID: debug_policy:", refused.Out, StringComparison.Ordinal);
        Assert.Equal(0, allowed.Exit);
    }

    [Fact]
    public void Verify_VlekWithJsonAtPastAndToday_ReportsExpiry()
    {
        string[] args = ["attest", "verify", "--tee", "snp", "--json",
            "--evidence", Fixture("snp-milan-v3-vlek-trustee", "report.bin"),
            "--cert", Fixture("snp-milan-v3-vlek-trustee", "vlek.der"),
            "--chain", Fixture("amd-roots", "milan_vlek_cert_chain_asvk_ark.pem")];

        var past = Run([.. args, "--at", "2025-06-01T00:00:00Z"]);
        var today = Run([.. args, "--at", "2026-12-04T00:00:00Z"]);

        Assert.Equal(0, past.Exit);
        using var doc = JsonDocument.Parse(past.Out);
        Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("VLEK", doc.RootElement.GetProperty("claims").GetProperty("extra").GetProperty("signing_key").GetString());
        Assert.Equal(1, today.Exit);
        using var doc2 = JsonDocument.Parse(today.Out);
        Assert.Equal("cert_validity", doc2.RootElement.GetProperty("failed_check").GetString());
    }

    [Fact]
    public void Verify_SnpCollateralDirectory_Valid()
    {
        File.Copy(Fixture("snp-genoa-v3-azure-trustee", "vcek-genoa.pem"), Path.Combine(_dir.FullName, "vcek.pem"));
        File.Copy(Fixture("amd-roots", "genoa_cert_chain_ask_ark.pem"), Path.Combine(_dir.FullName, "chain.pem"));

        var (exit, output, _) = Run("attest", "verify", "--tee", "snp", "--at", "2026-12-04T00:00:00Z",
            "--evidence", Fixture("snp-genoa-v3-azure-trustee", "hcl_report.bin"), "--collateral", _dir.FullName);

        Assert.Equal(0, exit);
        Assert.Contains("azure_hcl", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SimKeyEvidenceVerify_RoundTrip_ValidAndMarkedInsecure()
    {
        var keys = Run("attest", "sim-key", "--out", _dir.FullName);
        var image = Path.Combine(_dir.FullName, "image.bin");
        File.WriteAllText(image, "host image v1");
        var evidencePath = Path.Combine(_dir.FullName, "evidence.bin");
        var made = Run("attest", "sim-evidence", "--key", Path.Combine(_dir.FullName, "sim-platform.key"), "--image", image,
            "--report-data", "0102", "--out", evidencePath);

        var verified = Run("attest", "verify", "--tee", "sim", "--evidence", evidencePath, "--sim-key", Path.Combine(_dir.FullName, "sim-platform.pub"));
        var json = Run("attest", "verify", "--tee", "sim", "--json", "--evidence", evidencePath, "--sim-key", Path.Combine(_dir.FullName, "sim-platform.pub"));

        Assert.Equal(0, keys.Exit);
        Assert.Equal(0, made.Exit);
        Assert.Equal(0, verified.Exit);
        Assert.StartsWith("*** INSECURE", verified.Out, StringComparison.Ordinal);
        Assert.Contains("VALID (INSECURE)", verified.Out, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SimulatedTee.Measure(File.ReadAllBytes(image))), verified.Out, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.True(doc.RootElement.GetProperty("insecure").GetBoolean());
        Assert.StartsWith("0102000000", doc.RootElement.GetProperty("claims").GetProperty("report_data").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SimWithOtherPlatformKey_InvalidUntrustedKey()
    {
        using var a = SimulatedTee.Create();
        using var b = SimulatedTee.Create();
        var evidence = Path.Combine(_dir.FullName, "e.bin");
        File.WriteAllBytes(evidence, a.CreateEvidence(new byte[48], new byte[64]));
        var pub = Path.Combine(_dir.FullName, "b.pub");
        File.WriteAllText(pub, b.ExportPublicKeyPem());

        var (exit, output, _) = Run("attest", "verify", "--tee", "sim", "--evidence", evidence, "--sim-key", pub);

        Assert.Equal(1, exit);
        Assert.Contains("INVALID: untrusted_key:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_MissingEvidenceFile_ExitsTwoWithMessage()
    {
        var (exit, _, error) = Run("attest", "verify", "--tee", "snp", "--evidence", Path.Combine(_dir.FullName, "nope.bin"));

        Assert.Equal(2, exit);
        Assert.Contains("file not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_BadAtTime_ExitsTwo()
    {
        var evidence = Path.Combine(_dir.FullName, "e.bin");
        File.WriteAllBytes(evidence, new byte[10]);

        var (exit, _, error) = Run("attest", "verify", "--tee", "snp", "--evidence", evidence, "--at", "yesterday-ish");

        Assert.Equal(2, exit);
        Assert.Contains("--at", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_GarbageEvidence_InvalidFormat()
    {
        var evidence = Path.Combine(_dir.FullName, "e.bin");
        File.WriteAllBytes(evidence, new byte[100]);

        var (exit, output, _) = Run("attest", "verify", "--tee", "snp", "--evidence", evidence,
            "--chain", Fixture("amd-roots", "milan_cert_chain_ask_ark.pem"));

        Assert.Equal(1, exit);
        Assert.StartsWith("INVALID: format:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_UnknownTee_ParseError()
    {
        var (exit, _, _) = Run("attest", "verify", "--tee", "sev", "--evidence", "x");

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void Verify_MinTcbAboveReported_InvalidTcbPolicy()
    {
        var (exit, output, _) = Run("attest", "verify", "--tee", "snp", "--at", "2026-12-04T00:00:00Z",
            "--evidence", Fixture("snp-milan-v2-virtee", "report.bin"),
            "--cert", Fixture("snp-milan-v2-virtee", "vcek.der"),
            "--chain", Fixture("amd-roots", "milan_cert_chain_ask_ark.pem"),
            "--min-tcb", "bl=3 tee=0 snp=9 ucode=115");

        Assert.Equal(1, exit);
        Assert.StartsWith("INVALID: tcb_policy:", output, StringComparison.Ordinal);
    }
}
