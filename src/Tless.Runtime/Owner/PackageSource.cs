using Tless.Runtime.Packaging;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>
/// Finds the function packages a workflow names: a prebuilt package file given explicitly (<c>name=file.zip</c>), or
/// the assembly named after the package (<c>tless-apps</c> -> <c>Tless.Apps.dll</c>) in the search directories,
/// packaged on the fly (deterministically, so the digest is stable).
/// </summary>
public static class PackageSource
{
    public static Dictionary<string, FunctionPackage> Resolve(
        WorkflowSpec spec, IReadOnlyDictionary<string, string>? packageFiles = null, IEnumerable<string>? searchDirectories = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var directories = (searchDirectories ?? [AppContext.BaseDirectory]).ToList();
        var result = new Dictionary<string, FunctionPackage>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var name in spec.Nodes.Select(n => n.Package).Distinct(StringComparer.Ordinal))
        {
            if (packageFiles is not null && packageFiles.TryGetValue(name, out var file))
            {
                if (!File.Exists(file))
                {
                    problems.Add($"package '{name}': {file} not found");
                    continue;
                }

                var package = FunctionPackage.Read(File.ReadAllBytes(file), file);
                if (package.Manifest.Name != name)
                {
                    problems.Add($"package file {file} is package '{package.Manifest.Name}', not '{name}'");
                    continue;
                }

                result[name] = package;
                continue;
            }

            var assembly = directories.Select(d => PackageBuilder.FindAssemblyForPackage(name, d)).FirstOrDefault(a => a is not null);
            if (assembly is null)
            {
                problems.Add($"package '{name}': no {name.Replace('-', '.')}.dll in {string.Join(", ", directories)} (give a package file with --package {name}=FILE)");
                continue;
            }

            result[name] = PackageBuilder.FromAssembly(assembly, name);
        }

        return problems.Count == 0 ? result : throw new PackageException(string.Join("; ", problems));
    }
}
