using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Tless.Runtime.Packaging;

/// <summary>
/// Builds a <see cref="FunctionPackage"/> from a compiled function assembly: the assembly plus the closure of its
/// references found next to it, minus the framework and the assemblies the host shares with every function
/// (<see cref="PackageLoadContext.SharedAssemblies"/>), plus native libraries for the current platform.
/// </summary>
public static class PackageBuilder
{
    /// <summary>Packages the assembly at <paramref name="assemblyPath"/> under <paramref name="packageName"/>.</summary>
    public static FunctionPackage FromAssembly(string assemblyPath, string packageName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(packageName);
        var fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            throw new PackageException($"function assembly not found: {fullPath}");
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        var entryName = Path.GetFileNameWithoutExtension(fullPath);
        var frameworkDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var pending = new Queue<string>([entryName]);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { entryName };
        while (pending.TryDequeue(out var name))
        {
            var path = Path.Combine(directory, name + ".dll");
            if (!File.Exists(path))
            {
                // Not next to the assembly: the framework or the host must provide it.
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            files[name + ".dll"] = bytes;
            foreach (var reference in ReferencesOf(bytes, path))
            {
                if (seen.Add(reference) && !PackageLoadContext.SharedAssemblies.Contains(reference)
                    && !File.Exists(Path.Combine(frameworkDirectory, reference + ".dll")))
                {
                    pending.Enqueue(reference);
                }
            }
        }

        AddNativeLibraries(directory, files);
        return FunctionPackage.Create(packageName, entryName, files);
    }

    /// <summary>
    /// Finds the assembly for package <paramref name="packageName"/> by convention: dashes become dots and the name is
    /// matched case-insensitively against <c>*.dll</c> in <paramref name="searchDirectory"/> (so <c>tless-apps</c>
    /// is <c>Tless.Apps.dll</c>). Returns null when none matches.
    /// </summary>
    public static string? FindAssemblyForPackage(string packageName, string searchDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageName);
        if (!Directory.Exists(searchDirectory))
        {
            return null;
        }

        var wanted = packageName.Replace('-', '.') + ".dll";
        return Directory.EnumerateFiles(searchDirectory, "*.dll")
            .FirstOrDefault(f => string.Equals(Path.GetFileName(f), wanted, StringComparison.OrdinalIgnoreCase));
    }

    private static List<string> ReferencesOf(byte[] bytes, string path)
    {
        try
        {
            using var pe = new PEReader(new MemoryStream(bytes));
            if (!pe.HasMetadata)
            {
                return [];
            }

            var reader = pe.GetMetadataReader();
            return [.. reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))];
        }
        catch (BadImageFormatException e)
        {
            throw new PackageException($"{path} is not a .NET assembly: {e.Message}", e);
        }
    }

    private static void AddNativeLibraries(string directory, Dictionary<string, byte[]> files)
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        var native = Path.Combine(directory, "runtimes", rid, "native");
        if (!Directory.Exists(native))
        {
            var portable = $"{(OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux")}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
            native = Path.Combine(directory, "runtimes", portable, "native");
        }

        if (!Directory.Exists(native))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(native))
        {
            files["native/" + Path.GetFileName(file)] = File.ReadAllBytes(file);
        }
    }
}
