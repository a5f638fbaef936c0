using System.Security.Cryptography;
using Tless.Attestation.Common;

namespace Tless.Attestation.Sim;

/// <summary>
/// Verifies <see cref="SimEvidence"/> against trusted simulation public keys. Valid results carry
/// <see cref="AttestationClaims.Insecure"/> = true. Failed checks: <c>format</c>, <c>untrusted_key</c>,
/// <c>signature</c>, <c>timestamp</c> (too far in the future), <c>evidence_age</c>, <c>debug_policy</c>.
/// Thread-safe.
/// </summary>
public sealed class SimEvidenceVerifier : IEvidenceVerifier
{
    private readonly Dictionary<string, EcdsaKeyPool> _trusted = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly VerifierPolicy _policy;

    /// <param name="trustedPublicKeys">SubjectPublicKeyInfo DER (or PEM) of each trusted simulated platform.</param>
    /// <param name="time">The clock for timestamp checks.</param>
    /// <param name="policy">Debug and age policy; production by default.</param>
    public SimEvidenceVerifier(IEnumerable<byte[]> trustedPublicKeys, TimeProvider time, VerifierPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(trustedPublicKeys);
        ArgumentNullException.ThrowIfNull(time);
        foreach (var k in trustedPublicKeys)
        {
            ArgumentNullException.ThrowIfNull(k, nameof(trustedPublicKeys));
            var spki = SimulatedTee.ReadPublicKey(k);
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            _trusted[Hex.Lower(SHA256.HashData(spki))] = new EcdsaKeyPool(ecdsa.ExportParameters(false));
        }

        _time = time;
        _policy = policy ?? VerifierPolicy.Production;
    }

    public TeeKind Tee => TeeKind.Sim;

    public VerificationResult Verify(ReadOnlySpan<byte> evidence)
    {
        SimEvidence parsed;
        try
        {
            parsed = SimEvidence.Parse(evidence);
        }
        catch (TlessFormatException ex)
        {
            return VerificationResult.Fail("format", ex.Message);
        }

        var claims = parsed.ToClaims();
        var keyId = claims.Extra["key_id"];
        if (!_trusted.TryGetValue(keyId, out var key))
        {
            return VerificationResult.Fail("untrusted_key", $"evidence is signed by simulation key {keyId}, which is not trusted", claims);
        }

        if (!key.Verify(evidence[..SimEvidence.SignedSize], parsed.Signature.AsSpan(), HashAlgorithmName.SHA256))
        {
            return VerificationResult.Fail("signature", "the ECDSA P-256 signature over the evidence does not verify", claims);
        }

        var now = _time.GetUtcNow();
        if (parsed.Timestamp > now + _policy.ClockSkew)
        {
            return VerificationResult.Fail("timestamp", $"evidence timestamp {parsed.Timestamp:O} is in the future (now {now:O})", claims);
        }

        if (_policy.MaxEvidenceAge is { } maxAge && now - parsed.Timestamp > maxAge)
        {
            return VerificationResult.Fail("evidence_age", $"evidence from {parsed.Timestamp:O} is older than {maxAge} (now {now:O})", claims);
        }

        if (parsed.Debug && !_policy.AllowDebug)
        {
            return VerificationResult.Fail("debug_policy", "evidence comes from a debug environment and the policy forbids debug", claims);
        }

        return VerificationResult.Valid(claims);
    }
}
