using System.Collections.Immutable;
using Tless.Attestation.Common;

namespace Tless.Attestation.Snp;

/// <summary>
/// The AMD certificates a SEV-SNP verifier may use: ARKs (trusted only when their SHA-256 fingerprint is pinned in
/// code), ASK/ASVK intermediates, and VCEK/VLEK end-entity certificates. Immutable; build it from files, a cache
/// directory or raw certificates.
/// </summary>
public sealed class SnpCollateral
{
    private SnpCollateral(ImmutableArray<AmdCertificate> certificates, ImmutableArray<string> skipped = default)
    {
        All = certificates;
        SkippedFiles = skipped.IsDefault ? [] : skipped;
    }

    /// <summary>No certificates.</summary>
    public static SnpCollateral Empty { get; } = new([]);

    /// <summary>Number of certificates held.</summary>
    public int Count => All.Length;

    /// <summary>Files of a cache directory that were skipped because they hold no certificate (for example CRLs), with the reason.</summary>
    public ImmutableArray<string> SkippedFiles { get; }

    internal ImmutableArray<AmdCertificate> All { get; }

    /// <summary>From DER certificates; throws <see cref="TlessFormatException"/> for one that is not an AMD SEV-SNP certificate.</summary>
    public static SnpCollateral FromCertificates(IEnumerable<byte[]> derCertificates)
    {
        ArgumentNullException.ThrowIfNull(derCertificates);
        var list = new List<AmdCertificate>();
        var i = 0;
        foreach (var der in derCertificates)
        {
            ArgumentNullException.ThrowIfNull(der, nameof(derCertificates));
            list.Add(AmdCertificate.Parse(der, $"certificate #{++i}"));
        }

        return new SnpCollateral(Dedupe(list));
    }

    /// <summary>From PEM (one or more certificates each) or DER files; throws <see cref="TlessFormatException"/> naming the file.</summary>
    public static SnpCollateral FromFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = new List<AmdCertificate>();
        foreach (var path in paths)
        {
            var ders = Certificates.ReadFile(path);
            for (var i = 0; i < ders.Count; i++)
            {
                list.Add(AmdCertificate.Parse(ders[i], ders.Count == 1 ? path : $"{path} (certificate #{i + 1})"));
            }
        }

        return new SnpCollateral(Dedupe(list));
    }

    /// <summary>
    /// From a certificate cache directory: every *.pem, *.der, *.crt and *.cer file under it (recursively). Files
    /// holding certificates that are not AMD SEV-SNP ones are ignored, and files that hold no certificate at all (CRLs,
    /// DCAP collateral) are listed in <see cref="SkippedFiles"/>; an AMD certificate without the SEV-SNP extensions it
    /// needs throws <see cref="TlessFormatException"/>.
    /// </summary>
    public static SnpCollateral FromDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new TlessFormatException($"{directory}: collateral directory does not exist");
        }

        var list = new List<AmdCertificate>();
        var skipped = new List<string>();
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f).ToUpperInvariant() is ".PEM" or ".DER" or ".CRT" or ".CER")
            .Order(StringComparer.Ordinal);
        foreach (var path in files)
        {
            IReadOnlyList<byte[]> ders;
            try
            {
                ders = Certificates.ReadFile(path);
            }
            catch (TlessFormatException ex)
            {
                skipped.Add(ex.Message);
                continue;
            }

            for (var i = 0; i < ders.Count; i++)
            {
                var source = ders.Count == 1 ? path : $"{path} (certificate #{i + 1})";
                var subject = Certificates.Parse(ders[i], source).GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
                if (subject.StartsWith("ARK-", StringComparison.Ordinal) || subject.StartsWith("SEV-", StringComparison.Ordinal))
                {
                    list.Add(AmdCertificate.Parse(ders[i], source));
                }
            }
        }

        return new SnpCollateral(Dedupe(list), [.. skipped]);
    }

    /// <summary>Both sets of certificates.</summary>
    public SnpCollateral Merge(SnpCollateral other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new SnpCollateral(Dedupe([.. All, .. other.All]), [.. SkippedFiles, .. other.SkippedFiles]);
    }

    private static ImmutableArray<AmdCertificate> Dedupe(IEnumerable<AmdCertificate> certs) =>
        [.. certs.DistinctBy(c => c.Fingerprint, StringComparer.Ordinal)];
}
