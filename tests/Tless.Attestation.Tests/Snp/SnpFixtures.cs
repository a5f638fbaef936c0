using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Snp;
using Tless.Testing;

namespace Tless.Attestation.Tests.Snp;

/// <summary>Paths and helpers for the SEV-SNP fixtures in ../shared/fixtures/attestation.</summary>
internal static class SnpFixtures
{
    public static readonly DateTimeOffset Today = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset VlekValidAt = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static string File(string folder, string name) => SharedData.Require("fixtures", "attestation", folder, name);

    public static byte[] Bytes(string folder, string name) => System.IO.File.ReadAllBytes(File(folder, name));

    public static string MilanChain => File("amd-roots", "milan_cert_chain_ask_ark.pem");

    public static string GenoaChain => File("amd-roots", "genoa_cert_chain_ask_ark.pem");

    public static string MilanVlekChain => File("amd-roots", "milan_vlek_cert_chain_asvk_ark.pem");

    public static SnpCollateral Collateral(params string[] files) => SnpCollateral.FromFiles(files);

    public static SnpEvidenceVerifier Verifier(SnpCollateral collateral, DateTimeOffset? at = null, VerifierPolicy? policy = null) =>
        new(collateral, new FakeTimeProvider(at ?? Today), policy);

    public static (byte[] Report, SnpEvidenceVerifier Verifier) MilanVirtee(DateTimeOffset? at = null, VerifierPolicy? policy = null) =>
        (Bytes("snp-milan-v2-virtee", "report.bin"),
         Verifier(Collateral(File("snp-milan-v2-virtee", "vcek.der"), MilanChain), at, policy));
}
