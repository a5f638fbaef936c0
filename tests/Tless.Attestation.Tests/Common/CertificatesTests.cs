using System.Text;
using FsCheck.Xunit;
using Tless.Attestation.Common;
using Tless.Testing;

namespace Tless.Attestation.Tests.Common;

public sealed class CertificatesTests
{
    [Fact]
    public void ReadFile_TwoCertificatePem_ReturnsBoth()
    {
        var certs = Certificates.ReadFile(SharedData.Require("fixtures", "attestation", "amd-roots", "milan_cert_chain_ask_ark.pem"));

        Assert.Equal(2, certs.Count);
        Assert.Equal("69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD", Certificates.Fingerprint(certs[1]));
    }

    [Fact]
    public void ReadFile_Der_ReturnsOne()
    {
        var certs = Certificates.ReadFile(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der"));

        Assert.Single(certs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void ReadAll_NoCertificate_ThrowsFormat(string text)
    {
        var ex = Assert.Throws<TlessFormatException>(() => Certificates.ReadAll(Encoding.ASCII.GetBytes(text), "input.pem"));
        Assert.Contains("input.pem", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAll_TruncatedDer_ThrowsFormat()
    {
        var der = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der"));

        Assert.Throws<TlessFormatException>(() => Certificates.ReadAll(der.AsSpan(0, der.Length / 2), "vcek.der"));
    }

    [Fact]
    public void Split_AmdCertificate_IsRsaPssSha384()
    {
        var der = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der"));

        var parts = Certificates.Split(der, "vcek");

        Assert.True(Certificates.IsRsaPssSha384(parts.SignatureAlgorithm));
        Assert.Equal(parts.SignatureAlgorithm, parts.TbsSignatureAlgorithm);
        Assert.Equal(512, parts.Signature.Length);
    }

    [Fact]
    public void IsRsaPssSha384_OtherAlgorithms_False()
    {
        var intel = Certificates.ReadFile(SharedData.Require("fixtures", "attestation", "intel-roots", "Intel_SGX_RootCA.der"))[0];

        Assert.False(Certificates.IsRsaPssSha384(Certificates.Split(intel, "intel").SignatureAlgorithm));
        Assert.False(Certificates.IsRsaPssSha384([0x30, 0x00]));
        Assert.False(Certificates.IsRsaPssSha384([0xFF]));
    }

    [Property(MaxTest = 200)]
    public void ReadAll_RandomBytes_ReturnsCertificatesOrThrowsFormat(byte[] data)
    {
        try
        {
            Assert.NotEmpty(Certificates.ReadAll(data ?? [], "random"));
        }
        catch (TlessFormatException)
        {
        }
    }

    [Fact]
    public void ReadAll_MutatedDer_ReturnsOrThrowsFormatOnly()
    {
        var der = File.ReadAllBytes(SharedData.Require("fixtures", "attestation", "snp-milan-v2-virtee", "vcek.der"));
        var rng = new Random(42);
        for (var i = 0; i < 300; i++)
        {
            var m = (byte[])der.Clone();
            m[rng.Next(m.Length)] ^= (byte)rng.Next(1, 256);
            try
            {
                Certificates.ReadAll(m, "mutated");
                Certificates.Split(m, "mutated");
            }
            catch (TlessFormatException)
            {
            }
        }
    }
}
