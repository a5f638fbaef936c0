using Tless.Attestation;
using Tless.Runtime.Protocol;
using Tless.Testing;
using Tless.Workflows;

namespace Tless.AttestationService.Tests;

/// <summary>Real SEV-SNP evidence (shared fixture) through the service's verifier path.</summary>
public sealed class SnpFixtureTests : IDisposable
{
    private const string FixtureMeasurement = "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f";
    private readonly TestBed bed = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Attest_SnpFixture_VerifiesThenRefusedForNotBindingFreshKeys()
    {
        var vcek = SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der");
        var chain = SharedData.Require("fixtures", "attestation", "amd-roots", "milan_cert_chain_ask_ark.pem");
        var report = await File.ReadAllBytesAsync(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "report.bin"), Ct);
        using var factory = bed.Factory("as1", o => o with { AllowSimulated = false, SimTrustedKeys = [], SnpCertificateFiles = [vcek, chain] });
        using var client = factory.CreateClient();
        var info = Http.Read<AuthorityInfo>(await client.GetStringAsync("/v1/authority", Ct));
        Assert.Equal(["snp"], info.TeeKinds);

        var registration = WithSnp(bed.Registration("wf", [info]), FixtureMeasurement);
        Assert.Equal(200, (await Http.PutAsync(client, "/v1/workflows/wf", bed.Signed(registration), Ct)).Status);
        using var host = bed.Host();
        var request = host.Request(bed.UserToken("wf")) with { Tee = "snp", Evidence = Convert.ToBase64String(report) };

        // Signature chain, TCB and measurement pass; the fixture's report data cannot bind this host's fresh keys.
        var result = await Http.PostAsync(client, "/v1/attest", request, Ct);
        Assert.Equal((403, ProblemCodes.ReportDataMismatch), (result.Status, result.Code));

        var tampered = report.ToArray();
        tampered[21] ^= 0x80;
        result = await Http.PostAsync(client, "/v1/attest", request with { Evidence = Convert.ToBase64String(tampered) }, Ct);
        Assert.Equal((403, ProblemCodes.EvidenceInvalid), (result.Status, result.Code));

        result = await Http.PostAsync(client, "/v1/attest", host.Request(bed.UserToken("wf")), Ct);
        Assert.Equal((403, ProblemCodes.TeeNotAccepted), (result.Status, result.Code));

        Assert.Equal(200, (await Http.PutAsync(client, "/v1/workflows/wf", bed.Signed(WithSnp(bed.Registration("wf", [info], version: 2), new string('1', 96))), Ct)).Status);
        result = await Http.PostAsync(client, "/v1/attest", request, Ct);
        Assert.Equal((403, ProblemCodes.MeasurementMismatch), (result.Status, result.Code));
    }

    private static Registration WithSnp(Registration registration, string measurement) => registration with
    {
        Nodes = [.. registration.Nodes.Select(n => n with { Measurements = [new ReferenceMeasurement { Tee = TeeKind.Snp, Measurement = measurement }] })],
    };
}
