using System.IO.Compression;
using System.Text;
using Tless.Runtime.Packaging;
using Tless.Runtime.Sdk;

namespace Tless.Runtime.Tests.Packaging;

public sealed class FunctionPackageTests
{
    [Fact]
    public void FromAssembly_TestFunctions_HasEntryAssemblyButNotSharedHostAssemblies()
    {
        var package = TestPackages.Functions;
        Assert.Equal("Tless.Runtime.TestFunctions", package.Manifest.Assembly);
        Assert.Contains("Tless.Runtime.TestFunctions.dll", package.Files.Keys);
        Assert.DoesNotContain(package.Files.Keys, f => f.StartsWith("Tless.Runtime.dll", StringComparison.Ordinal));
        Assert.Equal(64, package.Digest.Length);
    }

    [Fact]
    public void Create_SameFiles_SameBytesAndDigest()
    {
        var files = new Dictionary<string, byte[]> { ["A.dll"] = [1, 2, 3], ["b/c.txt"] = Encoding.UTF8.GetBytes("c") };
        var one = FunctionPackage.Create("p", "A", files);
        var two = FunctionPackage.Create("p", "A", new Dictionary<string, byte[]>(files.Reverse()));
        Assert.Equal(one.Bytes, two.Bytes);
        Assert.Equal(one.Digest, two.Digest);
        var changed = FunctionPackage.Create("p", "A", new Dictionary<string, byte[]> { ["A.dll"] = [1, 2, 4], ["b/c.txt"] = files["b/c.txt"] });
        Assert.NotEqual(one.Digest, changed.Digest);
    }

    [Fact]
    public void Read_Garbage_ThrowsPackageExceptionNamingOrigin()
    {
        var e = Assert.Throws<PackageException>(() => FunctionPackage.Read([1, 2, 3, 4], "wf/x/code/n.pkg"));
        Assert.Contains("wf/x/code/n.pkg", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid zip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoManifest_Throws()
    {
        var e = Assert.Throws<PackageException>(() => FunctionPackage.Read(Zip(("A.dll", [1]))));
        Assert.Contains(FunctionPackage.ManifestName, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil.dll")]
    [InlineData("/abs.dll")]
    [InlineData("a\\b.dll")]
    public void Read_UnsafeEntryPath_Throws(string path)
    {
        var manifest = Encoding.UTF8.GetBytes("""{"format":"tless-package/v1","name":"p","assembly":"A"}""");
        var e = Assert.Throws<PackageException>(() => FunctionPackage.Read(Zip((FunctionPackage.ManifestName, manifest), ("A.dll", [1]), (path, [2]))));
        Assert.Contains("not a safe relative path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ManifestNamesMissingAssembly_Throws()
    {
        var manifest = Encoding.UTF8.GetBytes("""{"format":"tless-package/v1","name":"p","assembly":"Missing"}""");
        var e = Assert.Throws<PackageException>(() => FunctionPackage.Read(Zip((FunctionPackage.ManifestName, manifest), ("A.dll", [1]))));
        Assert.Contains("Missing.dll", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadContext_KnownFunction_CreatesInstanceSharingSdkTypes()
    {
        using var context = new PackageLoadContext(FunctionPackage.Read(TestPackages.Functions.Bytes));
        var function = context.CreateFunction(TestPackages.Namespace + ".UpperFunction");
        Assert.IsAssignableFrom<ITlessFunction>(function);
        Assert.Same(context, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(function.GetType().Assembly));
        Assert.True(context.IsCollectible);
    }

    [Theory]
    [InlineData("Tless.Runtime.TestFunctions.Missing", "has no type")]
    [InlineData("Tless.Runtime.TestFunctions.NotAFunction", "does not implement")]
    public void LoadContext_BadType_ThrowsPackageException(string type, string expected)
    {
        using var context = new PackageLoadContext(TestPackages.Functions);
        var e = Assert.Throws<PackageException>(() => context.CreateFunction(type));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindAssemblyForPackage_Convention_MatchesDashesToDots()
    {
        var found = PackageBuilder.FindAssemblyForPackage("tless-runtime-testfunctions", AppContext.BaseDirectory);
        Assert.NotNull(found);
        Assert.Equal("Tless.Runtime.TestFunctions.dll", Path.GetFileName(found));
        Assert.Null(PackageBuilder.FindAssemblyForPackage("no-such-package", AppContext.BaseDirectory));
    }

    private static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(data);
            }
        }

        return output.ToArray();
    }
}
