namespace Tless.Apps.Tests.Infrastructure;

/// <summary>The committed samples and workflow files, copied next to the test binary by the project file.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "repo");

    public static string Data(params string[] relative) => Path.Combine([Root, "data", .. relative]);

    public static string Workflow(string name) => Path.Combine(Root, "workflows", name + ".yaml");

    public static byte[] ReadData(params string[] relative) => File.ReadAllBytes(Data(relative));
}
