using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tless.Attestation.Dcap;

/// <summary>
/// The Intel SGX Root CA, the single trust anchor of SGX and TDX DCAP: the PCK chain, the TCB signing chain and
/// both CRL chains end here. The certificate is embedded (it is public) and checked against its pinned SHA-256
/// fingerprint when first used, so an edit of either constant fails closed.
/// </summary>
internal static class IntelSgxRoot
{
    /// <summary>SHA-256 of the DER of "CN=Intel SGX Root CA" (valid 2018-05-21..2049-12-31).</summary>
    public const string Sha256Fingerprint = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

    private const string Der =
        "MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIwaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoM" +
        "EUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5" +
        "MTIzMTIzNTk1OVowaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBD" +
        "bGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYTAlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi71OiOSLRFhWGjbnBV" +
        "JfVnkY4u3IjkDYYL0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOBuzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJMEeg" +
        "RaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50ZWwuY29tL0ludGVsU0dYUm9vdENBLmRlcjAdBgNVHQ4EFgQUImUM1lqd" +
        "NInzg7SVUr9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYIKoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPR" +
        "LsWGf/Yi7GSX94BgwTwgAiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZUGOdRQ7cvqRXaqI=";

    private static readonly Lazy<X509Certificate2> Root = new(Load);

    /// <summary>The pinned root certificate.</summary>
    public static X509Certificate2 Certificate => Root.Value;

    /// <summary>True when <paramref name="der"/> is exactly the pinned root.</summary>
    public static bool IsPinnedRoot(ReadOnlySpan<byte> der) =>
        Convert.ToHexStringLower(SHA256.HashData(der)) == Sha256Fingerprint;

    private static X509Certificate2 Load()
    {
        var der = Convert.FromBase64String(Der);
        if (!IsPinnedRoot(der))
        {
            throw new InvalidOperationException("the embedded Intel SGX Root CA does not match its pinned fingerprint");
        }

        return X509CertificateLoader.LoadCertificate(der);
    }
}
