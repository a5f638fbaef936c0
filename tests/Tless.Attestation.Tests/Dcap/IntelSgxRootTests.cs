using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tless.Attestation.Dcap;
using Tless.Testing;

namespace Tless.Attestation.Tests.Dcap;

public sealed class IntelSgxRootTests
{
    [Fact]
    public void Certificate_EqualsTheFixtureRootAndItsPinnedFingerprint()
    {
        var der = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "intel-roots", "Intel_SGX_RootCA.der"));

        Assert.Equal(der, IntelSgxRoot.Certificate.RawData);
        Assert.Equal(IntelSgxRoot.Sha256Fingerprint, Convert.ToHexStringLower(SHA256.HashData(der)));
        Assert.Equal("Intel SGX Root CA", IntelSgxRoot.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
    }

    [Fact]
    public void IsPinnedRoot_OtherBytes_False()
    {
        var der = IntelSgxRoot.Certificate.RawData.ToArray();
        der[^1] ^= 1;

        Assert.False(IntelSgxRoot.IsPinnedRoot(der));
        Assert.True(IntelSgxRoot.IsPinnedRoot(IntelSgxRoot.Certificate.RawData));
    }
}
