using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Crypto.Abe;
using Tless.Runtime.Authority;
using Tless.Runtime.Protocol;
using Tless.Runtime.Tee;
using Tless.Workflows;

namespace Tless.Runtime.Hosting;

/// <summary>
/// Mode tless (DESIGN steps 2-5): each node instance makes a GID and keys, gets evidence binding them and its
/// invocation tokens, attests to every authority of the workflow in parallel, unwraps and combines the key parts,
/// and keeps them (warm) for later invocations of the same instance until the authority tokens expire. A warm
/// instance checks later tokens itself, as the authorities would: owner signature for entry nodes; for others the
/// parent's authority tokens (signed by the registered authorities, naming that parent instance, unexpired) and the
/// parent's signature by the key they vouch for. Replays within the worker are refused by the host.
/// </summary>
internal sealed class TlessSecurity : IHostSecurity
{
    private readonly ITeeProvider tee;
    private readonly AuthoritySet authorities;
    private readonly TimeProvider time;
    private readonly TimeSpan warmLifetime;
    private readonly ConcurrentDictionary<(string Workflow, NodeInstance Instance), TlessSession> warm = new();
    private readonly ConcurrentBag<TlessSession> all = [];

    public TlessSecurity(ITeeProvider tee, AuthoritySet authorities, TimeProvider time, TimeSpan warmLifetime)
    {
        this.tee = tee;
        this.authorities = authorities;
        this.time = time;
        this.warmLifetime = warmLifetime;
    }

    public SecurityMode Mode => SecurityMode.Tless;

    public async Task<HostSession> AcquireAsync(
        HostWorkflow workflow, NodeInstance target, ImmutableArray<string> tokens, ImmutableArray<InvocationToken> parsed, CancellationToken cancellationToken)
    {
        if (workflow.Registration is null || workflow.OwnerAbeKey is null)
        {
            throw new InvocationRefusedException($"mode tless needs the owner-signed registration of '{workflow.Name}' with the owner's CP-ABE key");
        }

        var ancestors = parsed.Select(t => t.IsFromUser ? ProtocolConstants.UserParent : NodeInstance.Parse(t.From, "from").Node).ToImmutableSortedSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        if (warm.TryGetValue((workflow.Name, target), out var cached) && cached.UsableUntil > now && ancestors.IsSubsetOf(cached.Ancestors)
            && cached.RegistrationDigest == RegistrationDigest(workflow))
        {
            await VerifyLocallyAsync(workflow, target, tokens, parsed, cancellationToken).ConfigureAwait(false);
            return cached.AsWarm();
        }

        var session = await AttestAsync(workflow, target, tokens, ancestors, cancellationToken).ConfigureAwait(false);
        all.Add(session);
        if (warmLifetime > TimeSpan.Zero)
        {
            warm[(workflow.Name, target)] = session;
        }

        return session;
    }

    /// <summary>The warm session of an instance, if any (tests use it to show what its keys can and cannot open).</summary>
    internal HostSession? WarmSession(string workflow, NodeInstance instance) =>
        warm.TryGetValue((workflow, instance), out var session) ? session : null;

    public ValueTask DisposeAsync()
    {
        foreach (var session in all)
        {
            session.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static string RegistrationDigest(HostWorkflow workflow) =>
        Convert.ToHexStringLower(SHA256.HashData(workflow.Registration!.ToCanonicalJson()));

    private async Task<TlessSession> AttestAsync(
        HostWorkflow workflow, NodeInstance target, ImmutableArray<string> tokens, ImmutableSortedSet<string> ancestors, CancellationToken cancellationToken)
    {
        var identity = HostIdentity.Create();
        try
        {
            var evidence = await tee.GetEvidenceAsync(identity.ReportData(tokens), cancellationToken).ConfigureAwait(false);
            var request = new AttestRequest
            {
                Tee = Registration.TeeText(tee.Kind),
                Evidence = Convert.ToBase64String(evidence),
                EcdhPublicKey = Convert.ToBase64String(identity.KeyAgreementPublicKey),
                SigningPublicKey = Convert.ToBase64String(identity.SigningPublicKey),
                Gid = identity.Gid,
                InvocationTokens = tokens,
            };

            var attempts = await Task.WhenAll(authorities.Clients.Select(async c =>
            {
                try
                {
                    return (c.Id, Response: await c.Client.AttestAsync(request, cancellationToken).ConfigureAwait(false), Error: (AuthorityException?)null);
                }
                catch (AuthorityException e)
                {
                    return (c.Id, Response: (AttestResponse?)null, Error: e);
                }
            })).ConfigureAwait(false);

            var refused = attempts.Where(a => a.Error is not null).ToList();
            var anyOf = workflow.Registration!.Mode == AuthorityMode.AnyOf;
            if ((!anyOf && refused.Count > 0) || refused.Count == attempts.Length)
            {
                throw new InvocationRefusedException(
                    $"attestation of {target} refused: {string.Join("; ", refused.Select(r => $"{r.Id}: {r.Error!.Code}: {r.Error.Message}"))}");
            }

            var parts = new List<UserKeyPart>();
            var authorityTokens = ImmutableArray.CreateBuilder<string>();
            var expires = DateTimeOffset.MaxValue;
            foreach (var (id, response, _) in attempts.Where(a => a.Response is not null))
            {
                var r = response!;
                if (r.Authority != id || r.Workflow != workflow.Name || r.Node != target.Node || r.Instance != target.Index)
                {
                    throw new InvocationRefusedException($"attestation of {target}: authority '{id}' answered for {r.Authority}/{r.Workflow}/{r.Node}#{r.Instance}");
                }

                byte[] wrapped;
                try
                {
                    wrapped = Convert.FromBase64String(r.KeyPart);
                }
                catch (FormatException e)
                {
                    throw new InvocationRefusedException($"attestation of {target}: authority '{id}' sent a key part that is not base64", e);
                }

                if (!identity.TryUnwrap(wrapped, KeyWrap.AttestContext(id, workflow.Name, target.Node, identity.Gid), out var exported))
                {
                    throw new InvocationRefusedException($"attestation of {target}: the key part from '{id}' does not unwrap with this host's key");
                }

                var part = UserKeyPart.Import(exported);
                CryptographicOperations.ZeroMemory(exported);
                if (part.Gid != identity.Gid || part.AuthorityId != id)
                {
                    part.Dispose();
                    throw new InvocationRefusedException($"attestation of {target}: the key part from '{id}' is for another GID or authority");
                }

                parts.Add(part);
                authorityTokens.Add(r.Token);
                expires = r.ExpiresAt < expires ? r.ExpiresAt : expires;
            }

            var now = time.GetUtcNow();
            var usable = expires - TimeSpan.FromSeconds(30);
            if (now + warmLifetime < usable)
            {
                usable = now + warmLifetime;
            }

            var publicKeys = await authorities.GetAbePublicKeysAsync(cancellationToken).ConfigureAwait(false);
            return new TlessSession(identity, parts, authorityTokens.ToImmutable(), publicKeys, workflow.OwnerAbeKey!, workflow.Spec, ancestors, usable, RegistrationDigest(workflow))
            {
                Attestation = new AttestationSummary
                {
                    Tee = Registration.TeeText(tee.Kind),
                    Measurement = tee.Measurement,
                    Authorities = [.. attempts.Where(a => a.Response is not null).Select(a => a.Id)],
                    Gid = identity.Gid,
                    ExpiresAt = expires,
                    Insecure = tee.Kind == Attestation.TeeKind.Sim,
                },
            };
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>A warm instance's own check of tokens it did not attest with (what the authorities check for a cold one).</summary>
    private async Task VerifyLocallyAsync(
        HostWorkflow workflow, NodeInstance target, ImmutableArray<string> tokens, ImmutableArray<InvocationToken> parsed, CancellationToken cancellationToken)
    {
        var info = await authorities.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var anyOf = workflow.Registration!.Mode == AuthorityMode.AnyOf;
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = parsed[i];
            string Refused(string why) => $"invocation of {target}: token {i} from '{token.From}' {why}";
            if (token.IsFromUser)
            {
                using var owner = P256.ImportEcdsaSpki(workflow.OwnerSigningKey.AsSpan(), "the owner's key");
                if (!InvocationTokens.TryVerify(tokens[i], owner, out _))
                {
                    throw new InvocationRefusedException(Refused("is not signed by the workflow's owner"));
                }

                continue;
            }

            var parent = NodeInstance.Parse(token.From, "from");
            byte[]? holder = null;
            var vouched = 0;
            foreach (var jwt in token.AuthorityTokens)
            {
                string issuer;
                try
                {
                    issuer = AuthorityTokens.PeekIssuer(jwt);
                }
                catch (ProtocolException e)
                {
                    throw new InvocationRefusedException(Refused($"carries a malformed authority token: {e.Message}"), e);
                }

                if (!info.TryGetValue(issuer, out var authority))
                {
                    throw new InvocationRefusedException(Refused($"carries a token of '{issuer}', which is not an authority of this workflow"));
                }

                using var key = P256.ImportEcdsaSpki(Convert.FromBase64String(authority.TokenKey), "authority token key");
                if (!AuthorityTokens.TryVerify(jwt, key, out var at))
                {
                    throw new InvocationRefusedException(Refused($"carries a token of '{issuer}' whose signature does not verify"));
                }

                if (at.Workflow != workflow.Name || at.Node != parent.Node || at.Instance != parent.Index)
                {
                    throw new InvocationRefusedException(Refused($"carries a token of '{issuer}' for {at.Node}#{at.Instance} of '{at.Workflow}'"));
                }

                if (at.ExpiresAt <= now)
                {
                    throw new InvocationRefusedException(Refused($"carries a token of '{issuer}' that expired at {at.ExpiresAt:O}"));
                }

                var point = at.HolderKey.ToArray();
                if (holder is not null && !holder.AsSpan().SequenceEqual(point))
                {
                    throw new InvocationRefusedException(Refused("carries authority tokens for different holder keys"));
                }

                holder = point;
                vouched++;
            }

            var needed = anyOf ? 1 : info.Count;
            if (holder is null || vouched < needed)
            {
                throw new InvocationRefusedException(Refused($"is vouched for by {vouched} authorities, {needed} needed"));
            }

            using var signer = P256.ImportEcdsaPoint(holder, "parent key");
            if (!InvocationTokens.TryVerify(tokens[i], signer, out _))
            {
                throw new InvocationRefusedException(Refused("is not signed by the attested parent"));
            }
        }
    }

    private sealed class TlessSession : HostSession, IDisposable
    {
        private readonly HostIdentity identity;
        private readonly List<UserKeyPart> parts;
        private readonly ImmutableArray<string> authorityTokens;
        private readonly ImmutableArray<AuthorityPublicKey> publicKeys;
        private readonly AuthorityPublicKey ownerKey;
        private readonly WorkflowSpec spec;

        public TlessSession(
            HostIdentity identity,
            List<UserKeyPart> parts,
            ImmutableArray<string> authorityTokens,
            ImmutableArray<AuthorityPublicKey> publicKeys,
            AuthorityPublicKey ownerKey,
            WorkflowSpec spec,
            ImmutableSortedSet<string> ancestors,
            DateTimeOffset usableUntil,
            string registrationDigest)
        {
            this.identity = identity;
            this.parts = parts;
            this.authorityTokens = authorityTokens;
            this.publicKeys = publicKeys;
            this.ownerKey = ownerKey;
            this.spec = spec;
            Ancestors = ancestors;
            UsableUntil = usableUntil;
            RegistrationDigest = registrationDigest;
        }

        public ImmutableSortedSet<string> Ancestors { get; }

        public DateTimeOffset UsableUntil { get; }

        public string RegistrationDigest { get; }

        public override ImmutableArray<string> AuthorityTokens => authorityTokens;

        public HostSession AsWarm() => new WarmView(this);

        public override byte[] Open(string workflow, string key, string readerNode, byte[] stored)
        {
            try
            {
                if (AbeHybrid.TryDecrypt(parts, stored, ObjectSealing.AssociatedData(key, workflow, readerNode), out var plain))
                {
                    return plain;
                }
            }
            catch (TlessFormatException e)
            {
                throw new ObjectIntegrityException(key, $"is not a TLess ciphertext: {e.Message}");
            }

            throw new ObjectIntegrityException(key, $"cannot be decrypted with the keys of {readerNode} (policy not satisfied, tampered, or moved)");
        }

        public override byte[] SealFor(string workflow, string key, string readerNode, ReadOnlySpan<byte> plaintext) =>
            AbeHybrid.Encrypt(publicKeys.Add(ownerKey), PolicyCompiler.NodePolicy(spec, readerNode), plaintext, ObjectSealing.AssociatedData(key, workflow, readerNode));

        public override byte[] SealForOwner(string workflow, string key, ReadOnlySpan<byte> plaintext) =>
            AbeHybrid.Encrypt([ownerKey], PolicyCompiler.OutputPolicy(spec), plaintext, ObjectSealing.AssociatedData(key, workflow, ObjectSealing.OwnerReader));

        public override string SignToken(InvocationToken token) => identity.SignInvocation(token);

        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }

            identity.Dispose();
        }

        private sealed class WarmView : HostSession
        {
            private readonly TlessSession inner;

            public WarmView(TlessSession inner)
            {
                this.inner = inner;
                Warm = true;
                Attestation = inner.Attestation;
            }

            public override ImmutableArray<string> AuthorityTokens => inner.AuthorityTokens;

            public override byte[] Open(string workflow, string key, string readerNode, byte[] stored) => inner.Open(workflow, key, readerNode, stored);

            public override byte[] SealFor(string workflow, string key, string readerNode, ReadOnlySpan<byte> plaintext) => inner.SealFor(workflow, key, readerNode, plaintext);

            public override byte[] SealForOwner(string workflow, string key, ReadOnlySpan<byte> plaintext) => inner.SealForOwner(workflow, key, plaintext);

            public override string SignToken(InvocationToken token) => inner.SignToken(token);
        }
    }
}
