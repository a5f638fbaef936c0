using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Runtime.Hosting;
using Tless.Runtime.Packaging;
using Tless.Runtime.Storage;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>
/// The owner's upload: every node's code package and every entry node's input files, sealed for the node that reads
/// them (<see cref="OwnerSealer"/>), written to the store.
/// </summary>
public static class WorkflowUploader
{
    /// <summary>The largest input file uploaded.</summary>
    public const long MaxInputBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Uploads; <paramref name="packages"/> maps package names to built packages (every node's package must be there).
    /// Input files are read relative to the workflow file.
    /// </summary>
    public static async Task<UploadManifest> UploadAsync(
        WorkflowSpec spec,
        IReadOnlyDictionary<string, FunctionPackage> packages,
        OwnerSealer sealer,
        IObjectStore store,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(packages);
        ArgumentNullException.ThrowIfNull(sealer);
        ArgumentNullException.ThrowIfNull(store);
        var missing = spec.Nodes.Where(n => !packages.ContainsKey(n.Package)).Select(n => $"'{n.Package}' (node {n.Name})").Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new PackageException($"no package built for {string.Join(", ", missing)}");
        }

        var code = ImmutableSortedDictionary.CreateBuilder<string, UploadedCode>(StringComparer.Ordinal);
        var inputs = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<UploadedObject>>(StringComparer.Ordinal);
        var writes = new List<Task>();
        foreach (var node in spec.Nodes)
        {
            var package = packages[node.Package];
            var key = ObjectNames.Code(spec.Name, node.Name);
            writes.Add(store.PutAsync(key, sealer.Seal(spec.Name, key, node.Name, package.Bytes), cancellationToken));
            code[node.Name] = new UploadedCode { Key = key, Package = node.Package, Digest = package.Digest };
        }

        foreach (var node in spec.Nodes.Where(n => !n.Inputs.IsEmpty))
        {
            if (!node.Parents.IsEmpty)
            {
                throw new ArgumentException($"node '{node.Name}' has input files but is not an entry node", nameof(spec));
            }

            var list = ImmutableArray.CreateBuilder<UploadedObject>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var input in node.Inputs)
            {
                var path = spec.ResolveInput(input);
                var name = Path.GetFileName(path);
                if (!ObjectNames.IsName(name) || !names.Add(name))
                {
                    throw new ArgumentException($"input '{input}' of node '{node.Name}': file name '{name}' is not a valid or unique object name", nameof(spec));
                }

                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    throw new FileNotFoundException($"input '{input}' of node '{node.Name}' not found at {path}", path);
                }

                if (info.Length > MaxInputBytes)
                {
                    throw new ArgumentException($"input {path} is {info.Length} bytes, more than {MaxInputBytes}", nameof(spec));
                }

                var plain = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                var key = ObjectNames.UserInput(spec.Name, node.Name, name);
                var sealedBytes = sealer.Seal(spec.Name, key, node.Name, plain);
                writes.Add(store.PutAsync(key, sealedBytes, cancellationToken));
                list.Add(new UploadedObject { Key = key, Sha256 = Convert.ToHexStringLower(SHA256.HashData(sealedBytes)) });
            }

            inputs[node.Name] = list.ToImmutable();
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        return new UploadManifest
        {
            Workflow = spec.Name,
            Mode = sealer.Mode.ToText(),
            Store = store.Url,
            Code = code.ToImmutable(),
            Inputs = inputs.ToImmutable(),
        };
    }
}
