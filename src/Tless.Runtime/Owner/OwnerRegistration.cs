using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Crypto.Abe;
using Tless.Runtime.Authority;
using Tless.Runtime.Hosting;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>The owner's registration: built from the workflow, the packages and the authorities, signed, deposited with every authority.</summary>
public static class OwnerRegistration
{
    /// <summary>
    /// Builds the registration: concrete scales (<paramref name="parameters"/>), each node's code digest, the
    /// reference measurements every node may run with, every authority's token key, the owner's CP-ABE public key
    /// (extension <see cref="HostWorkflow.OwnerAbeKeyExtension"/>) and, for mode tee, the digest of the workflow key.
    /// </summary>
    public static Registration Build(
        WorkflowSpec spec,
        IReadOnlyDictionary<string, string>? parameters,
        long version,
        IReadOnlyDictionary<string, string> codeDigests,
        IReadOnlyList<ReferenceMeasurement> measurements,
        IReadOnlyDictionary<string, AuthorityInfo> authorities,
        AuthorityPublicKey ownerAbeKey,
        ReadOnlySpan<byte> workflowKey = default,
        bool allowDebug = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(codeDigests);
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(ownerAbeKey);
        var missing = spec.Authorities.Services.Where(s => !authorities.ContainsKey(s.Id)).Select(s => s.Id).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"no authority information for {string.Join(", ", missing)}", nameof(authorities));
        }

        var registration = Registration.FromSpec(
            spec,
            version,
            parameters,
            n => new NodeArtifacts
            {
                CodeDigest = codeDigests.TryGetValue(n.Name, out var d) ? d : throw new ArgumentException($"no code digest for node '{n.Name}'", nameof(codeDigests)),
                Measurements = [.. measurements],
            },
            allowDebug);
        var extensions = registration.Extensions.SetItem(HostWorkflow.OwnerAbeKeyExtension, Convert.ToBase64String(ownerAbeKey.ToBytes()));
        if (!workflowKey.IsEmpty)
        {
            extensions = extensions.SetItem(ProtocolConstants.WorkflowKeyDigestExtension, Convert.ToHexStringLower(SHA256.HashData(workflowKey)));
        }

        return registration with
        {
            Authorities = [.. registration.Authorities.Select(a => a with { TokenKey = authorities[a.Id].TokenKey })],
            Extensions = extensions,
        };
    }

    /// <summary>
    /// Deposits <paramref name="signed"/> (and for mode tee the workflow key) with every authority in parallel;
    /// throws <see cref="AuthorityException"/> naming every authority that refused.
    /// </summary>
    public static async Task<ImmutableArray<RegisterResponse>> RegisterAsync(
        AuthoritySet authorities, SignedRegistration signed, ReadOnlyMemory<byte> workflowKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(signed);
        var request = new RegisterRequest
        {
            Registration = signed.ToJson(),
            WorkflowKey = workflowKey.IsEmpty ? null : Convert.ToBase64String(workflowKey.Span),
        };
        var results = await Task.WhenAll(authorities.Clients.Select(async c =>
        {
            try
            {
                return (c.Id, Response: await c.Client.RegisterAsync(signed.Registration.Workflow, request, cancellationToken).ConfigureAwait(false), Error: (AuthorityException?)null);
            }
            catch (AuthorityException e)
            {
                return (c.Id, Response: (RegisterResponse?)null, Error: e);
            }
        })).ConfigureAwait(false);
        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count > 0)
        {
            throw new AuthorityException(
                failed[0].Error!.Code,
                failed[0].Error!.Status,
                $"registration of '{signed.Registration.Workflow}' refused by {string.Join("; ", failed.Select(f => $"{f.Id}: {f.Error!.Code}: {f.Error.Message}"))}",
                failed[0].Error);
        }

        return [.. results.Select(r => r.Response!)];
    }
}
