namespace Tless.Runtime.Owner;

/// <summary>Resolves a workflow argument: a file path, or a name of the bundled workflows (<c>workflows/NAME.yaml</c>).</summary>
public static class WorkflowFiles
{
    /// <summary>The names the bundled workflows go by.</summary>
    public static IReadOnlyList<string> BundledNames { get; } = ["finra", "ml-training", "ml-inference", "word-count"];

    /// <summary>
    /// A path to an existing file, or <c>workflows/NAME.yaml</c> found by walking up from the current directory and
    /// from the tool's own directory. Throws <see cref="FileNotFoundException"/> saying where it looked.
    /// </summary>
    public static string Resolve(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (File.Exists(nameOrPath))
        {
            return Path.GetFullPath(nameOrPath);
        }

        if (nameOrPath.IndexOfAny(['/', '\\']) < 0 && !nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
        {
            var looked = new List<string>();
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "workflows", nameOrPath + ".yaml");
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                looked.Add(start);
            }

            throw new FileNotFoundException(
                $"workflow '{nameOrPath}' not found: no file of that name, and no workflows/{nameOrPath}.yaml above {string.Join(" or ", looked)} (bundled: {string.Join(", ", BundledNames)})");
        }

        throw new FileNotFoundException($"workflow file '{nameOrPath}' not found", nameOrPath);
    }
}
