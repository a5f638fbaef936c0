using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Tless.Runtime.Packaging;
using Tless.Runtime.Protocol;
using Tless.Runtime.Sdk;
using Tless.Runtime.Tee;

namespace Tless.Runtime.Hosting;

/// <summary>
/// The trusted side of TLess (DESIGN steps 1-5): for one invocation it checks the invocation tokens, gets an
/// attested identity and keys (or reuses a warm one), decrypts and checks the code package against the registered
/// digest, fetches the inputs named by the tokens and checks their digests, runs the function in a collectible
/// <see cref="PackageLoadContext"/>, seals its outputs for each successor (or for the owner), and signs the
/// successors' invocation tokens. In the inproc runtime one host serves every instance of the worker process.
/// </summary>
public sealed class FunctionHost : IAsyncDisposable
{
    private readonly FunctionHostOptions options;
    private readonly IHostSecurity security;
    private readonly ConcurrentDictionary<(string Workflow, string Node, string Digest), Lazy<Task<PackageLoadContext>>> code = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> redeemed = new(StringComparer.Ordinal);
    private int disposed;

    private FunctionHost(FunctionHostOptions options, IHostSecurity security)
    {
        options.Validate();
        this.options = options;
        this.security = security;
    }

    internal IHostSecurity Security => security;

    /// <summary>The mode this host runs in.</summary>
    public SecurityMode Mode => security.Mode;

    /// <summary>A host for mode none: plaintext, no attestation.</summary>
    public static FunctionHost CreatePlain(FunctionHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new FunctionHost(options, new PlainSecurity());
    }

    /// <summary>
    /// A host for mode tless: per-instance attestation to every authority in <paramref name="authorities"/> with
    /// evidence from <paramref name="tee"/>, CP-ABE keys, the chaining protocol. The caller keeps ownership of
    /// <paramref name="authorities"/>.
    /// </summary>
    public static FunctionHost CreateTless(FunctionHostOptions options, ITeeProvider tee, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tee);
        ArgumentNullException.ThrowIfNull(authorities);
        return new FunctionHost(options, new TlessSecurity(tee, authorities, options.Time, options.WarmLifetime));
    }

    /// <summary>A host for mode tee: one workflow key, released by an authority after attestation.</summary>
    public static FunctionHost CreateTee(FunctionHostOptions options, ITeeProvider tee, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tee);
        ArgumentNullException.ThrowIfNull(authorities);
        return new FunctionHost(options, new TeeSecurity(tee, authorities, options.Time, options.WarmLifetime));
    }

    internal static FunctionHost Create(FunctionHostOptions options, IHostSecurity security) => new(options, security);

    /// <summary>Runs one invocation; throws <see cref="InvocationRefusedException"/>, <see cref="ObjectIntegrityException"/>,
    /// <see cref="PackageException"/> or <see cref="FunctionFailedException"/> naming what went wrong.</summary>
    public async Task<InvocationOutcome> InvokeAsync(HostWorkflow workflow, Invocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(invocation);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var total = Stopwatch.StartNew();
        var target = invocation.Target;
        var parsed = CheckTokens(workflow, invocation);

        // Step 2-4: identity and keys.
        var watch = Stopwatch.StartNew();
        var session = await security.AcquireAsync(workflow, target, invocation.Tokens, parsed, cancellationToken).ConfigureAwait(false);
        var attestTime = session.Warm ? TimeSpan.Zero : watch.Elapsed;

        // Step 5: code.
        watch.Restart();
        var (context, codeWasCached) = await LoadCodeAsync(workflow, target.Node, session, cancellationToken).ConfigureAwait(false);
        var codeTime = watch.Elapsed;

        // Step 5: inputs, checked against the digests in the tokens.
        watch.Restart();
        var inputs = await ReadInputsAsync(workflow, invocation.Run, target, parsed, session, cancellationToken).ConfigureAwait(false);
        var inputTime = watch.Elapsed;

        // Run.
        watch.Restart();
        var node = workflow.Spec.GetNode(target.Node);
        var ctx = new FunctionContext(workflow, invocation.Run, target, inputs);
        ITlessFunction function;
        try
        {
            function = context.CreateFunction(node.Function);
        }
        catch (PackageException e)
        {
            throw new FunctionFailedException(target.ToString(), e.Message, e);
        }

        try
        {
            await function.RunAsync(ctx, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new FunctionFailedException(target.ToString(), $"{e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            ctx.Close();
            (function as IDisposable)?.Dispose();
        }

        var runTime = watch.Elapsed;

        // Step 1 for each successor: seal outputs, sign tokens.
        watch.Restart();
        var (dispatches, results) = await WriteOutputsAsync(workflow, invocation.Run, target, ctx, session, cancellationToken).ConfigureAwait(false);
        var outputTime = watch.Elapsed;

        return new InvocationOutcome
        {
            Instance = target,
            Dispatches = dispatches,
            Results = results,
            Attestation = session.Attestation,
            Timing = new InstanceTiming
            {
                Node = target.Node,
                Index = target.Index,
                Warm = session.Warm && codeWasCached,
                Attest = attestTime,
                Code = codeTime,
                Inputs = inputTime,
                Run = runTime,
                Outputs = outputTime,
                Total = total.Elapsed,
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        foreach (var entry in code.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                entry.Value.Result.Dispose();
            }
        }

        code.Clear();
        await security.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The host's own checks of the tokens: shape, workflow, run, target, edge, expiry, replay.</summary>
    private ImmutableArray<InvocationToken> CheckTokens(HostWorkflow workflow, Invocation invocation)
    {
        var target = invocation.Target;
        if (!workflow.Spec.TryGetNode(target.Node, out var node))
        {
            throw new InvocationRefusedException($"workflow '{workflow.Name}' has no node '{target.Node}'");
        }

        var scale = workflow.ScaleOf(target.Node);
        if (target.Index < 0 || target.Index >= scale)
        {
            throw new InvocationRefusedException($"{target} is out of range: {target.Node} has {scale} instances");
        }

        if (invocation.Tokens.IsDefaultOrEmpty)
        {
            throw new InvocationRefusedException($"invocation of {target} carries no invocation token");
        }

        if (invocation.Tokens.Length > ProtocolConstants.MaxInvocationTokens)
        {
            throw new InvocationRefusedException($"invocation of {target} carries {invocation.Tokens.Length} tokens, at most {ProtocolConstants.MaxInvocationTokens} are accepted");
        }

        var now = options.Time.GetUtcNow();
        var parsed = ImmutableArray.CreateBuilder<InvocationToken>(invocation.Tokens.Length);
        var digests = new List<(string Digest, DateTimeOffset Expires)>();
        for (var i = 0; i < invocation.Tokens.Length; i++)
        {
            InvocationToken token;
            try
            {
                token = InvocationTokens.Parse(invocation.Tokens[i]);
            }
            catch (ProtocolException e)
            {
                throw new InvocationRefusedException($"invocation of {target}: token {i}: {e.Message}", e);
            }

            var from = token.From;
            string Refuse(string why) => $"invocation of {target}: token {i} from '{from}' {why}";
            if (token.Workflow != workflow.Name)
            {
                throw new InvocationRefusedException(Refuse($"is for workflow '{token.Workflow}'"));
            }

            if (token.Run != invocation.Run)
            {
                throw new InvocationRefusedException(Refuse($"is for run '{token.Run}', not '{invocation.Run}'"));
            }

            if (token.To != target.ToString())
            {
                throw new InvocationRefusedException(Refuse($"is addressed to '{token.To}'"));
            }

            if (now >= token.ExpiresAt)
            {
                throw new InvocationRefusedException(Refuse($"expired at {token.ExpiresAt:O}"));
            }

            if (token.IsFromUser)
            {
                if (!node.Parents.IsEmpty)
                {
                    throw new InvocationRefusedException(Refuse($"comes from the user, but {target.Node} is not an entry node"));
                }
            }
            else
            {
                var parent = NodeInstance.Parse(token.From, "the token's 'from'");
                if (!node.Parents.Contains(parent.Node))
                {
                    throw new InvocationRefusedException(Refuse($"comes from '{parent.Node}', which is not a parent of {target.Node}"));
                }

                if (parent.Index >= workflow.ScaleOf(parent.Node))
                {
                    throw new InvocationRefusedException(Refuse($"comes from an instance out of range ({parent.Node} has {workflow.ScaleOf(parent.Node)})"));
                }
            }

            foreach (var input in token.Inputs)
            {
                var described = ObjectNames.DescribeInput(workflow.Name, invocation.Run, target, input.Key);
                var expectedFrom = token.IsFromUser ? ProtocolConstants.UserParent : NodeInstance.Parse(token.From, "from").Node;
                var expectedIndex = token.IsFromUser ? 0 : NodeInstance.Parse(token.From, "from").Index;
                if (described.From != expectedFrom || described.FromIndex != expectedIndex)
                {
                    throw new InvocationRefusedException(Refuse($"names input '{input.Key}', which belongs to another producer"));
                }
            }

            digests.Add((Convert.ToHexStringLower(InvocationTokens.Digest(invocation.Tokens[i])), token.ExpiresAt));
            parsed.Add(token);
        }

        // One redemption per token in this worker; the authorities count redemptions across workers.
        PurgeRedeemed(now);
        for (var i = 0; i < digests.Count; i++)
        {
            if (!redeemed.TryAdd(digests[i].Digest, digests[i].Expires))
            {
                for (var j = 0; j < i; j++)
                {
                    redeemed.TryRemove(digests[j].Digest, out _);
                }

                throw new InvocationRefusedException($"invocation of {target}: token {i} from '{parsed[i].From}' was already redeemed (replay)");
            }
        }

        return parsed.MoveToImmutable();
    }

    private void PurgeRedeemed(DateTimeOffset now)
    {
        if (redeemed.Count < 4096)
        {
            return;
        }

        foreach (var (digest, expires) in redeemed)
        {
            if (expires <= now)
            {
                redeemed.TryRemove(digest, out _);
            }
        }
    }

    private async Task<(PackageLoadContext Context, bool Cached)> LoadCodeAsync(
        HostWorkflow workflow, string node, HostSession session, CancellationToken cancellationToken)
    {
        if (!workflow.CodeDigests.TryGetValue(node, out var digest))
        {
            throw new InvocationRefusedException($"no code digest is registered for node '{node}' of workflow '{workflow.Name}'");
        }

        var cacheKey = (workflow.Name, node, digest);
        var created = false;
        var lazy = code.GetOrAdd(cacheKey, _ =>
        {
            created = true;
            return new Lazy<Task<PackageLoadContext>>(() => FetchCodeAsync(workflow.Name, node, digest, session, CancellationToken.None));
        });
        try
        {
            var context = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return (context, !created);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Do not cache failures: the next invocation tries again (the store may have been repaired).
            code.TryRemove(new KeyValuePair<(string, string, string), Lazy<Task<PackageLoadContext>>>(cacheKey, lazy));
            throw;
        }
    }

    private async Task<PackageLoadContext> FetchCodeAsync(string workflow, string node, string digest, HostSession session, CancellationToken cancellationToken)
    {
        var key = ObjectNames.Code(workflow, node);
        var stored = await GetObjectAsync(key, cancellationToken).ConfigureAwait(false);
        var plain = session.Open(workflow, key, node, stored);
        var actual = FunctionPackage.DigestOf(plain);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(digest)))
        {
            throw new ObjectIntegrityException(key, $"has digest {actual}, but the registration says {digest}");
        }

        var package = FunctionPackage.Read(plain, key);
        return new PackageLoadContext(package);
    }

    private async Task<ImmutableDictionary<FunctionInput, ReadOnlyMemory<byte>>> ReadInputsAsync(
        HostWorkflow workflow, string run, NodeInstance target, ImmutableArray<InvocationToken> tokens, HostSession session, CancellationToken cancellationToken)
    {
        var wanted = tokens.SelectMany(t => t.Inputs).ToList();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in wanted)
        {
            if (!keys.Add(input.Key))
            {
                throw new InvocationRefusedException($"invocation of {target}: input '{input.Key}' is named twice");
            }
        }

        var fetched = await Task.WhenAll(wanted.Select(async input =>
        {
            var stored = await GetObjectAsync(input.Key, cancellationToken).ConfigureAwait(false);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stored));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(input.Sha256)))
            {
                throw new ObjectIntegrityException(input.Key, $"has SHA-256 {actual}, but its invocation token says {input.Sha256} (tampered or replaced)");
            }

            var plain = session.Open(workflow.Name, input.Key, target.Node, stored);
            return (ObjectNames.DescribeInput(workflow.Name, run, target, input.Key), plain);
        })).ConfigureAwait(false);

        var builder = ImmutableDictionary.CreateBuilder<FunctionInput, ReadOnlyMemory<byte>>();
        foreach (var (input, plain) in fetched)
        {
            builder[input] = plain;
        }

        return builder.ToImmutable();
    }

    private async Task<(ImmutableArray<Dispatch>, ImmutableArray<string>)> WriteOutputsAsync(
        HostWorkflow workflow, string run, NodeInstance self, FunctionContext ctx, HostSession session, CancellationToken cancellationToken)
    {
        var wf = workflow.Name;
        var perTarget = new SortedDictionary<NodeInstance, List<InvocationInput>>(Comparer<NodeInstance>.Create((a, b) =>
        {
            var c = string.CompareOrdinal(a.Node, b.Node);
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        }));
        var writes = new List<Task>();
        foreach (var (node, index, name, data) in ctx.Sends)
        {
            var to = new NodeInstance(node, index);
            var key = ObjectNames.Data(wf, run, to, self, name);
            var sealedBytes = session.SealFor(wf, key, node, data.Span);
            if (!perTarget.TryGetValue(to, out var list))
            {
                perTarget[to] = list = [];
            }

            list.Add(new InvocationInput(key, Convert.ToHexStringLower(SHA256.HashData(sealedBytes))));
            writes.Add(options.Store.PutAsync(key, sealedBytes, cancellationToken));
        }

        var results = ImmutableArray.CreateBuilder<string>();
        foreach (var (name, data) in ctx.Results)
        {
            var key = ObjectNames.Result(wf, run, self, name);
            writes.Add(options.Store.PutAsync(key, session.SealForOwner(wf, key, data.Span), cancellationToken));
            results.Add(key);
        }

        if (ctx.LogLines.Count > 0)
        {
            var key = ObjectNames.Log(wf, run, self);
            var text = Encoding.UTF8.GetBytes(string.Join('\n', ctx.LogLines) + "\n");
            writes.Add(options.Store.PutAsync(key, session.SealForOwner(wf, key, text), cancellationToken));
        }

        await Task.WhenAll(writes).ConfigureAwait(false);

        var dispatches = ImmutableArray.CreateBuilder<Dispatch>(perTarget.Count);
        foreach (var (to, inputs) in perTarget)
        {
            var token = InvocationToken.Create(
                wf, run, self.ToString(), to.ToString(), inputs, options.Time, options.TokenLifetime, session.AuthorityTokens);
            dispatches.Add(new Dispatch(to, session.SignToken(token)));
        }

        return (dispatches.MoveToImmutable(), results.ToImmutable());
    }

    private async Task<byte[]> GetObjectAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await options.Store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes.LongLength > options.MaxObjectBytes)
        {
            throw new ObjectIntegrityException(key, $"is {bytes.LongLength} bytes, larger than the limit of {options.MaxObjectBytes}");
        }

        return bytes;
    }
}
