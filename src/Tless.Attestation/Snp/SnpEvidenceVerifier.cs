using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tless.Attestation.Common;

namespace Tless.Attestation.Snp;

/// <summary>
/// Verifies AMD SEV-SNP evidence: a raw 1184-byte attestation report (versions 2 to 5), the report followed by the
/// host's certificate table (<see cref="SnpCertTable"/>; the certificates join the collateral, the ARK stays pinned),
/// or an Azure HCL report that wraps one. Checks, in order (the failed check's name in brackets): structure [format], signing key [signing_key],
/// a VCEK/VLEK for the report in the collateral [collateral], the certificate chain to a pinned ARK with RSA-PSS
/// SHA-384 [cert_chain], certificate validity at the injected clock [cert_validity], product consistency [product],
/// the ECDSA P-384 report signature [report_signature], the certificate TCB against REPORTED_TCB [tcb], the chip id
/// against hwID [chip_id], the Azure runtime-data binding [hcl_report_data], then the policy [tcb_policy, debug_policy,
/// migration_policy, smt_policy, vmpl_policy]. Verified chains are cached by the VCEK/VLEK's SHA-256 (validity is
/// still checked at every call; failures are not cached), so repeated verification costs one ECDSA verification.
/// Thread-safe.
/// </summary>
public sealed class SnpEvidenceVerifier : IEvidenceVerifier
{
    private const int MaxCachedChains = 4096;

    private readonly SnpCollateral _collateral;
    private readonly TimeProvider _time;
    private readonly VerifierPolicy _policy;
    private readonly ConcurrentDictionary<string, ChainOutcome> _chains = new(StringComparer.Ordinal);

    public SnpEvidenceVerifier(SnpCollateral collateral, TimeProvider time, VerifierPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(collateral);
        ArgumentNullException.ThrowIfNull(time);
        _collateral = collateral;
        _time = time;
        _policy = policy ?? VerifierPolicy.Production;
    }

    public TeeKind Tee => TeeKind.Snp;

    public VerificationResult Verify(ReadOnlySpan<byte> evidence)
    {
        AzureHclReport? hcl = null;
        SnpReport report;
        ReadOnlySpan<byte> reportBytes;
        IReadOnlyList<AmdCertificate> attached = [];
        try
        {
            if (AzureHclReport.IsHclReport(evidence))
            {
                hcl = AzureHclReport.Parse(evidence);
                reportBytes = hcl.SnpReport.AsSpan();
            }
            else if (evidence.Length < SnpReport.Size)
            {
                return VerificationResult.Fail(
                    "format", $"SEV-SNP evidence must be a {SnpReport.Size}-byte report (optionally followed by a certificate table) or an Azure HCL report, got {evidence.Length} bytes");
            }
            else
            {
                reportBytes = evidence[..SnpReport.Size];
                if (evidence.Length > SnpReport.Size)
                {
                    attached = ParseAttached(evidence[SnpReport.Size..]);
                }
            }

            report = SnpReport.Parse(reportBytes);
        }
        catch (TlessFormatException ex)
        {
            return VerificationResult.Fail("format", ex.Message);
        }

        if (report.SignatureAlgorithm != 1)
        {
            return VerificationResult.Fail(
                "format", $"signature_algo {report.SignatureAlgorithm} is not ECDSA P-384 with SHA-384 (1)", BuildClaims(report, report.CpuidProduct, null, hcl));
        }

        if (report.SigningKey is not (SnpSigningKey.Vcek or SnpSigningKey.Vlek))
        {
            return VerificationResult.Fail(
                "signing_key", $"SIGNING_KEY {(int)report.SigningKey} is neither VCEK (0) nor VLEK (1)", BuildClaims(report, report.CpuidProduct, null, hcl));
        }

        var pool = attached.Count == 0 ? _collateral.All : [.. attached, .. _collateral.All];
        var candidates = FindCandidates(report, pool);
        if (candidates.Count == 0)
        {
            return VerificationResult.Fail(
                "collateral",
                report.SigningKey == SnpSigningKey.Vcek
                    ? $"no VCEK certificate for chip id {Hex.Lower(report.ChipId.AsSpan())[..16]}... in the collateral or the evidence"
                    : "no VLEK certificate in the collateral or the evidence",
                BuildClaims(report, report.CpuidProduct, null, hcl));
        }

        VerificationResult? firstFailure = null;
        foreach (var candidate in candidates)
        {
            var result = VerifyWith(report, reportBytes, candidate, hcl, pool);
            if (result.IsValid || result.FailedCheck is "tcb_policy" or "debug_policy" or "migration_policy" or "smt_policy" or "vmpl_policy" or "hcl_report_data")
            {
                return result;
            }

            firstFailure ??= result;
        }

        return firstFailure!;
    }

    private static List<AmdCertificate> ParseAttached(ReadOnlySpan<byte> table)
    {
        var list = new List<AmdCertificate>();
        foreach (var (type, der) in SnpCertTable.Parse(table))
        {
            var name = type == SnpCertTable.Vcek ? "VCEK" : type == SnpCertTable.Vlek ? "VLEK" : type == SnpCertTable.Ask ? "ASK" : "ARK";
            list.Add(AmdCertificate.Parse(der, $"evidence certificate table ({name})"));
        }

        return list;
    }

    private static List<AmdCertificate> FindCandidates(SnpReport report, IReadOnlyList<AmdCertificate> pool)
    {
        var role = report.SigningKey == SnpSigningKey.Vcek ? AmdCertRole.Vcek : AmdCertRole.Vlek;
        var list = pool.Where(c => c.Role == role && (role == AmdCertRole.Vlek || report.ChipIdMasked || ChipIdMatches(c.HwId!, report.ChipId.AsSpan())))
            .DistinctBy(c => c.Fingerprint, StringComparer.Ordinal)
            .ToList();

        // Prefer the certificate issued for the reported TCB (a cache may hold one VCEK per TCB).
        return [.. list.OrderBy(c => SplMatches(c, new SnpTcb(report.ReportedTcb, c.Product)) ? 0 : 1)];
    }

    private VerificationResult VerifyWith(
        SnpReport report, ReadOnlySpan<byte> reportBytes, AmdCertificate signer, AzureHclReport? hcl, IReadOnlyList<AmdCertificate> pool)
    {
        var chain = _chains.TryGetValue(signer.Fingerprint, out var cached) ? cached : CacheChain(signer, pool);
        var product = chain.Product;
        var claims = BuildClaims(report, product, signer, hcl);
        if (chain.Failure is not null)
        {
            return VerificationResult.Fail("cert_chain", chain.Failure, claims);
        }

        var now = _time.GetUtcNow();
        foreach (var c in chain.Certificates)
        {
            if (now < c.NotBefore - _policy.ClockSkew || now > c.NotAfter)
            {
                return VerificationResult.Fail(
                    "cert_validity",
                    $"{c.SubjectCn} certificate is valid {c.NotBefore:O}..{c.NotAfter:O}, not at {now:O}",
                    claims);
            }
        }

        if (report.CpuidProduct != SnpProduct.Unknown && report.CpuidProduct != product)
        {
            return VerificationResult.Fail("product", $"the report's CPUID says {report.CpuidProduct} but the certificates are for {product}", claims);
        }

        if (!chain.Key!.Verify(reportBytes[..SnpReport.SignedSize], report.Signature.AsSpan(), HashAlgorithmName.SHA384))
        {
            return VerificationResult.Fail("report_signature", $"the ECDSA P-384 report signature does not verify with {signer.SubjectCn} ({signer.Source})", claims);
        }

        var tcb = new SnpTcb(report.ReportedTcb, product);
        if (!SplMatches(signer, tcb))
        {
            var s = signer.Spl;
            return VerificationResult.Fail(
                "tcb",
                $"REPORTED_TCB {tcb} differs from the {signer.SubjectCn} certificate's TCB bl={s.Bl} tee={s.Tee} snp={s.Snp} ucode={s.Ucode}" +
                (s.Fmc is { } f ? $" fmc={f}" : string.Empty),
                claims);
        }

        if (signer.Role == AmdCertRole.Vcek && !report.ChipIdMasked && !ChipIdMatches(signer.HwId!, report.ChipId.AsSpan()))
        {
            return VerificationResult.Fail("chip_id", "CHIP_ID does not match the VCEK's hwID", claims);
        }

        if (hcl is not null)
        {
            var hash = hcl.HashRuntimeData();
            if (!CryptographicOperations.FixedTimeEquals(hash, report.ReportData.AsSpan(0, hash.Length)))
            {
                return VerificationResult.Fail(
                    "hcl_report_data", $"{hcl.RuntimeDataHash.Name} of the HCL runtime data does not equal REPORT_DATA[0:{hash.Length}]", claims);
            }
        }

        return CheckPolicy(report, tcb, claims);
    }

    private VerificationResult CheckPolicy(SnpReport report, SnpTcb tcb, AttestationClaims claims)
    {
        if (_policy.MinimumSnpTcb is { } floor && !floor.IsMetBy(tcb))
        {
            return VerificationResult.Fail("tcb_policy", $"REPORTED_TCB {tcb} is below the policy's minimum {floor}", claims);
        }

        if (report.Debug && !_policy.AllowDebug)
        {
            return VerificationResult.Fail("debug_policy", $"guest policy 0x{report.Policy:X} allows debugging (bit 19) and the policy forbids debug guests", claims);
        }

        if (report.MigrateMa && !_policy.AllowMigrationAgent)
        {
            return VerificationResult.Fail("migration_policy", $"guest policy 0x{report.Policy:X} allows a migration agent (bit 18)", claims);
        }

        if (_policy.RequireSmtDisabled && report.SmtEnabled)
        {
            return VerificationResult.Fail("smt_policy", $"PLATFORM_INFO 0x{report.PlatformInfo:X} says SMT is enabled and the policy requires it disabled", claims);
        }

        var maxVmpl = _policy.MaximumVmpl ?? 3;
        if (report.Vmpl > maxVmpl)
        {
            return VerificationResult.Fail("vmpl_policy", $"VMPL {report.Vmpl} is above the accepted maximum {maxVmpl}", claims);
        }

        return VerificationResult.Valid(claims);
    }

    private ChainOutcome CacheChain(AmdCertificate signer, IReadOnlyList<AmdCertificate> pool)
    {
        var outcome = BuildChain(signer, pool);
        if (outcome.Failure is not null)
        {
            // Only verified chains are cached: a failure may be cured by certificates that come with later evidence.
            return outcome;
        }

        if (_chains.Count >= MaxCachedChains)
        {
            _chains.Clear();
        }

        _chains[signer.Fingerprint] = outcome;
        return outcome;
    }

    private static ChainOutcome BuildChain(AmdCertificate ee, IReadOnlyList<AmdCertificate> pool)
    {
        var wanted = ee.Role == AmdCertRole.Vcek ? AmdCertRole.Ask : AmdCertRole.Asvk;
        var intermediates = pool.Where(c => c.Role == wanted && c.Subject.AsSpan().SequenceEqual(ee.Issuer)).ToList();
        if (intermediates.Count == 0)
        {
            return ChainOutcome.Fail(ee.Product, $"no {wanted.ToString().ToUpperInvariant()} certificate named like the issuer of {ee.SubjectCn} ({ee.Source}) in the collateral");
        }

        string? failure = null;
        foreach (var ca in intermediates)
        {
            var arks = pool.Where(c => c.Role == AmdCertRole.Ark && c.Subject.AsSpan().SequenceEqual(ca.Issuer)).ToList();
            if (arks.Count == 0)
            {
                failure ??= $"no ARK certificate issuing {ca.SubjectCn} ({ca.Source}) in the collateral";
                continue;
            }

            foreach (var ark in arks)
            {
                failure = CheckChain(ee, ca, ark);
                if (failure is null)
                {
                    using var key = ee.Certificate.GetECDsaPublicKey();
                    var parameters = key?.ExportParameters(false);
                    if (parameters is not { } p || !p.Curve.IsNamed || p.Curve.Oid.Value != "1.3.132.0.34")
                    {
                        return ChainOutcome.Fail(ark.Product, $"{ee.SubjectCn} ({ee.Source}) does not hold an ECDSA P-384 public key");
                    }

                    return new ChainOutcome(ark.Product, new EcdsaKeyPool(p), [ee, ca, ark], null);
                }
            }
        }

        return ChainOutcome.Fail(ee.Product, failure!);
    }

    private static string? CheckChain(AmdCertificate ee, AmdCertificate ca, AmdCertificate ark)
    {
        if (ark.Product == SnpProduct.Unknown)
        {
            return $"root {ark.SubjectCn} ({ark.Source}, SHA-256 {ark.Fingerprint}) is not a pinned AMD ARK";
        }

        if (ca.Product != ark.Product || (ee.Product != SnpProduct.Unknown && ee.Product != ark.Product))
        {
            return $"product mismatch: {ee.SubjectCn} is for {ee.Product}, {ca.SubjectCn} for {ca.Product}, {ark.SubjectCn} for {ark.Product}";
        }

        foreach (var (cert, issuer) in new[] { (ark, ark), (ca, ark), (ee, ca) })
        {
            if (!Certificates.IsRsaPssSha384(cert.Parts.SignatureAlgorithm) ||
                !cert.Parts.SignatureAlgorithm.AsSpan().SequenceEqual(cert.Parts.TbsSignatureAlgorithm))
            {
                return $"{cert.SubjectCn} ({cert.Source}) is not signed with RSASSA-PSS SHA-384 (MGF1 SHA-384, salt 48)";
            }

            using var rsa = issuer.Certificate.GetRSAPublicKey();
            if (rsa is null || !rsa.VerifyData(cert.Parts.Tbs, cert.Parts.Signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss))
            {
                return $"the signature on {cert.SubjectCn} ({cert.Source}) does not verify with the key of {issuer.SubjectCn} ({issuer.Source})";
            }
        }

        return null;
    }

    private static bool SplMatches(AmdCertificate c, SnpTcb tcb)
    {
        var s = c.Spl;
        return s.Bl == tcb.Bootloader && s.Tee == tcb.Tee && s.Snp == tcb.Snp && s.Ucode == tcb.Microcode &&
            (tcb.Product != SnpProduct.Turin || s.Fmc == tcb.Fmc);
    }

    private static bool ChipIdMatches(ReadOnlySpan<byte> hwId, ReadOnlySpan<byte> chipId) =>
        hwId.Length <= chipId.Length && chipId[..hwId.Length].SequenceEqual(hwId) && !chipId[hwId.Length..].ContainsAnyExcept((byte)0);

    private static AttestationClaims BuildClaims(SnpReport r, SnpProduct product, AmdCertificate? signer, AzureHclReport? hcl)
    {
        string H(ImmutableArray<byte> b) => Hex.Lower(b.AsSpan());
        string X(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);
        var layout = product == SnpProduct.Unknown ? SnpProduct.Milan : product;
        var extra = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        extra["version"] = r.Version.ToString(CultureInfo.InvariantCulture);
        extra["product"] = product.ToString();
        extra["policy"] = X(r.Policy);
        extra["smt_allowed"] = r.SmtAllowed ? "true" : "false";
        extra["migrate_ma"] = r.MigrateMa ? "true" : "false";
        extra["vmpl"] = r.Vmpl.ToString(CultureInfo.InvariantCulture);
        extra["guest_svn"] = r.GuestSvn.ToString(CultureInfo.InvariantCulture);
        extra["platform_info"] = X(r.PlatformInfo);
        extra["smt_enabled"] = r.SmtEnabled ? "true" : "false";
        extra["signing_key"] = r.SigningKey.ToString().ToUpperInvariant();
        extra["host_data"] = H(r.HostData);
        extra["family_id"] = H(r.FamilyId);
        extra["image_id"] = H(r.ImageId);
        extra["id_key_digest"] = H(r.IdKeyDigest);
        extra["author_key_digest"] = H(r.AuthorKeyDigest);
        extra["report_id"] = H(r.ReportId);
        extra["current_tcb"] = new SnpTcb(r.CurrentTcb, layout).ToString();
        extra["committed_tcb"] = new SnpTcb(r.CommittedTcb, layout).ToString();
        extra["launch_tcb"] = new SnpTcb(r.LaunchTcb, layout).ToString();
        extra["firmware"] = $"{r.CurrentMajor}.{r.CurrentMinor}.{r.CurrentBuild}";
        if (r.Version >= 3)
        {
            extra["cpuid"] = $"{r.CpuidFamily:x2}/{r.CpuidModel:x2}/{r.CpuidStepping:x2}";
        }

        if (signer?.ProductName is { } pn)
        {
            extra["cert_product_name"] = pn;
        }

        if (signer?.CspId is { } csp)
        {
            extra["csp_id"] = csp;
        }

        if (hcl is not null)
        {
            extra["azure_hcl"] = "true";
            extra["azure_runtime_data"] = System.Text.Encoding.UTF8.GetString(hcl.RuntimeData.AsSpan()).TrimEnd('\0');
        }

        var chipIdZero = !r.ChipId.AsSpan().ContainsAnyExcept((byte)0);
        return new AttestationClaims
        {
            Tee = TeeKind.Snp,
            Measurement = H(r.Measurement),
            ReportData = r.ReportData,
            Debug = r.Debug,
            ChipId = chipIdZero ? null : H(r.ChipId),
            Tcb = new SnpTcb(r.ReportedTcb, layout).ToString(),
            Extra = extra.ToImmutable(),
        };
    }

    /// <summary>A verified chain (with a pool of the VCEK/VLEK key, see <see cref="EcdsaKeyPool"/>) or the reason it failed.</summary>
    private sealed record ChainOutcome(SnpProduct Product, EcdsaKeyPool? Key, ImmutableArray<AmdCertificate> Certificates, string? Failure)
    {
        public static ChainOutcome Fail(SnpProduct product, string failure) => new(product, null, [], failure);
    }
}
