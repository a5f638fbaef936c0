using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tless.AttestationService.Storage;

namespace Tless.AttestationService.Hosting;

/// <summary>
/// The TLS certificate: loaded from <see cref="AuthorityOptions.CertificatePath"/>, or a self-signed ECDSA P-256
/// certificate made on first start and kept in <c>{data}/tls.pfx</c> (mode 0600) so its fingerprint stays pinned.
/// </summary>
internal sealed class TlsMaterial : IDisposable
{
    public const string FileName = "tls.pfx";

    public TlsMaterial(AuthorityOptions options)
    {
        if (options.InsecureHttp)
        {
            return;
        }

        Certificate = options.CertificatePath is { } path ? LoadGiven(path, options.CertificatePassword) : LoadOrCreate(options);
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Certificate.RawData));
    }

    /// <summary>Null with <see cref="AuthorityOptions.InsecureHttp"/>.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>SHA-256 of the certificate's DER, lower-case hex; null without TLS.</summary>
    public string? Fingerprint { get; }

    public void Dispose() => Certificate?.Dispose();

    private static X509Certificate2 LoadGiven(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException e)
        {
            throw new AuthorityStoreException($"The certificate {path} cannot be loaded (not PKCS#12, or wrong password): {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new AuthorityStoreException($"The certificate {path} has no private key.");
        }

        return certificate;
    }

    private static X509Certificate2 LoadOrCreate(AuthorityOptions options)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var path = Path.Combine(options.DataDirectory, FileName);
        if (File.Exists(path))
        {
            return LoadGiven(path, null);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=tless-as-{options.Id}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        if (!options.ListenAddress.Equals(IPAddress.Any) && !options.ListenAddress.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(options.ListenAddress))
        {
            san.AddIpAddress(options.ListenAddress);
        }

        san.AddDnsName(Dns.GetHostName());
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = options.TimeProvider.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        var pfx = created.Export(X509ContentType.Pkcs12);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, fileOptions))
        {
            stream.Write(pfx);
            stream.Flush(flushToDisk: true);
        }

        File.WriteAllText(Path.Combine(options.DataDirectory, "tls.crt"), created.ExportCertificatePem() + "\n");
        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }
}
