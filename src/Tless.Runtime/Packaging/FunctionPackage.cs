using System.Collections.Immutable;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tless.Runtime.Packaging;

/// <summary>
/// A function package: a deterministic zip holding a function assembly, its private dependencies and a manifest
/// (<c>tless-package.json</c>). Its digest, SHA-256 over the package bytes, is what the user registers and what the
/// host checks before it loads the code.
/// </summary>
public sealed class FunctionPackage
{
    /// <summary>The manifest's file name inside the archive.</summary>
    public const string ManifestName = "tless-package.json";

    /// <summary>The format tag in the manifest.</summary>
    public const string Format = "tless-package/v1";

    /// <summary>Largest package accepted (uncompressed, all entries together).</summary>
    public const long MaxUncompressedBytes = 512L * 1024 * 1024;

    private FunctionPackage(byte[] bytes, PackageManifest manifest, ImmutableDictionary<string, byte[]> files)
    {
        Bytes = bytes;
        Manifest = manifest;
        Files = files;
        Digest = DigestOf(bytes);
    }

    /// <summary>The package bytes (the zip).</summary>
    public byte[] Bytes { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Bytes"/>.</summary>
    public string Digest { get; }

    public PackageManifest Manifest { get; }

    /// <summary>Every file of the package except the manifest, by relative path with <c>/</c> separators.</summary>
    public ImmutableDictionary<string, byte[]> Files { get; }

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string DigestOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Parses package bytes; throws <see cref="PackageException"/> naming what is wrong.</summary>
    public static FunctionPackage Read(byte[] bytes, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var where = origin ?? "package";
        var files = ImmutableDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        PackageManifest? manifest = null;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                if (name.EndsWith('/'))
                {
                    continue;
                }

                if (!IsSafeRelativePath(name))
                {
                    throw new PackageException($"{where}: entry '{name}' is not a safe relative path");
                }

                total += entry.Length;
                if (entry.Length < 0 || total > MaxUncompressedBytes)
                {
                    throw new PackageException($"{where}: larger than {MaxUncompressedBytes} bytes uncompressed");
                }

                using var stream = entry.Open();
                using var buffer = new MemoryStream((int)Math.Min(entry.Length, int.MaxValue));
                stream.CopyTo(buffer);
                if (buffer.Length != entry.Length)
                {
                    throw new PackageException($"{where}: entry '{name}' has {buffer.Length} bytes, the directory says {entry.Length}");
                }

                if (name == ManifestName)
                {
                    manifest = ParseManifest(buffer.ToArray(), where);
                }
                else if (!files.TryAdd(name, buffer.ToArray()))
                {
                    throw new PackageException($"{where}: entry '{name}' appears twice");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new PackageException($"{where}: not a valid zip archive: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new PackageException($"{where}: no {ManifestName}");
        }

        var entryFile = manifest.Assembly + ".dll";
        if (!files.ContainsKey(entryFile))
        {
            throw new PackageException($"{where}: the manifest names assembly '{manifest.Assembly}' but {entryFile} is not in the package");
        }

        return new FunctionPackage(bytes, manifest, files.ToImmutable());
    }

    /// <summary>
    /// Builds a deterministic package named <paramref name="name"/> from <paramref name="files"/> (relative path to
    /// bytes) whose entry assembly is <paramref name="assemblyName"/>. Entries are sorted and time-stamped with a
    /// fixed date, so the same inputs give the same bytes and digest.
    /// </summary>
    public static FunctionPackage Create(string name, string assemblyName, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyName);
        ArgumentNullException.ThrowIfNull(files);
        if (!files.ContainsKey(assemblyName + ".dll"))
        {
            throw new ArgumentException($"the files do not contain the entry assembly {assemblyName}.dll", nameof(files));
        }

        foreach (var path in files.Keys)
        {
            if (!IsSafeRelativePath(path) || path == ManifestName)
            {
                throw new ArgumentException($"'{path}' cannot be a package entry", nameof(files));
            }
        }

        var manifest = new PackageManifest { Format = Format, Name = name, Assembly = assemblyName };
        var fixedTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string path, byte[] content)
            {
                var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
                entry.LastWriteTime = fixedTime;
                using var stream = entry.Open();
                stream.Write(content);
            }

            Add(ManifestName, JsonSerializer.SerializeToUtf8Bytes(manifest, PackageJson.Default.PackageManifest));
            foreach (var path in files.Keys.Order(StringComparer.Ordinal))
            {
                Add(path, files[path]);
            }
        }

        return Read(output.ToArray());
    }

    private static PackageManifest ParseManifest(byte[] json, string where)
    {
        PackageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, PackageJson.Default.PackageManifest);
        }
        catch (JsonException e)
        {
            throw new PackageException($"{where}: {ManifestName} is not valid JSON: {e.Message}", e);
        }

        if (manifest is null || manifest.Format != Format)
        {
            throw new PackageException($"{where}: {ManifestName} must have format '{Format}'");
        }

        if (string.IsNullOrWhiteSpace(manifest.Name) || string.IsNullOrWhiteSpace(manifest.Assembly))
        {
            throw new PackageException($"{where}: {ManifestName} must name the package and its assembly");
        }

        return manifest;
    }

    internal static bool IsSafeRelativePath(string path) =>
        path.Length > 0 && path.Length < 512 && !path.StartsWith('/') && !path.Contains('\\', StringComparison.Ordinal)
        && !path.Contains(':', StringComparison.Ordinal) && path.Split('/').All(s => s.Length > 0 && s != "." && s != "..");
}

/// <summary>The manifest of a <see cref="FunctionPackage"/>.</summary>
public sealed record PackageManifest
{
    [JsonPropertyName("format")]
    public required string Format { get; init; }

    /// <summary>The package name the workflow refers to (e.g. <c>tless-apps</c>).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The simple name of the entry assembly (its file is <c>Assembly + ".dll"</c>).</summary>
    [JsonPropertyName("assembly")]
    public required string Assembly { get; init; }
}

/// <summary>A package is malformed, missing, or does not match its registered digest.</summary>
public sealed class PackageException : TlessException
{
    public PackageException(string message)
        : base(message)
    {
    }

    public PackageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

[JsonSerializable(typeof(PackageManifest))]
internal sealed partial class PackageJson : JsonSerializerContext;
