using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Runtime.Authority;
using Tless.Runtime.Protocol;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Runtime.Hosting;

/// <summary>
/// Mode tee (the key-broker style of confidential containers): the worker attests once per workflow (report data
/// binding a fresh identity and no tokens), an authority releases the workflow key wrapped to it, and every object of
/// the workflow is sealed with that key (AES-256-GCM, bound to its key, workflow and reader). Any attested host
/// registered for the workflow can read everything: there is no per-node separation and no chaining check.
/// </summary>
internal sealed class TeeSecurity : IHostSecurity
{
    private readonly ITeeProvider tee;
    private readonly AuthoritySet authorities;
    private readonly TimeProvider time;
    private readonly TimeSpan warmLifetime;
    private readonly ConcurrentDictionary<string, Lazy<Task<TeeSession>>> sessions = new(StringComparer.Ordinal);

    public TeeSecurity(ITeeProvider tee, AuthoritySet authorities, TimeProvider time, TimeSpan warmLifetime)
    {
        this.tee = tee;
        this.authorities = authorities;
        this.time = time;
        this.warmLifetime = warmLifetime;
    }

    public SecurityMode Mode => SecurityMode.Tee;

    public async Task<HostSession> AcquireAsync(
        HostWorkflow workflow, NodeInstance target, ImmutableArray<string> tokens, ImmutableArray<InvocationToken> parsed, CancellationToken cancellationToken)
    {
        var created = false;
        var now = time.GetUtcNow();
        var lazy = sessions.AddOrUpdate(
            workflow.Name,
            _ =>
            {
                created = true;
                return new Lazy<Task<TeeSession>>(() => ReleaseAsync(workflow, CancellationToken.None));
            },
            (_, existing) =>
            {
                if (existing.IsValueCreated && existing.Value.IsCompletedSuccessfully && existing.Value.Result.UsableUntil > now)
                {
                    return existing;
                }

                if (existing.IsValueCreated && !existing.Value.IsCompleted)
                {
                    return existing;
                }

                created = true;
                return new Lazy<Task<TeeSession>>(() => ReleaseAsync(workflow, CancellationToken.None));
            });
        try
        {
            var session = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return created ? session : session.AsWarm();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            sessions.TryRemove(new KeyValuePair<string, Lazy<Task<TeeSession>>>(workflow.Name, lazy));
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var lazy in sessions.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    private async Task<TeeSession> ReleaseAsync(HostWorkflow workflow, CancellationToken cancellationToken)
    {
        var identity = HostIdentity.Create();
        try
        {
            var evidence = await tee.GetEvidenceAsync(identity.ReportData([]), cancellationToken).ConfigureAwait(false);
            var request = new ReleaseRequest
            {
                Workflow = workflow.Name,
                Tee = Registration.TeeText(tee.Kind),
                Evidence = Convert.ToBase64String(evidence),
                EcdhPublicKey = Convert.ToBase64String(identity.KeyAgreementPublicKey),
                SigningPublicKey = Convert.ToBase64String(identity.SigningPublicKey),
                Gid = identity.Gid,
            };

            // Any one registered authority may release the key: ask them in order until one does.
            var errors = new List<string>();
            foreach (var (id, client) in authorities.Clients)
            {
                ReleaseResponse response;
                try
                {
                    response = await client.ReleaseAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (AuthorityException e)
                {
                    errors.Add($"{id}: {e.Code}: {e.Message}");
                    continue;
                }

                if (!identity.TryUnwrap(Convert.FromBase64String(response.WrappedKey), KeyWrap.ReleaseContext(id, workflow.Name, identity.Gid), out var key)
                    || key.Length != 32)
                {
                    errors.Add($"{id}: the released key does not unwrap with this host's key");
                    continue;
                }

                var now = time.GetUtcNow();
                return new TeeSession(identity, key, now + warmLifetime)
                {
                    Attestation = new AttestationSummary
                    {
                        Tee = Registration.TeeText(tee.Kind),
                        Measurement = tee.Measurement,
                        Authorities = [id],
                        ExpiresAt = now + warmLifetime,
                        Insecure = tee.Kind == Attestation.TeeKind.Sim,
                    },
                };
            }

            throw new InvocationRefusedException($"no authority released the workflow key of '{workflow.Name}': {string.Join("; ", errors)}");
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    private sealed class TeeSession : HostSession, IDisposable
    {
        private readonly HostIdentity identity;
        private readonly byte[] key;

        public TeeSession(HostIdentity identity, byte[] key, DateTimeOffset usableUntil)
        {
            this.identity = identity;
            this.key = key;
            UsableUntil = usableUntil;
        }

        public DateTimeOffset UsableUntil { get; }

        public HostSession AsWarm() => new WarmView(this);

        public override byte[] Open(string workflow, string key, string readerNode, byte[] stored) =>
            ObjectSealing.TryTeeOpen(this.key, key, workflow, readerNode, stored, out var plain)
                ? plain
                : throw new ObjectIntegrityException(key, $"cannot be decrypted with the workflow key for {readerNode} (tampered, moved, or sealed with another key)");

        public override byte[] SealFor(string workflow, string key, string readerNode, ReadOnlySpan<byte> plaintext) =>
            ObjectSealing.TeeSeal(this.key, key, workflow, readerNode, plaintext);

        public override byte[] SealForOwner(string workflow, string key, ReadOnlySpan<byte> plaintext) =>
            ObjectSealing.TeeSeal(this.key, key, workflow, ObjectSealing.OwnerReader, plaintext);

        public override string SignToken(InvocationToken token) => identity.SignInvocation(token);

        public void Dispose()
        {
            CryptographicOperations.ZeroMemory(key);
            identity.Dispose();
        }

        private sealed class WarmView : HostSession
        {
            private readonly TeeSession inner;

            public WarmView(TeeSession inner)
            {
                this.inner = inner;
                Warm = true;
                Attestation = inner.Attestation;
            }

            public override byte[] Open(string workflow, string key, string readerNode, byte[] stored) => inner.Open(workflow, key, readerNode, stored);

            public override byte[] SealFor(string workflow, string key, string readerNode, ReadOnlySpan<byte> plaintext) => inner.SealFor(workflow, key, readerNode, plaintext);

            public override byte[] SealForOwner(string workflow, string key, ReadOnlySpan<byte> plaintext) => inner.SealForOwner(workflow, key, plaintext);

            public override string SignToken(InvocationToken token) => inner.SignToken(token);
        }
    }
}
