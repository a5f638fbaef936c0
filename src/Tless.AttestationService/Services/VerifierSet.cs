using System.Collections.Immutable;
using System.Text;
using Tless.Attestation;
using Tless.Attestation.Sim;
using Tless.Workflows;

namespace Tless.AttestationService.Services;

/// <summary>
/// The evidence verifiers this authority runs, one per accepted TEE kind. Debug evidence passes the verifiers (the
/// decision belongs to the workflow's registration); simulated evidence is accepted only with
/// <see cref="AuthorityOptions.AllowSimulated"/> and trusted simulation keys.
/// </summary>
internal sealed class VerifierSet
{
    /// <summary>The default file of trusted simulation keys under the data directory.</summary>
    public const string DefaultSimTrustFile = "sim-trust.pem";

    private readonly Dictionary<TeeKind, IEvidenceVerifier> verifiers = [];

    public VerifierSet(AuthorityOptions options, TimeProvider time, ILogger<VerifierSet> logger)
    {
        var policy = new VerifierPolicy { AllowDebug = true };
        if (options.AllowSimulated)
        {
            var keys = new List<byte[]>(options.SimTrustedKeys.IsDefault ? [] : options.SimTrustedKeys);
            var files = options.SimTrustFiles.IsDefaultOrEmpty
                ? [Path.Combine(options.DataDirectory, DefaultSimTrustFile)]
                : options.SimTrustFiles;
            foreach (var file in files.Where(File.Exists))
            {
                keys.AddRange(ReadPublicKeys(file));
            }

            keys.ForEach(k => CheckSimKey(k));

            if (keys.Count == 0)
            {
                throw new AuthorityConfigurationException(
                    [$"--allow-simulated needs trusted simulation keys: pass --sim-trust FILE or put PEM public keys in {files[0]}."]);
            }

            verifiers[TeeKind.Sim] = EvidenceVerifiers.Create(TeeKind.Sim, new EvidenceVerifierOptions { Time = time, Policy = policy, SimTrustedKeys = keys });
            Log.SimulatedAllowed(logger, options.Id);
        }

        var hardware = new EvidenceVerifierOptions
        {
            Time = time,
            Policy = policy,
            CertificateFiles = options.SnpCertificateFiles.IsDefault ? [] : options.SnpCertificateFiles,
            CollateralDirectory = options.CollateralDirectory,
        };
        if (!options.SnpCertificateFiles.IsDefaultOrEmpty || options.CollateralDirectory is not null)
        {
            TryAdd(TeeKind.Snp, hardware, logger);
        }

        if (options.CollateralDirectory is not null)
        {
            TryAdd(TeeKind.Sgx, hardware, logger);
            TryAdd(TeeKind.Tdx, hardware, logger);
        }

        Kinds = [.. verifiers.Keys.Order().Select(Registration.TeeText)];
    }

    /// <summary>The accepted kinds in wire notation (<c>sim</c>, <c>snp</c>, ...).</summary>
    public ImmutableArray<string> Kinds { get; }

    public bool TryGet(TeeKind tee, out IEvidenceVerifier verifier) => verifiers.TryGetValue(tee, out verifier!);

    /// <summary>Every PEM "PUBLIC KEY" block in a file (or the file as one DER key).</summary>
    public static List<byte[]> ReadPublicKeys(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var text = Encoding.ASCII.GetString(bytes);
        var keys = new List<byte[]>();
        var rest = text.AsSpan();
        while (System.Security.Cryptography.PemEncoding.TryFind(rest, out var fields))
        {
            keys.Add(Encoding.ASCII.GetBytes(rest[fields.Location].ToString()));
            rest = rest[fields.Location.End..];
        }

        if (keys.Count == 0 && bytes.Length > 0)
        {
            keys.Add(bytes);
        }

        return keys;
    }

    private static void CheckSimKey(byte[] key)
    {
        try
        {
            SimulatedTee.ReadPublicKey(key);
        }
        catch (ArgumentException e)
        {
            throw new AuthorityConfigurationException([$"A trusted simulation key is not a P-256 public key: {e.Message}"]);
        }
    }

    private void TryAdd(TeeKind tee, EvidenceVerifierOptions options, ILogger logger)
    {
        try
        {
            verifiers[tee] = EvidenceVerifiers.Create(tee, options);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or TlessException or IOException)
        {
            Log.VerifierUnavailable(logger, Registration.TeeText(tee), e.Message);
        }
    }
}
