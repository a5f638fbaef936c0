using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Tless.AttestationService.Storage;
using Tless.Crypto.Abe;
using Tless.Runtime.Protocol;

namespace Tless.AttestationService.Services;

/// <summary>
/// The authority's identity: its CP-ABE master key and ES256 token key, created on first start and afterwards
/// decrypted from the database. Both are encrypted at rest with <see cref="AtRestKey"/>.
/// </summary>
internal sealed class AuthorityState : IDisposable
{
    private const string MasterKeyName = "master_key";
    private const string TokenKeyName = "token_key";
    private const string AuthorityIdName = "authority_id";

    public AuthorityState(AuthorityOptions options, AuthorityStore store, ILogger<AuthorityState> logger)
    {
        Options = options;
        Store = store;
        var storedId = store.GetMeta(AuthorityIdName);
        if (storedId is not null && Encoding.UTF8.GetString(storedId) != options.Id)
        {
            throw new AuthorityStoreException(
                $"The data directory {options.DataDirectory} belongs to authority '{Encoding.UTF8.GetString(storedId)}', not '{options.Id}'.");
        }

        using var atRest = AtRestKey.Load(options.DataDirectory, options.AtRestKey.AsSpan(), allowCreate: store.IsNew);
        if (store.IsNew)
        {
            using var fresh = AuthorityMasterKey.Generate(options.Id);
            using var token = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var secret = fresh.ExportSecret();
            var tokenSecret = token.ExportPkcs8PrivateKey();
            store.AddMeta(AuthorityIdName, Encoding.UTF8.GetBytes(options.Id));
            store.AddMeta(TokenKeyName, atRest.Encrypt(tokenSecret, Ad(TokenKeyName)));
            store.AddMeta(MasterKeyName, atRest.Encrypt(secret, Ad(MasterKeyName)));
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(tokenSecret);
            Log.Created(logger, options.Id, options.DataDirectory);
        }

        var masterSealed = store.GetMeta(MasterKeyName) ?? throw new AuthorityStoreException($"The database {store.Path} has no master key.");
        var tokenSealed = store.GetMeta(TokenKeyName) ?? throw new AuthorityStoreException($"The database {store.Path} has no token key.");
        var master = atRest.Decrypt(masterSealed, Ad(MasterKeyName), "master key");
        var tokenKey = atRest.Decrypt(tokenSealed, Ad(TokenKeyName), "token key");
        try
        {
            MasterKey = AuthorityMasterKey.ImportSecret(master);
            TokenKey = ECDsa.Create();
            TokenKey.ImportPkcs8PrivateKey(tokenKey, out _);
        }
        catch (Exception e) when (e is TlessFormatException or CryptographicException)
        {
            throw new AuthorityStoreException($"The keys stored in {store.Path} are malformed: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
            CryptographicOperations.ZeroMemory(tokenKey);
        }

        if (MasterKey.AuthorityId != options.Id)
        {
            throw new AuthorityStoreException($"The stored master key belongs to authority '{MasterKey.AuthorityId}', not '{options.Id}'.");
        }

        TokenKeySpki = TokenKey.ExportSubjectPublicKeyInfo();
        TokenKeyBase64 = Convert.ToBase64String(TokenKeySpki);
        AbePublicKeyBase64 = Convert.ToBase64String(MasterKey.PublicKey.ToBytes());
        WorkflowKeySealer = new AtRestSealer(options, store);
    }

    public AuthorityOptions Options { get; }

    public AuthorityStore Store { get; }

    public string Id => Options.Id;

    public AuthorityMasterKey MasterKey { get; }

    public ECDsa TokenKey { get; }

    public byte[] TokenKeySpki { get; }

    public string TokenKeyBase64 { get; }

    public string AbePublicKeyBase64 { get; }

    /// <summary>Seals deposited workflow keys (mode tee) at rest.</summary>
    public AtRestSealer WorkflowKeySealer { get; }

    public AuthorityInfo Info(ImmutableArray<string> teeKinds) => new()
    {
        Id = Id,
        AbePublicKey = AbePublicKeyBase64,
        TokenKey = TokenKeyBase64,
        TeeKinds = teeKinds,
        TokenLifetimeSeconds = (int)Options.TokenLifetime.TotalSeconds,
    };

    public void Dispose()
    {
        MasterKey.Dispose();
        TokenKey.Dispose();
    }

    private string Ad(string name) => $"tless-as/v1\n{Options.Id}\n{name}";
}

/// <summary>Encrypts and decrypts per-workflow secrets with the at-rest key (loaded per use, never cached in the clear twice).</summary>
internal sealed class AtRestSealer(AuthorityOptions options, AuthorityStore store)
{
    public byte[] Seal(string workflow, ReadOnlySpan<byte> secret)
    {
        using var key = AtRestKey.Load(options.DataDirectory, options.AtRestKey.AsSpan(), allowCreate: false);
        return key.Encrypt(secret, Ad(workflow));
    }

    public byte[] Open(string workflow, ReadOnlySpan<byte> sealedSecret)
    {
        using var key = AtRestKey.Load(options.DataDirectory, options.AtRestKey.AsSpan(), allowCreate: false);
        return key.Decrypt(sealedSecret, Ad(workflow), $"workflow key of '{workflow}' in {store.Path}");
    }

    private string Ad(string workflow) => $"tless-as/v1\n{options.Id}\nworkflow_key\n{workflow}";
}
