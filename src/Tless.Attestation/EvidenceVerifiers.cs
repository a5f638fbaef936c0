using Tless.Attestation.Dcap;
using Tless.Attestation.Sim;
using Tless.Attestation.Snp;

namespace Tless.Attestation;

/// <summary>Trust anchors, collateral, clock and policy from which <see cref="EvidenceVerifiers"/> builds verifiers.</summary>
public sealed record EvidenceVerifierOptions
{
    /// <summary>The clock for every validity check.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>What is accepted beyond the cryptographic checks; production by default.</summary>
    public VerifierPolicy Policy { get; init; } = VerifierPolicy.Production;

    /// <summary>Simulated TEE: trusted platform public keys (SubjectPublicKeyInfo DER or PEM). Required for <see cref="TeeKind.Sim"/>.</summary>
    public IReadOnlyList<byte[]> SimTrustedKeys { get; init; } = [];

    /// <summary>
    /// Certificate files for SEV-SNP (VCEK or VLEK, ASK/ASVK, ARK; PEM or DER, several certificates per PEM file allowed).
    /// </summary>
    public IReadOnlyList<string> CertificateFiles { get; init; } = [];

    /// <summary>
    /// A collateral directory: for SEV-SNP a certificate cache (every *.pem, *.der, *.crt, *.cer file is indexed);
    /// for SGX/TDX the DCAP collateral directory.
    /// </summary>
    public string? CollateralDirectory { get; init; }

    /// <summary>SGX/TDX: the DCAP policy; when null, the production DCAP policy with <see cref="VerifierPolicy.AllowDebug"/> of <see cref="Policy"/>.</summary>
    public DcapPolicy? DcapPolicy { get; init; }
}

/// <summary>Builds the <see cref="IEvidenceVerifier"/> for a <see cref="TeeKind"/>.</summary>
public static class EvidenceVerifiers
{
    /// <summary>
    /// The verifier for <paramref name="tee"/>. Throws <see cref="ArgumentException"/> when the options lack what that
    /// TEE needs (for example no trusted simulation key for <see cref="TeeKind.Sim"/>).
    /// </summary>
    public static IEvidenceVerifier Create(TeeKind tee, EvidenceVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Time, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Policy, nameof(options));
        return tee switch
        {
            TeeKind.Sim => CreateSim(options),
            TeeKind.Snp => CreateSnp(options),
            TeeKind.Sgx or TeeKind.Tdx => CreateDcap(tee, options),
            _ => throw new ArgumentOutOfRangeException(nameof(tee), tee, "unknown TEE kind"),
        };
    }

    /// <summary>Parses a TEE name as used on the command line and in configuration: sim, snp, sgx, tdx (case-insensitive).</summary>
    public static TeeKind ParseTee(string name) => name?.Trim().ToUpperInvariant() switch
    {
        "SIM" => TeeKind.Sim,
        "SNP" or "SEV-SNP" => TeeKind.Snp,
        "SGX" => TeeKind.Sgx,
        "TDX" => TeeKind.Tdx,
        _ => throw new ArgumentException($"unknown TEE '{name}' (expected sim, snp, sgx or tdx)", nameof(name)),
    };

    /// <summary>The SEV-SNP collateral named by the options (certificate files plus the cache directory).</summary>
    public static SnpCollateral LoadSnpCollateral(EvidenceVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var collateral = SnpCollateral.FromFiles(options.CertificateFiles);
        return options.CollateralDirectory is { } dir ? collateral.Merge(SnpCollateral.FromDirectory(dir)) : collateral;
    }

    private static SnpEvidenceVerifier CreateSnp(EvidenceVerifierOptions options) =>
        new(LoadSnpCollateral(options), options.Time, options.Policy);

    private static DcapVerifier CreateDcap(TeeKind tee, EvidenceVerifierOptions options)
    {
        if (string.IsNullOrEmpty(options.CollateralDirectory))
        {
            throw new ArgumentException($"{tee} verification needs a DCAP collateral directory (CollateralDirectory)", nameof(options));
        }

        var policy = options.DcapPolicy ?? new DcapPolicy { AllowDebug = options.Policy.AllowDebug };
        return new DcapVerifier(tee, DcapCollateral.LoadDirectory(options.CollateralDirectory), options.Time, policy);
    }

    private static SimEvidenceVerifier CreateSim(EvidenceVerifierOptions options)
    {
        if (options.SimTrustedKeys.Count == 0)
        {
            throw new ArgumentException("the simulated TEE needs at least one trusted simulation public key (SimTrustedKeys)", nameof(options));
        }

        return new SimEvidenceVerifier(options.SimTrustedKeys, options.Time, options.Policy);
    }
}
