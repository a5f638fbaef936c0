using System.Collections.Immutable;
using Tless.Crypto.Abe;
using Tless.Runtime.Authority;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Hosting;

/// <summary>Where to reach one attestation service: its id, URL and (for HTTPS) the pinned certificate fingerprint.</summary>
public sealed record AuthorityEndpoint
{
    public required string Id { get; init; }

    public required Uri Url { get; init; }

    /// <summary>SHA-256 (hex) of the service's TLS certificate; null to use normal certificate validation.</summary>
    public string? CertificateSha256 { get; init; }
}

/// <summary>
/// The attestation services of a workflow: one <see cref="AuthorityClient"/> each, and their public information
/// (CP-ABE public key, token key) fetched once and checked to carry the expected id.
/// </summary>
public sealed class AuthoritySet : IDisposable
{
    private readonly ImmutableArray<(string Id, AuthorityClient Client)> clients;
    private readonly SemaphoreSlim infoGate = new(1, 1);
    private ImmutableDictionary<string, AuthorityInfo>? info;
    private ImmutableArray<AuthorityPublicKey> abeKeys;

    public AuthoritySet(IEnumerable<AuthorityEndpoint> endpoints, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var list = endpoints.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("at least one attestation service is needed", nameof(endpoints));
        }

        var duplicate = list.GroupBy(e => e.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"attestation service '{duplicate.Key}' is listed twice", nameof(endpoints));
        }

        clients = [.. list.Select(e => (e.Id, new AuthorityClient(new AuthorityClientOptions
        {
            BaseAddress = e.Url,
            CertificateSha256 = e.CertificateSha256,
            TimeProvider = time ?? TimeProvider.System,
        })))];
    }

    /// <summary>The authority ids, in the given order.</summary>
    public IEnumerable<string> Ids => clients.Select(c => c.Id);

    public int Count => clients.Length;

    /// <summary>The client for authority <paramref name="id"/>.</summary>
    public AuthorityClient Client(string id) =>
        clients.FirstOrDefault(c => c.Id == id).Client ?? throw new ArgumentException($"no attestation service '{id}'", nameof(id));

    internal ImmutableArray<(string Id, AuthorityClient Client)> Clients => clients;

    /// <summary><c>GET /v1/authority</c> of every service (cached after the first success).</summary>
    public async Task<ImmutableDictionary<string, AuthorityInfo>> GetInfoAsync(CancellationToken cancellationToken)
    {
        if (info is not null)
        {
            return info;
        }

        await infoGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (info is not null)
            {
                return info;
            }

            var answers = await Task.WhenAll(clients.Select(async c =>
            {
                AuthorityInfo answer;
                try
                {
                    answer = await c.Client.GetAuthorityAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (AuthorityException e)
                {
                    throw new AuthorityException(e.Code, e.Status, $"attestation service '{c.Id}': {e.Message}", e);
                }

                if (answer.Id != c.Id)
                {
                    throw new AuthorityException(AuthorityException.BadResponse, null, $"the service configured as '{c.Id}' says it is '{answer.Id}'");
                }

                return answer;
            })).ConfigureAwait(false);
            info = answers.ToImmutableDictionary(a => a.Id, StringComparer.Ordinal);
            return info;
        }
        finally
        {
            infoGate.Release();
        }
    }

    /// <summary>The CP-ABE public keys of every service (parsed once and reused: each key caches its precomputation).</summary>
    public async Task<ImmutableArray<AuthorityPublicKey>> GetAbePublicKeysAsync(CancellationToken cancellationToken)
    {
        if (!abeKeys.IsDefault)
        {
            return abeKeys;
        }

        var all = await GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var keys = ImmutableArray.CreateBuilder<AuthorityPublicKey>(all.Count);
        foreach (var (id, i) in all.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            AuthorityPublicKey key;
            try
            {
                key = AuthorityPublicKey.FromBytes(Convert.FromBase64String(i.AbePublicKey));
            }
            catch (FormatException e)
            {
                throw new AuthorityException(AuthorityException.BadResponse, null, $"attestation service '{id}' sent a CP-ABE public key that is not base64", e);
            }

            if (key.AuthorityId != id)
            {
                throw new AuthorityException(AuthorityException.BadResponse, null, $"attestation service '{id}' sent the CP-ABE public key of '{key.AuthorityId}'");
            }

            keys.Add(key);
        }

        abeKeys = keys.MoveToImmutable();
        return abeKeys;
    }

    public void Dispose()
    {
        foreach (var (_, client) in clients)
        {
            client.Dispose();
        }

        infoGate.Dispose();
    }
}
