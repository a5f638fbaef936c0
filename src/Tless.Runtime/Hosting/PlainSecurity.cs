using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Hosting;

/// <summary>Mode none: objects in plaintext, no attestation. Tokens are still signed (by a host key) so that the scheduler code path is the same in every mode.</summary>
internal sealed class PlainSecurity : IHostSecurity
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly PlainSession session;

    public PlainSecurity()
    {
        session = new PlainSession(key) { Warm = true };
    }

    public SecurityMode Mode => SecurityMode.None;

    public Task<HostSession> AcquireAsync(
        HostWorkflow workflow, NodeInstance target, ImmutableArray<string> tokens, ImmutableArray<InvocationToken> parsed, CancellationToken cancellationToken) =>
        Task.FromResult<HostSession>(session);

    public ValueTask DisposeAsync()
    {
        key.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class PlainSession(ECDsa key) : HostSession
    {
        public override byte[] Open(string workflow, string key, string readerNode, byte[] stored) => stored;

        public override byte[] SealFor(string workflow, string key, string readerNode, ReadOnlySpan<byte> plaintext) => plaintext.ToArray();

        public override byte[] SealForOwner(string workflow, string key, ReadOnlySpan<byte> plaintext) => plaintext.ToArray();

        public override string SignToken(InvocationToken token) => InvocationTokens.Sign(token, key);
    }
}
