using System.Security.Cryptography;
using Tless.Crypto.Abe;
using Tless.Runtime.Hosting;
using Tless.Workflows;

namespace Tless.Runtime.Owner;

/// <summary>
/// The workflow owner's side of object protection: seals code and inputs for the nodes that will read them, and
/// opens final results. One implementation per <see cref="SecurityMode"/>.
/// </summary>
public abstract class OwnerSealer
{
    private protected OwnerSealer()
    {
    }

    public abstract SecurityMode Mode { get; }

    /// <summary>Seals <paramref name="plaintext"/> stored at <paramref name="objectKey"/> for <paramref name="readerNode"/>.</summary>
    public abstract byte[] Seal(string workflow, string objectKey, string readerNode, ReadOnlySpan<byte> plaintext);

    /// <summary>Opens an object sealed for the owner (a result or log); false when it cannot be opened.</summary>
    public abstract bool TryOpen(string workflow, string objectKey, ReadOnlySpan<byte> stored, out byte[] plaintext);

    /// <summary>Mode none: no protection.</summary>
    public static OwnerSealer Plain { get; } = new PlainOwnerSealer();

    /// <summary>Mode tee: everything under one 32-byte workflow key.</summary>
    public static OwnerSealer ForWorkflowKey(ReadOnlySpan<byte> workflowKey) => new TeeOwnerSealer(workflowKey.ToArray());

    /// <summary>
    /// Mode tless: code and inputs under each reading node's compiled policy over <paramref name="authorities"/>;
    /// results opened with a key the owner mints for itself from <paramref name="ownerKey"/> (<c>{user}.owner:W</c>).
    /// The caller keeps ownership of <paramref name="ownerKey"/>.
    /// </summary>
    public static OwnerSealer ForTless(WorkflowSpec spec, IEnumerable<AuthorityPublicKey> authorities, AuthorityMasterKey ownerKey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(ownerKey);
        if (ownerKey.AuthorityId != spec.Authorities.User)
        {
            throw new ArgumentException($"the owner key is for authority '{ownerKey.AuthorityId}', the workflow's user is '{spec.Authorities.User}'", nameof(ownerKey));
        }

        return new TlessOwnerSealer(spec, [.. authorities, ownerKey.PublicKey], ownerKey);
    }

    private sealed class TlessOwnerSealer(WorkflowSpec spec, AuthorityPublicKey[] keys, AuthorityMasterKey ownerKey) : OwnerSealer
    {
        private readonly Lazy<UserKeyPart> ownerPart = new(() =>
            CpAbe.KeyGen(ownerKey, "owner-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                [PolicyCompiler.OwnerAttribute(spec.Authorities.User, spec.Name).Name]));

        public override SecurityMode Mode => SecurityMode.Tless;

        public override byte[] Seal(string workflow, string objectKey, string readerNode, ReadOnlySpan<byte> plaintext) =>
            AbeHybrid.Encrypt(keys, PolicyCompiler.NodePolicy(spec, readerNode), plaintext, ObjectSealing.AssociatedData(objectKey, workflow, readerNode));

        public override bool TryOpen(string workflow, string objectKey, ReadOnlySpan<byte> stored, out byte[] plaintext)
        {
            plaintext = [];
            try
            {
                if (AbeHybrid.TryDecrypt([ownerPart.Value], stored, ObjectSealing.AssociatedData(objectKey, workflow, ObjectSealing.OwnerReader), out var plain))
                {
                    plaintext = plain;
                    return true;
                }
            }
            catch (TlessFormatException)
            {
            }

            return false;
        }
    }

    private sealed class PlainOwnerSealer : OwnerSealer
    {
        public override SecurityMode Mode => SecurityMode.None;

        public override byte[] Seal(string workflow, string objectKey, string readerNode, ReadOnlySpan<byte> plaintext) => plaintext.ToArray();

        public override bool TryOpen(string workflow, string objectKey, ReadOnlySpan<byte> stored, out byte[] plaintext)
        {
            plaintext = stored.ToArray();
            return true;
        }
    }

    private sealed class TeeOwnerSealer : OwnerSealer
    {
        private readonly byte[] key;

        public TeeOwnerSealer(byte[] key)
        {
            if (key.Length != 32)
            {
                throw new ArgumentException($"the workflow key must be 32 bytes, got {key.Length}", nameof(key));
            }

            this.key = key;
        }

        public override SecurityMode Mode => SecurityMode.Tee;

        public override byte[] Seal(string workflow, string objectKey, string readerNode, ReadOnlySpan<byte> plaintext) =>
            ObjectSealing.TeeSeal(key, objectKey, workflow, readerNode, plaintext);

        public override bool TryOpen(string workflow, string objectKey, ReadOnlySpan<byte> stored, out byte[] plaintext) =>
            ObjectSealing.TryTeeOpen(key, objectKey, workflow, ObjectSealing.OwnerReader, stored, out plaintext);
    }
}
