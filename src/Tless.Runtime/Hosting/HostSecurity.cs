using System.Collections.Immutable;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Hosting;

/// <summary>
/// The mode-specific half of a function host: how an instance gets its identity and keys (attestation), and how it
/// opens and seals objects. One per <see cref="FunctionHost"/>; sessions may be cached for warm reuse.
/// </summary>
internal interface IHostSecurity : IAsyncDisposable
{
    SecurityMode Mode { get; }

    /// <summary>
    /// Gets a session for <paramref name="target"/> that can open objects sealed for it. <paramref name="tokens"/> are
    /// the invocation tokens (already parsed and checked for shape by the host). Sets warm when a cached session was
    /// reused.
    /// </summary>
    Task<HostSession> AcquireAsync(
        HostWorkflow workflow,
        NodeInstance target,
        ImmutableArray<string> tokens,
        ImmutableArray<InvocationToken> parsed,
        CancellationToken cancellationToken);
}

/// <summary>An identity with keys for one node instance (cached while warm).</summary>
internal abstract class HostSession
{
    /// <summary>True when this session was reused rather than freshly attested.</summary>
    public bool Warm { get; init; }

    public AttestationSummary? Attestation { get; init; }

    /// <summary>Decrypts an object sealed for <paramref name="readerNode"/>; <see cref="ObjectIntegrityException"/> when it cannot.</summary>
    public abstract byte[] Open(string workflow, string key, string readerNode, byte[] stored);

    /// <summary>Seals <paramref name="plaintext"/> for <paramref name="readerNode"/> under object key <paramref name="key"/>.</summary>
    public abstract byte[] SealFor(string workflow, string key, string readerNode, ReadOnlySpan<byte> plaintext);

    /// <summary>Seals a final result (or log) for the workflow's owner.</summary>
    public abstract byte[] SealForOwner(string workflow, string key, ReadOnlySpan<byte> plaintext);

    /// <summary>Signs a successor's invocation token (attaching this identity's authority tokens).</summary>
    public abstract string SignToken(InvocationToken token);

    /// <summary>The authority tokens to attach to successors' invocation tokens.</summary>
    public virtual ImmutableArray<string> AuthorityTokens => [];
}
