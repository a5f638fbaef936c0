using Tless.Runtime.Packaging;

namespace Tless.Runtime.Tests;

/// <summary>The test functions assembly (built next to the tests) as a package.</summary>
internal static class TestPackages
{
    public const string Name = "test-functions";

    public const string Namespace = "Tless.Runtime.TestFunctions";

    private static readonly Lazy<FunctionPackage> Lazy = new(() =>
        PackageBuilder.FromAssembly(Path.Combine(AppContext.BaseDirectory, "Tless.Runtime.TestFunctions.dll"), Name));

    public static FunctionPackage Functions => Lazy.Value;
}
