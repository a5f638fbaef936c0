using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Sim;
using Tless.Attestation.Snp;
using Tless.Testing;

namespace Tless.Attestation.Tests.Common;

public sealed class EvidenceVerifiersTests
{
    [Theory]
    [InlineData("sim", TeeKind.Sim)]
    [InlineData("SNP", TeeKind.Snp)]
    [InlineData("sev-snp", TeeKind.Snp)]
    [InlineData(" sgx ", TeeKind.Sgx)]
    [InlineData("tdx", TeeKind.Tdx)]
    public void ParseTee_KnownNames_Parse(string name, TeeKind expected) => Assert.Equal(expected, EvidenceVerifiers.ParseTee(name));

    [Fact]
    public void ParseTee_Unknown_Throws() => Assert.Throws<ArgumentException>(() => EvidenceVerifiers.ParseTee("sev"));

    [Fact]
    public void Create_SimWithoutKeys_Throws() =>
        Assert.Throws<ArgumentException>(() => EvidenceVerifiers.Create(TeeKind.Sim, new EvidenceVerifierOptions()));

    [Fact]
    public void Create_SgxWithoutCollateral_Throws() =>
        Assert.Throws<ArgumentException>(() => EvidenceVerifiers.Create(TeeKind.Sgx, new EvidenceVerifierOptions()));

    [Fact]
    public void Create_Sim_VerifiesWithPolicyAndClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero));
        using var tee = SimulatedTee.Create(time);
        var verifier = EvidenceVerifiers.Create(TeeKind.Sim, new EvidenceVerifierOptions { Time = time, SimTrustedKeys = [tee.PublicKey] });

        Assert.Equal(TeeKind.Sim, verifier.Tee);
        Assert.True(verifier.Verify(tee.CreateEvidence(new byte[48], new byte[64])).IsValid);
        Assert.Equal("debug_policy", verifier.Verify(tee.CreateEvidence(new byte[48], new byte[64], debug: true)).FailedCheck);
    }

    [Fact]
    public void Create_SnpFromFilesAndDirectory_Verifies()
    {
        var folder = SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee");
        var options = new EvidenceVerifierOptions
        {
            Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero)),
            CertificateFiles = [SharedData.Require("fixtures", "attestation", "amd-roots", "milan_cert_chain_ask_ark.pem")],
            CollateralDirectory = folder,
        };

        var verifier = EvidenceVerifiers.Create(TeeKind.Snp, options);

        Assert.IsType<SnpEvidenceVerifier>(verifier);
        Assert.True(verifier.Verify(File.ReadAllBytes(Path.Combine(folder, "report.bin"))).IsValid);
    }

    [Fact]
    public void Create_SnpWithMissingFile_ThrowsFormat() =>
        Assert.Throws<TlessFormatException>(() => EvidenceVerifiers.Create(
            TeeKind.Snp, new EvidenceVerifierOptions { CertificateFiles = ["/nonexistent/ark.pem"] }));
}
