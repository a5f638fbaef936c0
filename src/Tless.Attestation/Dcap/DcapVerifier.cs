using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tless.Attestation.Dcap;

/// <summary>
/// Verifies Intel DCAP ECDSA quotes with the semantics of Intel's Quote Verification Library: SGX quotes v3
/// (<see cref="TeeKind.Sgx"/>) or TDX quotes v4 (<see cref="TeeKind.Tdx"/>). The quote is checked against the PCK chain
/// it carries and the given collateral, both ending at the Intel SGX Root CA pinned in code, at the time of the
/// injected <see cref="TimeProvider"/>. Never throws on bad evidence or bad collateral: the result names the check.
/// </summary>
/// <remarks>
/// Check names, in the order they run: <c>quote_format</c>, <c>quote_header</c>, <c>collateral</c>, <c>pck_chain</c>,
/// <c>root_ca_crl</c>, <c>pck_crl</c>, <c>certificate_revoked</c>, <c>qe_report_signature</c>,
/// <c>attestation_key_binding</c>, <c>quote_signature</c>, <c>tcb_signing_chain</c>, <c>tcb_info_signature</c>,
/// <c>qe_identity_signature</c>, <c>collateral_expired</c>, <c>pck_extensions</c>, <c>tcb_info</c>, <c>qe_identity</c>,
/// <c>qe_tcb</c>, <c>tcb_level</c>, <c>tdx_module</c>, <c>debug_policy</c>, <c>tcb_status</c>.
/// </remarks>
public sealed class DcapVerifier : IEvidenceVerifier
{
    private readonly ParsedCollateral? _collateral;
    private readonly string? _collateralError;
    private readonly TimeProvider _time;
    private readonly DcapPolicy _policy;
    private readonly X509Certificate2 _root;

    /// <summary>Creates a verifier for <paramref name="tee"/> (Sgx or Tdx) over fixed collateral.</summary>
    public DcapVerifier(TeeKind tee, DcapCollateral collateral, TimeProvider time, DcapPolicy? policy = null)
        : this(tee, collateral, time, policy, IntelSgxRoot.Certificate)
    {
    }

    /// <summary>Test seam: the same verifier under another root (production code always pins Intel's).</summary>
    internal DcapVerifier(TeeKind tee, DcapCollateral collateral, TimeProvider time, DcapPolicy? policy, X509Certificate2 trustedRoot)
    {
        ArgumentNullException.ThrowIfNull(trustedRoot);
        _root = trustedRoot;
        if (tee is not (TeeKind.Sgx or TeeKind.Tdx))
        {
            throw new ArgumentException($"a DCAP verifier verifies Sgx or Tdx quotes, not {tee}", nameof(tee));
        }

        ArgumentNullException.ThrowIfNull(collateral);
        ArgumentNullException.ThrowIfNull(time);
        Tee = tee;
        _time = time;
        _policy = policy ?? DcapPolicy.Production;
        ArgumentNullException.ThrowIfNull(_policy.AcceptedStatuses, nameof(policy));
        try
        {
            _collateral = ParsedCollateral.Parse(collateral);
        }
        catch (TlessFormatException e)
        {
            _collateralError = e.Message;
        }
    }

    /// <inheritdoc />
    public TeeKind Tee { get; }

    /// <inheritdoc />
    public VerificationResult Verify(ReadOnlySpan<byte> evidence)
    {
        DcapQuote quote;
        try
        {
            quote = DcapQuote.Parse(evidence);
        }
        catch (TlessFormatException e)
        {
            return VerificationResult.Fail("quote_format", e.Message);
        }

        try
        {
            return Verify(quote);
        }
        catch (Exception e) when (e is TlessFormatException or CryptographicException or AsnContentException)
        {
            // Defensive: every parse below reports its own check; this keeps the "never throws" contract if one slips.
            return VerificationResult.Fail("quote_format", e.Message);
        }
    }

    private VerificationResult Verify(DcapQuote quote)
    {
        var expectTdx = Tee == TeeKind.Tdx;
        if (quote.Version != (expectTdx ? 4 : 3) || quote.TeeType != (expectTdx ? DcapQuote.TeeTypeTdx : DcapQuote.TeeTypeSgx))
        {
            return VerificationResult.Fail("quote_header",
                $"quote version {quote.Version} with TEE type 0x{quote.TeeType:x2} is not a {Tee} quote (expected version {(expectTdx ? "4, TEE type 0x81" : "3, TEE type 0x00")})");
        }

        if (quote.AttestationKeyType != DcapQuote.AttestationKeyEcdsaP256)
        {
            return VerificationResult.Fail("quote_header", $"attestation key type {quote.AttestationKeyType} is not supported (2 = ECDSA P-256)");
        }

        if (!quote.QeVendorId.AsSpan().SequenceEqual(DcapQuote.IntelQeVendorId))
        {
            return VerificationResult.Fail("quote_header", $"QE vendor id {Convert.ToHexStringLower(quote.QeVendorId)} is not Intel's");
        }

        var claims = BaseClaims(quote, out var debug, out var tdBody);
        VerificationResult Fail(string check, string detail) => VerificationResult.Fail(check, detail, claims);

        if (_collateral is null)
        {
            return Fail("collateral", _collateralError!);
        }

        var c = _collateral;
        var now = _time.GetUtcNow();

        // PCK chain carried in the quote, to the pinned root, plus both CRLs.
        List<X509Certificate2> pckChain;
        try
        {
            pckChain = DcapPki.ParsePemChain(quote.PckChainPem, "PCK certificate chain");
        }
        catch (TlessFormatException e)
        {
            return Fail("pck_chain", e.Message);
        }

        try
        {
            if (DcapPki.VerifyChain(pckChain, _root, now, "PCK certificate chain") is { } chainError)
            {
                return Fail("pck_chain", chainError);
            }

            if (pckChain.Count < 2 || pckChain[1].RawData.AsSpan().SequenceEqual(_root.RawData))
            {
                return Fail("pck_chain", "the PCK certificate chain has no PCK Platform/Processor CA between the leaf and the root");
            }

            var (pck, pckCa) = (pckChain[0], pckChain[1]);

            if (c.RootCrl.VerifyIssuedBy(_root, "root CA CRL") is { } rootCrlError)
            {
                return Fail("root_ca_crl", rootCrlError);
            }

            if (c.PckCrl.VerifyIssuedBy(pckCa, "PCK CRL") is { } pckCrlError)
            {
                return Fail("pck_crl", pckCrlError);
            }

            if (c.RootCrl.IsRevoked(pckCa) || c.PckCrl.IsRevoked(pck))
            {
                var which = c.PckCrl.IsRevoked(pck) ? pck : pckCa;
                return Fail("certificate_revoked", $"certificate '{which.Subject}' (serial {DcapPki.SerialHex(which)}) is revoked");
            }

            // The QE vouches for the attestation key; the attestation key signs the quote.
            if (!DcapPki.VerifyRaw(pck, quote.QeReport, quote.QeReportSignature))
            {
                return Fail("qe_report_signature", "the QE report signature does not verify with the PCK certificate's key");
            }

            var qeReport = SgxReportBody.Parse(quote.QeReport);
            var binding = SHA256.HashData([.. quote.AttestationKey, .. quote.QeAuthData]);
            if (!qeReport.ReportData.AsSpan(0, 32).SequenceEqual(binding) || qeReport.ReportData.AsSpan(32).ContainsAnyExcept((byte)0))
            {
                return Fail("attestation_key_binding", "QE report data is not SHA-256(attestation key || QE auth data) followed by 32 zero bytes");
            }

            if (!DcapPki.VerifyRaw(quote.AttestationKey, quote.SignedBytes, quote.Signature))
            {
                return Fail("quote_signature", "the quote signature over header and report body does not verify with the attestation key");
            }

            // Collateral: signatures by the TCB signing key (chained to the pinned root, not revoked), then freshness.
            foreach (var (chain, what) in new[] { (c.TcbChain, "TCB info issuer chain"), (c.QeChain, "QE identity issuer chain") })
            {
                if (DcapPki.VerifyChain(chain, _root, now, what) is { } e)
                {
                    return Fail("tcb_signing_chain", e);
                }

                if (c.RootCrl.IsRevoked(chain[0]))
                {
                    return Fail("certificate_revoked", $"{what}: certificate '{chain[0].Subject}' is revoked");
                }
            }

            if (!DcapPki.VerifyRaw(c.TcbChain[0], c.TcbInfoBytes, c.TcbInfoSignature))
            {
                return Fail("tcb_info_signature", "the TCB info signature does not verify with the TCB signing certificate");
            }

            if (!DcapPki.VerifyRaw(c.QeChain[0], c.QeIdentityBytes, c.QeIdentitySignature))
            {
                return Fail("qe_identity_signature", "the QE identity signature does not verify with the TCB signing certificate");
            }

            foreach (var (from, to, what) in new[]
                     {
                         (c.TcbInfo.IssueDate, c.TcbInfo.NextUpdate, "TCB info"),
                         (c.QeIdentity.IssueDate, c.QeIdentity.NextUpdate, "QE identity"),
                         (c.RootCrl.ThisUpdate, c.RootCrl.NextUpdate, "root CA CRL"),
                         (c.PckCrl.ThisUpdate, c.PckCrl.NextUpdate, "PCK CRL"),
                     })
            {
                if (now < from || now > to)
                {
                    return Fail("collateral_expired", $"{what} is valid {from:O}..{to:O}, not at {now:O}");
                }
            }

            // Platform identity and TCB from the PCK certificate.
            PckExtensions ext;
            try
            {
                ext = PckExtensions.Parse(pck);
            }
            catch (TlessFormatException e)
            {
                return Fail("pck_extensions", e.Message);
            }

            claims = claims with
            {
                ChipId = ext.Ppid.Length > 0 ? Convert.ToHexStringLower(ext.Ppid) : Convert.ToHexStringLower(ext.Fmspc),
                Extra = claims.Extra
                    .SetItem("fmspc", Convert.ToHexStringLower(ext.Fmspc))
                    .SetItem("pce_id", Convert.ToHexStringLower(ext.PceId))
                    .SetItem("pck_pcesvn", ext.PceSvn.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .SetItem("pck_cpusvn", Convert.ToHexStringLower(ext.CpuSvn))
                    .SetItem("sgx_type", ext.SgxType switch { 0 => "Standard", 1 => "Scalable", 2 => "ScalableWithIntegrity", _ => "unknown" }),
            };

            var info = c.TcbInfo;
            var expectedId = expectTdx ? "TDX" : "SGX";
            if (info.Id != expectedId || info.TcbType != 0)
            {
                return Fail("tcb_info", $"TCB info id '{info.Id}' type {info.TcbType} does not apply to {Tee} (expected id '{expectedId}', type 0)");
            }

            if (!info.Fmspc.AsSpan().SequenceEqual(ext.Fmspc) || !info.PceId.AsSpan().SequenceEqual(ext.PceId))
            {
                return Fail("tcb_info",
                    $"TCB info is for FMSPC {Convert.ToHexStringLower(info.Fmspc)} PCE-ID {Convert.ToHexStringLower(info.PceId)}, the PCK certificate has {Convert.ToHexStringLower(ext.Fmspc)} / {Convert.ToHexStringLower(ext.PceId)}");
            }

            // The quoting enclave against its identity.
            var qe = c.QeIdentity;
            var expectedQe = expectTdx ? "TD_QE" : "QE";
            if (qe.Id != expectedQe)
            {
                return Fail("qe_identity", $"QE identity id '{qe.Id}' does not apply to {Tee} (expected '{expectedQe}')");
            }

            if (!qe.MrSigner.AsSpan().SequenceEqual(qeReport.MrSigner) || qe.IsvProdId != qeReport.IsvProdId ||
                (qeReport.MiscSelect & qe.MiscSelectMask) != qe.MiscSelect || !MaskedEquals(qeReport.Attributes, qe.AttributesMask, qe.Attributes))
            {
                return Fail("qe_identity",
                    $"the quoting enclave (MRSIGNER {Convert.ToHexStringLower(qeReport.MrSigner)}, ISVPRODID {qeReport.IsvProdId}, MISCSELECT {qeReport.MiscSelect:x8}, ATTRIBUTES {Convert.ToHexStringLower(qeReport.Attributes)}) does not match the QE identity");
            }

            var qeLevel = qe.Levels.FirstOrDefault(l => qeReport.IsvSvn >= l.IsvSvn);
            if (qeLevel is null)
            {
                return Fail("qe_tcb", $"QE ISVSVN {qeReport.IsvSvn} is below every TCB level of the QE identity");
            }

            // The platform TCB level: the first one the PCK TCB (and for TDX the TEE_TCB_SVN) reaches.
            var level = info.Levels.FirstOrDefault(l =>
                l.PceSvn <= ext.PceSvn && l.SgxComponents.Zip(ext.CompSvn).All(p => p.Second >= p.First) &&
                (tdBody is null || (l.TdxComponents is { } t && t.Zip(tdBody.TeeTcbSvn).All(p => p.Second >= p.First))));
            if (level is null)
            {
                return Fail("tcb_level", $"the platform TCB (PCESVN {ext.PceSvn}, component SVNs {string.Join('.', ext.CompSvn)}) matches no TCB level of the TCB info");
            }

            var status = level.Status;
            var advisories = new List<string>(level.Advisories);
            var tcb = $"tcbDate={level.TcbDate} pcesvn={ext.PceSvn} compsvn={string.Join('.', ext.CompSvn)}";
            if (tdBody is not null)
            {
                if (CheckTdxModule(info, tdBody, out var moduleLevel) is { } moduleError)
                {
                    return Fail("tdx_module", moduleError);
                }

                tcb += $" tee_tcb_svn={Convert.ToHexStringLower(tdBody.TeeTcbSvn)}";
                if (moduleLevel is not null)
                {
                    status = Converge(status, moduleLevel.Status);
                    advisories.AddRange(moduleLevel.Advisories);
                }
            }

            status = Converge(status, qeLevel.Status);
            advisories.AddRange(qeLevel.Advisories);
            claims = claims with
            {
                Status = status,
                Advisories = [.. advisories.Distinct(StringComparer.Ordinal)],
                Tcb = tcb,
                Extra = claims.Extra
                    .SetItem("tcb_date", level.TcbDate)
                    .SetItem("tcb_evaluation_data_number", info.TcbEvaluationDataNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .SetItem("qe_isvsvn", qeReport.IsvSvn.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .SetItem("qe_tcb_status", qeLevel.Status),
            };

            if (debug && !_policy.AllowDebug)
            {
                return Fail("debug_policy", $"the {(expectTdx ? "TD" : "enclave")} runs in debug mode and the policy refuses debug");
            }

            if (!_policy.AcceptedStatuses.Contains(status))
            {
                return Fail("tcb_status", $"TCB status {status} (advisories: {string.Join(", ", claims.Advisories)}) is not accepted by the policy");
            }

            return VerificationResult.Valid(claims);
        }
        finally
        {
            foreach (var cert in pckChain)
            {
                cert.Dispose();
            }
        }
    }

    // QVL: SEAM module version 0 is checked against tcbInfo.tdxModule only; version N > 0 against identity "TDX_0N",
    // whose levels give a status from the module's ISVSVN (TEE_TCB_SVN[0]).
    private static string? CheckTdxModule(DcapTcbInfo info, TdReportBody td, out TcbLevel? moduleLevel)
    {
        moduleLevel = null;
        var version = td.TeeTcbSvn[1];
        TdxModuleIdentity? identity;
        if (version == 0 || info.TdxModuleIdentities.Length == 0)
        {
            identity = info.TdxModule;
            if (identity is null)
            {
                return "the TCB info has no tdxModule to check the SEAM module against";
            }
        }
        else
        {
            var id = $"TDX_{version:X2}";
            identity = info.TdxModuleIdentities.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));
            if (identity is null)
            {
                return $"the TCB info has no TDX module identity '{id}'";
            }
        }

        if (!identity.MrSigner.AsSpan().SequenceEqual(td.MrSignerSeam) || !MaskedEquals(td.SeamAttributes, identity.AttributesMask, identity.Attributes))
        {
            return $"SEAM module MRSIGNER {Convert.ToHexStringLower(td.MrSignerSeam)} / attributes {Convert.ToHexStringLower(td.SeamAttributes)} do not match TDX module identity '{identity.Id}'";
        }

        if (identity.Levels.Length == 0)
        {
            return null;
        }

        moduleLevel = identity.Levels.FirstOrDefault(l => td.TeeTcbSvn[0] >= l.IsvSvn);
        return moduleLevel is null ? $"TDX module ISVSVN {td.TeeTcbSvn[0]} is below every TCB level of '{identity.Id}'" : null;
    }

    // QVL's convergence of the platform status with the QE (or TDX module) status.
    private static string Converge(string platform, string other) => other switch
    {
        DcapTcbStatus.Revoked => DcapTcbStatus.Revoked,
        DcapTcbStatus.OutOfDate or DcapTcbStatus.OutOfDateConfigurationNeeded => platform switch
        {
            DcapTcbStatus.UpToDate or DcapTcbStatus.SWHardeningNeeded => DcapTcbStatus.OutOfDate,
            DcapTcbStatus.ConfigurationNeeded or DcapTcbStatus.ConfigurationAndSWHardeningNeeded => DcapTcbStatus.OutOfDateConfigurationNeeded,
            _ => platform,
        },
        _ => platform,
    };

    private static bool MaskedEquals(ReadOnlySpan<byte> value, ReadOnlySpan<byte> mask, ReadOnlySpan<byte> expected)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if ((value[i] & mask[i]) != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private AttestationClaims BaseClaims(DcapQuote quote, out bool debug, out TdReportBody? td)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var extra = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        extra["quote_version"] = quote.Version.ToString(inv);
        string measurement;
        byte[] reportData;
        if (Tee == TeeKind.Sgx)
        {
            td = null;
            var sgx = SgxReportBody.Parse(quote.Body);
            debug = sgx.Debug;
            measurement = Convert.ToHexStringLower(sgx.MrEnclave);
            reportData = sgx.ReportData;
            extra["qe_svn"] = quote.QeSvn.ToString(inv); // v4 headers reserve both SVN fields
            extra["pce_svn"] = quote.PceSvn.ToString(inv);
            extra["mrenclave"] = measurement;
            extra["mrsigner"] = Convert.ToHexStringLower(sgx.MrSigner);
            extra["isv_prod_id"] = sgx.IsvProdId.ToString(inv);
            extra["isv_svn"] = sgx.IsvSvn.ToString(inv);
            extra["config_svn"] = sgx.ConfigSvn.ToString(inv);
            extra["config_id"] = Convert.ToHexStringLower(sgx.ConfigId);
            extra["attributes"] = Convert.ToHexStringLower(sgx.Attributes);
            extra["miscselect"] = sgx.MiscSelect.ToString("x8", inv);
            extra["cpusvn"] = Convert.ToHexStringLower(sgx.CpuSvn);
        }
        else
        {
            td = TdReportBody.Parse(quote.Body);
            debug = td.Debug;
            measurement = Convert.ToHexStringLower(td.MrTd);
            reportData = td.ReportData;
            extra["mrtd"] = measurement;
            extra["tee_tcb_svn"] = Convert.ToHexStringLower(td.TeeTcbSvn);
            extra["mrseam"] = Convert.ToHexStringLower(td.MrSeam);
            extra["mrsignerseam"] = Convert.ToHexStringLower(td.MrSignerSeam);
            extra["seam_attributes"] = Convert.ToHexStringLower(td.SeamAttributes);
            extra["td_attributes"] = Convert.ToHexStringLower(td.TdAttributes);
            extra["xfam"] = Convert.ToHexStringLower(td.Xfam);
            extra["mrconfigid"] = Convert.ToHexStringLower(td.MrConfigId);
            extra["mrowner"] = Convert.ToHexStringLower(td.MrOwner);
            extra["mrownerconfig"] = Convert.ToHexStringLower(td.MrOwnerConfig);
            for (var i = 0; i < 4; i++)
            {
                extra[$"rtmr{i}"] = Convert.ToHexStringLower(td.Rtmr[i]);
            }
        }

        return new AttestationClaims
        {
            Tee = Tee,
            Measurement = measurement,
            ReportData = [.. reportData],
            Debug = debug,
            Status = "Unknown",
            Extra = extra.ToImmutable(),
        };
    }

    /// <summary>Collateral parsed once per verifier; its signatures and freshness are checked per quote.</summary>
    private sealed class ParsedCollateral
    {
        public required DcapTcbInfo TcbInfo { get; init; }

        public required byte[] TcbInfoBytes { get; init; }

        public required byte[] TcbInfoSignature { get; init; }

        public required List<X509Certificate2> TcbChain { get; init; }

        public required DcapQeIdentity QeIdentity { get; init; }

        public required byte[] QeIdentityBytes { get; init; }

        public required byte[] QeIdentitySignature { get; init; }

        public required List<X509Certificate2> QeChain { get; init; }

        public required DcapCrl PckCrl { get; init; }

        public required DcapCrl RootCrl { get; init; }

        public static ParsedCollateral Parse(DcapCollateral c)
        {
            if (c.TcbInfoSignature.IsDefault || c.TcbInfoSignature.Length != 64 || c.QeIdentitySignature.IsDefault || c.QeIdentitySignature.Length != 64)
            {
                throw new TlessFormatException("collateral: the TCB info and QE identity signatures must be 64 bytes (raw r||s)");
            }

            if (c.TcbInfo.IsDefault || c.QeIdentity.IsDefault || c.PckCrl.IsDefault || c.RootCaCrl.IsDefault)
            {
                throw new TlessFormatException("collateral: a required field is empty");
            }

            return new ParsedCollateral
            {
                TcbInfo = DcapTcbInfo.Parse(c.TcbInfo.AsSpan()),
                TcbInfoBytes = [.. c.TcbInfo],
                TcbInfoSignature = [.. c.TcbInfoSignature],
                TcbChain = DcapPki.ParsePemChain(System.Text.Encoding.ASCII.GetBytes(c.TcbInfoIssuerChain ?? ""), "TCB info issuer chain"),
                QeIdentity = DcapQeIdentity.Parse(c.QeIdentity.AsSpan()),
                QeIdentityBytes = [.. c.QeIdentity],
                QeIdentitySignature = [.. c.QeIdentitySignature],
                QeChain = DcapPki.ParsePemChain(System.Text.Encoding.ASCII.GetBytes(c.QeIdentityIssuerChain ?? ""), "QE identity issuer chain"),
                PckCrl = DcapCrl.Parse(c.PckCrl.AsSpan(), "PCK CRL"),
                RootCrl = DcapCrl.Parse(c.RootCaCrl.AsSpan(), "root CA CRL"),
            };
        }
    }
}
