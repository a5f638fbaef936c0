namespace Tless.Testing;

/// <summary>
/// Locates the read-only test data in ../shared (vectors, attestation fixtures). TLESS_SHARED overrides the location.
/// When the data is missing the tests skip locally, but fail under CI (CI=true) so that a missing checkout is noticed.
/// </summary>
internal static class SharedData
{
    public static string Root { get; } = FindRoot();

    public static string Vectors => Path.Combine(Root, "vectors");

    public static string Fixtures => Path.Combine(Root, "fixtures", "attestation");

    /// <summary>The full path of a file under the shared root; skips (or fails under CI) when it is missing.</summary>
    public static string Require(params string[] relative)
    {
        var path = Path.Combine([Root, .. relative]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            var message = $"shared test data not found: {path} (set TLESS_SHARED to the folder holding vectors/ and fixtures/)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(message);
            }

            Assert.Skip(message);
        }

        return path;
    }

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("TLESS_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.GetFullPath(env);
        }

        // The repository root recorded at build time (Directory.Build.targets), then a walk up from the binary.
        var recorded = typeof(SharedData).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TlessRepositoryRoot")?.Value;
        if (!string.IsNullOrEmpty(recorded) && File.Exists(Path.Combine(recorded, "TLess.slnx")))
        {
            return Path.GetFullPath(Path.Combine(recorded, "..", "shared"));
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TLess.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            }
        }

        return Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), "..", "shared"));
    }
}
