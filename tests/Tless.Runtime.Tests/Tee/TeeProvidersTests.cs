using Tless.Attestation;
using Tless.Attestation.Sim;
using Tless.Runtime.Tee;

namespace Tless.Runtime.Tests.Tee;

public sealed class TeeProvidersTests
{
    [Fact]
    public void Create_Sim_NeedsPlatform()
    {
        Assert.Throws<ArgumentException>(() => TeeProviders.Create(TeeKind.Sim));
        using var platform = SimulatedTee.Create();
        Assert.IsType<SimTeeProvider>(TeeProviders.Create(TeeKind.Sim, new TeeProviderOptions { SimPlatform = platform }));
    }

    [Theory]
    [InlineData(TeeKind.Snp, "no SEV-SNP guest interface")]
    [InlineData(TeeKind.Tdx, "configfs-tsm is not available")]
    [InlineData(TeeKind.Sgx, "no SGX attestation interface")]
    public void Create_HardwareKindWithoutInterface_ThrowsTeeException(TeeKind kind, string expected)
    {
        var missing = Path.Combine(Path.GetTempPath(), "tless-no-such-" + Guid.NewGuid().ToString("N"));
        var options = new TeeProviderOptions
        {
            Snp = new SnpTeeOptions { ConfigFsTsmPath = missing, SevGuestDevicePath = missing + "-dev" },
            Tdx = new TdxTeeOptions { ConfigFsTsmPath = missing },
            Sgx = new SgxTeeOptions { AttestationPath = missing },
        };
        var e = Assert.Throws<TeeException>(() => TeeProviders.Create(kind, options));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RealFileSystem_ReadFile_ReadsPastReportedLengthToEnd()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, new byte[40_000]);
            Assert.Equal(40_000, TeeFileSystem.Instance.ReadFile(file).Length);
            TeeFileSystem.Instance.WriteFile(file, [1, 2, 3]);
            Assert.Equal(new byte[] { 1, 2, 3, 0 }, TeeFileSystem.Instance.ReadFile(file)[..4]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void RealFileSystem_CreateDirectory_RefusesExistingEntry()
    {
        var dir = Directory.CreateTempSubdirectory("tless-tsm-");
        try
        {
            Assert.Throws<IOException>(() => TeeFileSystem.Instance.CreateDirectory(dir.FullName));
            var entry = Path.Combine(dir.FullName, "e");
            TeeFileSystem.Instance.CreateDirectory(entry);
            Assert.True(TeeFileSystem.Instance.DirectoryExists(entry));
            TeeFileSystem.Instance.DeleteDirectory(entry);
            Assert.False(TeeFileSystem.Instance.DirectoryExists(entry));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
