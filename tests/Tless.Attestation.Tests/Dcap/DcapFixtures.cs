using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Dcap;
using Tless.Testing;

namespace Tless.Attestation.Tests.Dcap;

/// <summary>The real Phala quotes and their collateral from ../shared/fixtures/attestation (read-only).</summary>
internal static class DcapFixtures
{
    public const string SgxFolder = "sgx-dcap-quote-v3-phala";
    public const string TdxFolder = "tdx-quote-v4-phala";

    /// <summary>Inside both fixtures' collateral windows.</summary>
    public static readonly DateTimeOffset ValidAt = new(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The day the fixtures were gathered: their CRLs, TCB info and QE identity have expired.</summary>
    public static readonly DateTimeOffset Today = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    public static string Folder(string name) => SharedData.Require("fixtures", "attestation", name);

    public static string CollateralDir(string name) => SharedData.Require("fixtures", "attestation", name, "collateral");

    public static byte[] Quote(string name) => File.ReadAllBytes(SharedData.Require("fixtures", "attestation", name, "quote.bin"));

    public static DcapCollateral Collateral(string name) => DcapCollateral.LoadDirectory(CollateralDir(name));

    public static TeeKind Tee(string name) => name == TdxFolder ? TeeKind.Tdx : TeeKind.Sgx;

    public static DcapVerifier Verifier(string name, DateTimeOffset? at = null, DcapPolicy? policy = null, DcapCollateral? collateral = null) =>
        new(Tee(name), collateral ?? Collateral(name), new FakeTimeProvider(at ?? ValidAt), policy);
}
