using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Tless.Attestation.Sim;

namespace Tless.Attestation.Tests.Sim;

public sealed class SimEvidenceVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly SimulatedTee _tee;

    public SimEvidenceVerifierTests() => _tee = SimulatedTee.Create(_time);

    public void Dispose() => _tee.Dispose();

    private static byte[] ReportData(byte seed) => Enumerable.Range(0, 64).Select(i => (byte)(i + seed)).ToArray();

    private SimEvidenceVerifier Verifier(VerifierPolicy? policy = null) => new([_tee.PublicKey], _time, policy);

    [Fact]
    public void Verify_RoundTrip_ValidWithInsecureClaims()
    {
        var measurement = SimulatedTee.Measure("host-image-v1"u8);
        var evidence = _tee.CreateEvidence(measurement, ReportData(7));

        var result = Verifier().Verify(evidence);

        Assert.True(result.IsValid, result.Detail);
        var c = result.Claims!;
        Assert.Equal(TeeKind.Sim, c.Tee);
        Assert.True(c.Insecure);
        Assert.False(c.Debug);
        Assert.Equal(Convert.ToHexStringLower(SHA384.HashData("host-image-v1"u8)), c.Measurement);
        Assert.Equal(ReportData(7), c.ReportData.ToArray());
        Assert.Equal(Convert.ToHexStringLower(_tee.KeyId), c.Extra["key_id"]);
        Assert.Equal("true", c.Extra["insecure"]);
        Assert.Equal(SimEvidence.Size, evidence.Length);
    }

    [Fact]
    public void Verify_ForgedSignature_FailsSignature()
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(1));
        evidence[SimEvidence.SignedSize + 5] ^= 0x01;

        var result = Verifier().Verify(evidence);

        Assert.Equal("signature", result.FailedCheck);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void Verify_ReportDataChangedAfterSigning_FailsSignature()
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(1));
        evidence[0x48] ^= 0x80;

        Assert.Equal("signature", Verifier().Verify(evidence).FailedCheck);
    }

    [Fact]
    public void Verify_UntrustedKey_FailsUntrustedKey()
    {
        using var other = SimulatedTee.Create(_time);
        var evidence = other.CreateEvidence(new byte[48], ReportData(2));

        var result = Verifier().Verify(evidence);

        Assert.Equal("untrusted_key", result.FailedCheck);
    }

    [Fact]
    public void Verify_KeyIdSwappedToTrustedKey_FailsSignature()
    {
        // An attacker with their own key claims to be the trusted platform by writing its key id.
        using var attacker = SimulatedTee.Create(_time);
        var evidence = attacker.CreateEvidence(new byte[48], ReportData(2));
        _tee.KeyId.CopyTo(evidence, 0x88);

        Assert.Equal("signature", Verifier().Verify(evidence).FailedCheck);
    }

    [Fact]
    public void Verify_DebugEvidence_RefusedUnlessAllowed()
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(3), debug: true);

        var refused = Verifier().Verify(evidence);
        var allowed = Verifier(new VerifierPolicy { AllowDebug = true }).Verify(evidence);

        Assert.Equal("debug_policy", refused.FailedCheck);
        Assert.True(refused.Claims!.Debug);
        Assert.True(allowed.IsValid, allowed.Detail);
        Assert.True(allowed.Claims!.Debug);
    }

    [Fact]
    public void Verify_FutureTimestamp_FailsTimestamp()
    {
        using var ahead = SimulatedTee.ImportPrivateKey(_tee.ExportPrivateKey(), new FakeTimeProvider(Now.AddHours(1)));
        var evidence = ahead.CreateEvidence(new byte[48], ReportData(4));

        Assert.Equal("timestamp", Verifier().Verify(evidence).FailedCheck);
    }

    [Fact]
    public void Verify_OlderThanMaxAge_FailsEvidenceAge()
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(4));
        _time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal("evidence_age", Verifier(new VerifierPolicy { MaxEvidenceAge = TimeSpan.FromMinutes(10) }).Verify(evidence).FailedCheck);
        Assert.True(Verifier().Verify(evidence).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(231)]
    [InlineData(233)]
    [InlineData(1000)]
    public void Verify_WrongLength_FailsFormat(int length)
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(5));
        var resized = new byte[length];
        Array.Copy(evidence, resized, Math.Min(length, evidence.Length));

        var result = Verifier().Verify(resized);

        Assert.Equal("format", result.FailedCheck);
        Assert.Contains("232", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_UnknownFlag_FailsFormat()
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(5));
        evidence[0x0C] |= 0x02;

        Assert.Equal("format", Verifier().Verify(evidence).FailedCheck);
    }

    [Fact]
    public void ImportPrivateKey_ExportedKey_ProducesEvidenceTrustedUnderSameKey()
    {
        using var restored = SimulatedTee.ImportPrivateKey(_tee.ExportPrivateKey(), _time);
        using var fromPem = SimulatedTee.ImportPrivateKeyPem(_tee.ExportPrivateKeyPem(), _time);

        Assert.Equal(_tee.PublicKey, restored.PublicKey);
        Assert.True(Verifier().Verify(restored.CreateEvidence(new byte[48], ReportData(6))).IsValid);
        Assert.True(Verifier().Verify(fromPem.CreateEvidence(new byte[48], ReportData(6))).IsValid);
    }

    [Fact]
    public void ReadPublicKey_Pem_EqualsDer()
    {
        Assert.Equal(_tee.PublicKey, SimulatedTee.ReadPublicKey(System.Text.Encoding.ASCII.GetBytes(_tee.ExportPublicKeyPem())));
    }

    [Fact]
    public void ReadPublicKey_P384Key_Throws()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => SimulatedTee.ReadPublicKey(p384.ExportSubjectPublicKeyInfo()));
        Assert.Throws<ArgumentException>(() => SimulatedTee.ReadPublicKey("garbage"u8));
    }

    [Fact]
    public void CreateEvidence_WrongSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => _tee.CreateEvidence(new byte[32], new byte[64]));
        Assert.Throws<ArgumentException>(() => _tee.CreateEvidence(new byte[48], new byte[32]));
    }

    [Property(MaxTest = 200)]
    public void Verify_RandomBytes_FailsWithoutThrowing(byte[] bytes)
    {
        var result = Verifier().Verify(bytes ?? []);
        Assert.False(result.IsValid);
    }

    [Property(MaxTest = 300)]
    public Property Verify_AnySingleBitFlip_Fails(PositiveInt position)
    {
        var evidence = _tee.CreateEvidence(new byte[48], ReportData(9));
        var bit = position.Get % (evidence.Length * 8);
        evidence[bit / 8] ^= (byte)(1 << (bit % 8));
        return (!Verifier().Verify(evidence).IsValid).Label($"bit {bit}");
    }
}
