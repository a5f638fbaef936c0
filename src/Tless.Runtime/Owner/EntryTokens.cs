using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>The owner's invocation tokens for the entry nodes of a run (DESIGN step 1 for the user).</summary>
public static class EntryTokens
{
    /// <summary>
    /// One token per instance of every entry node, naming that node's uploaded inputs, signed with
    /// <paramref name="ownerKey"/> (the key the registration pins).
    /// </summary>
    public static ImmutableDictionary<NodeInstance, ImmutableArray<string>> Create(
        WorkflowSpec spec,
        IReadOnlyDictionary<string, int> scales,
        UploadManifest manifest,
        string run,
        ECDsa ownerKey,
        TimeProvider time,
        TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(ownerKey);
        ArgumentNullException.ThrowIfNull(time);
        if (manifest.Workflow != spec.Name)
        {
            throw new ArgumentException($"the upload manifest is for workflow '{manifest.Workflow}', not '{spec.Name}'", nameof(manifest));
        }

        var result = ImmutableDictionary.CreateBuilder<NodeInstance, ImmutableArray<string>>();
        foreach (var node in spec.EntryNodes)
        {
            var inputs = manifest.Inputs.TryGetValue(node, out var list) ? list.Select(o => o.ToInput()).ToArray() : [];
            for (var i = 0; i < scales[node]; i++)
            {
                var target = new NodeInstance(node, i);
                var token = InvocationToken.Create(spec.Name, run, ProtocolConstants.UserParent, target.ToString(), inputs, time, lifetime);
                result[target] = [InvocationTokens.Sign(token, ownerKey)];
            }
        }

        return result.ToImmutable();
    }
}
