using System.Collections.Immutable;
using Tless.Crypto.Abe;
using Tless.Workflows;

namespace Tless.Runtime.Hosting;

/// <summary>
/// What a function host trusts about a workflow: the DAG and functions, the concrete scales of this run, and the
/// registered code digest of every node. In modes tee and tless it is built from the owner-signed registration
/// (<see cref="FromRegistration"/>), which also gives the owner's keys.
/// </summary>
public sealed record HostWorkflow
{
    /// <summary>The registration extension holding the owner's CP-ABE authority public key (base64).</summary>
    public const string OwnerAbeKeyExtension = "tless.user.abePublicKey";

    public required WorkflowSpec Spec { get; init; }

    /// <summary>The concrete scale of every node.</summary>
    public required ImmutableDictionary<string, int> Scales { get; init; }

    /// <summary>SHA-256 (hex) of every node's code package, as registered.</summary>
    public required ImmutableDictionary<string, string> CodeDigests { get; init; }

    /// <summary>Run parameters the functions see (declared defaults merged with the user's).</summary>
    public ImmutableDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The owner's signing key (SubjectPublicKeyInfo) that signs the registration and entry tokens; empty in mode none.</summary>
    public ImmutableArray<byte> OwnerSigningKey { get; init; } = [];

    /// <summary>The owner's CP-ABE authority public key (results are sealed under <c>{user}.owner:W</c>); null in mode none.</summary>
    public AuthorityPublicKey? OwnerAbeKey { get; init; }

    /// <summary>The registration this view was built from, or null (mode none).</summary>
    public Registration? Registration { get; init; }

    public string Name => Spec.Name;

    /// <summary>The scale of <paramref name="node"/>; ArgumentException for an unknown node.</summary>
    public int ScaleOf(string node) =>
        Scales.TryGetValue(node, out var scale) ? scale : throw new ArgumentException($"workflow '{Name}' has no node '{node}'", nameof(node));

    /// <summary>The view of mode none: scales from <paramref name="parameters"/>, digests as given.</summary>
    public static HostWorkflow Unregistered(WorkflowSpec spec, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string> codeDigests)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(codeDigests);
        return new HostWorkflow
        {
            Spec = spec,
            Scales = spec.ResolveScales(parameters),
            CodeDigests = codeDigests.ToImmutableDictionary(StringComparer.Ordinal),
            Parameters = spec.ResolveParameters(parameters),
        };
    }

    /// <summary>
    /// The view of modes tee and tless: verifies the signed registration (signature, and signer =
    /// <paramref name="pinnedOwnerKey"/> when given), checks it describes <paramref name="spec"/> (same nodes,
    /// functions, packages and parents), and takes scales and code digests from it. Throws
    /// <see cref="InvocationRefusedException"/> saying what does not match.
    /// </summary>
    public static HostWorkflow FromRegistration(
        WorkflowSpec spec, SignedRegistration signed, IReadOnlyDictionary<string, string>? parameters, ReadOnlySpan<byte> pinnedOwnerKey = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(signed);
        var verification = RegistrationVerifier.Verify(signed, pinnedOwnerKey, 0, spec.Name);
        if (!verification.IsValid)
        {
            throw new InvocationRefusedException($"the registration of '{spec.Name}' is not acceptable: {verification.FailedCheck}: {verification.Detail}");
        }

        var r = signed.Registration;
        var problems = new List<string>();
        var registered = r.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var node in spec.Nodes)
        {
            if (!registered.TryGetValue(node.Name, out var rn))
            {
                problems.Add($"node '{node.Name}' is not registered");
                continue;
            }

            if (rn.Function != node.Function || rn.Package != node.Package)
            {
                problems.Add($"node '{node.Name}' is registered as {rn.Function} in {rn.Package}");
            }

            if (!rn.Parents.SequenceEqual(node.Parents))
            {
                problems.Add($"node '{node.Name}' is registered with parents [{string.Join(", ", rn.Parents)}]");
            }
        }

        problems.AddRange(registered.Keys.Where(n => !spec.TryGetNode(n, out _)).Select(n => $"registered node '{n}' is not in the workflow file"));

        var scales = spec.ResolveScales(parameters);
        foreach (var rn in r.Nodes.Where(n => scales.TryGetValue(n.Name, out var s) && s != n.Scale))
        {
            problems.Add($"node '{rn.Name}' has scale {scales[rn.Name]} in this run but {rn.Scale} in the registration (register again with the same parameters)");
        }

        if (problems.Count > 0)
        {
            throw new InvocationRefusedException($"the registration of '{spec.Name}' does not match the workflow file: {string.Join("; ", problems)}");
        }

        AuthorityPublicKey? ownerAbe = null;
        if (r.Extensions.TryGetValue(OwnerAbeKeyExtension, out var text))
        {
            try
            {
                ownerAbe = AuthorityPublicKey.FromBytes(Convert.FromBase64String(text));
            }
            catch (FormatException e)
            {
                throw new InvocationRefusedException($"the registration of '{spec.Name}': extension {OwnerAbeKeyExtension} is not base64", e);
            }
            catch (TlessFormatException e)
            {
                throw new InvocationRefusedException($"the registration of '{spec.Name}': extension {OwnerAbeKeyExtension}: {e.Message}", e);
            }

            if (ownerAbe.AuthorityId != r.User)
            {
                throw new InvocationRefusedException($"the registration of '{spec.Name}': the owner's CP-ABE key is for '{ownerAbe.AuthorityId}', not '{r.User}'");
            }
        }

        return new HostWorkflow
        {
            Spec = spec,
            Scales = r.Nodes.ToImmutableDictionary(n => n.Name, n => n.Scale, StringComparer.Ordinal),
            CodeDigests = r.Nodes.ToImmutableDictionary(n => n.Name, n => n.CodeDigest, StringComparer.Ordinal),
            Parameters = spec.ResolveParameters(parameters),
            OwnerSigningKey = signed.PublicKey,
            OwnerAbeKey = ownerAbe,
            Registration = r,
        };
    }
}
