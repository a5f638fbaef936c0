using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.Loader;
using Tless.Runtime.Sdk;

namespace Tless.Runtime.Packaging;

/// <summary>
/// A collectible <see cref="AssemblyLoadContext"/> holding one decrypted function package. Assemblies of the package
/// load from memory; the host's own assemblies (the SDK and the libraries it depends on) are shared with the host so
/// that <see cref="ITlessFunction"/> is the same type on both sides; everything else falls back to the framework.
/// Native libraries are written to a private temporary directory for the lifetime of the context.
/// </summary>
public sealed class PackageLoadContext : AssemblyLoadContext, IDisposable
{
    private readonly FunctionPackage package;
    private readonly Dictionary<string, Assembly> loaded = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock gate = new();
    private string? nativeDirectory;
    private bool unloaded;

    /// <summary>Assemblies every function shares with the host and that a package must not carry.</summary>
    public static FrozenSet<string> SharedAssemblies { get; } = new[]
    {
        "Tless.Runtime", "Tless.Workflows", "Tless.Attestation", "Tless.Crypto", "Tless.AttestationService", "Tless.Cli",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public PackageLoadContext(FunctionPackage package)
        : base($"tless-package:{package?.Manifest.Name}:{package?.Digest[..12]}", isCollectible: true)
    {
        ArgumentNullException.ThrowIfNull(package);
        this.package = package;
    }

    /// <summary>The package this context loads from.</summary>
    public FunctionPackage Package => package;

    /// <summary>
    /// Creates an instance of <paramref name="typeName"/> (searched in the entry assembly first, then in the other
    /// package assemblies). Throws <see cref="PackageException"/> when the type is missing, is not an
    /// <see cref="ITlessFunction"/>, or has no public parameterless constructor.
    /// </summary>
    public ITlessFunction CreateFunction(string typeName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        var type = FindType(typeName)
            ?? throw new PackageException($"package '{package.Manifest.Name}' has no type '{typeName}'");
        if (!typeof(ITlessFunction).IsAssignableFrom(type))
        {
            throw new PackageException($"type '{typeName}' in package '{package.Manifest.Name}' does not implement {nameof(ITlessFunction)}");
        }

        if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new PackageException($"type '{typeName}' in package '{package.Manifest.Name}' needs a public parameterless constructor");
        }

        try
        {
            return (ITlessFunction)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e)
        {
            throw new PackageException($"the constructor of '{typeName}' threw: {e.InnerException?.Message}", e.InnerException);
        }
    }

    /// <summary>Unloads the context (collectible; the runtime frees it once no references remain).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (unloaded)
            {
                return;
            }

            unloaded = true;
        }

        Unload();
        if (nativeDirectory is not null)
        {
            try
            {
                Directory.Delete(nativeDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Still mapped by the process: the OS frees it at exit.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || SharedAssemblies.Contains(name))
        {
            return null;
        }

        return LoadFromPackage(name);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var candidate in NativeCandidates(unmanagedDllName))
        {
            if (package.Files.ContainsKey("native/" + candidate))
            {
                return LoadUnmanagedDllFromPath(ExtractNative(candidate));
            }
        }

        return IntPtr.Zero;
    }

    private Type? FindType(string typeName)
    {
        var entry = LoadFromPackage(package.Manifest.Assembly)
            ?? throw new PackageException($"package '{package.Manifest.Name}' lacks its entry assembly");
        var type = entry.GetType(typeName, throwOnError: false);
        if (type is not null)
        {
            return type;
        }

        foreach (var file in package.Files.Keys.Where(f => f.EndsWith(".dll", StringComparison.Ordinal) && !f.Contains('/', StringComparison.Ordinal)))
        {
            var assembly = LoadFromPackage(file[..^4]);
            type = assembly?.GetType(typeName, throwOnError: false);
            if (type is not null)
            {
                return type;
            }
        }

        return null;
    }

    private Assembly? LoadFromPackage(string name)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(unloaded, this);
            if (loaded.TryGetValue(name, out var existing))
            {
                return existing;
            }

            if (!package.Files.TryGetValue(name + ".dll", out var bytes))
            {
                return null;
            }

            try
            {
                var assembly = LoadFromStream(new MemoryStream(bytes, writable: false));
                loaded[name] = assembly;
                return assembly;
            }
            catch (BadImageFormatException e)
            {
                throw new PackageException($"package '{package.Manifest.Name}': {name}.dll is not a valid assembly", e);
            }
        }
    }

    private string ExtractNative(string fileName)
    {
        lock (gate)
        {
            nativeDirectory ??= Directory.CreateTempSubdirectory("tless-native-").FullName;
            var path = Path.Combine(nativeDirectory, fileName);
            if (!File.Exists(path))
            {
                File.WriteAllBytes(path, package.Files["native/" + fileName]);
            }

            return path;
        }
    }

    private static IEnumerable<string> NativeCandidates(string name)
    {
        yield return name;
        if (OperatingSystem.IsWindows())
        {
            yield return name + ".dll";
        }
        else
        {
            var ext = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
            yield return name + ext;
            yield return "lib" + name + ext;
        }
    }
}
