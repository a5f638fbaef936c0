using System.Reflection;

namespace Tless.Workflows.Tests;

/// <summary>Paths of the test corpus (copied next to the test binary) and of the repository's workflow files.</summary>
internal static class Corpus
{
    public static string Valid(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", "valid", name);

    public static string Bad(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", "bad", name);

    /// <summary>The repository root (the folder holding TLess.slnx), recorded at build time.</summary>
    public static string RepositoryRoot() =>
        typeof(Corpus).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
}
