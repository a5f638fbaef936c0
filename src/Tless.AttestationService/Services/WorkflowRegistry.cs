using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Tless.AttestationService.Storage;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.AttestationService.Services;

/// <summary>A verified registration with what the authority needs at hand to check attestations against it.</summary>
internal sealed class RegisteredWorkflow
{
    public RegisteredWorkflow(Registration registration, byte[] userKeySpki, ImmutableDictionary<string, byte[]> authorityTokenKeys, byte[]? workflowKeySealed)
    {
        Registration = registration;
        UserKeySpki = userKeySpki;
        AuthorityTokenKeys = authorityTokenKeys;
        WorkflowKeySealed = workflowKeySealed;
        Nodes = registration.Nodes.ToImmutableDictionary(n => n.Name, StringComparer.Ordinal);
        UserKey = new PooledVerificationKey(userKeySpki, "the pinned user key");
        AuthorityKeys = authorityTokenKeys.ToImmutableDictionary(
            kv => kv.Key, kv => new PooledVerificationKey(kv.Value, $"the token key of '{kv.Key}'"), StringComparer.Ordinal);
    }

    public Registration Registration { get; }

    public string Name => Registration.Workflow;

    public long Version => Registration.Version;

    public byte[] UserKeySpki { get; }

    /// <summary>Every listed authority's token key (SPKI), this one's included.</summary>
    public ImmutableDictionary<string, byte[]> AuthorityTokenKeys { get; }

    public byte[]? WorkflowKeySealed { get; }

    /// <summary>The pinned user key, parsed once per registered version.</summary>
    public PooledVerificationKey UserKey { get; }

    /// <summary><see cref="AuthorityTokenKeys"/>, parsed once per registered version.</summary>
    public ImmutableDictionary<string, PooledVerificationKey> AuthorityKeys { get; }

    public ImmutableDictionary<string, RegisteredNode> Nodes { get; }
}

/// <summary>Accepts, persists and serves registrations (<c>PUT /v1/workflows/{wf}</c>).</summary>
internal sealed class WorkflowRegistry
{
    private readonly ConcurrentDictionary<string, RegisteredWorkflow> workflows = new(StringComparer.Ordinal);
    private readonly AuthorityState state;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock gate = new();

    public WorkflowRegistry(AuthorityState state, TimeProvider time, ILogger<WorkflowRegistry> logger)
    {
        this.state = state;
        this.time = time;
        this.logger = logger;
        foreach (var stored in state.Store.LoadWorkflows())
        {
            SignedRegistration signed;
            try
            {
                signed = SignedRegistration.Parse(stored.Envelope);
            }
            catch (TlessFormatException e)
            {
                throw new AuthorityStoreException($"The stored registration of '{stored.Name}' in {state.Store.Path} is malformed: {e.Message}", e);
            }

            if (!signed.HasValidSignature() || !signed.PublicKey.AsSpan().SequenceEqual(stored.UserKey))
            {
                throw new AuthorityStoreException($"The stored registration of '{stored.Name}' in {state.Store.Path} does not verify: the database was modified.");
            }

            workflows[stored.Name] = Build(signed.Registration, stored.UserKey, stored.WorkflowKeySealed);
        }

        Log.Loaded(logger, workflows.Count);
    }

    public bool TryGet(string name, out RegisteredWorkflow workflow) => workflows.TryGetValue(name, out workflow!);

    public RegisterResponse Register(string name, RegisterRequest request)
    {
        if (string.IsNullOrEmpty(request.Registration))
        {
            throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "'registration' is missing.");
        }

        SignedRegistration signed;
        try
        {
            signed = SignedRegistration.Parse(request.Registration);
        }
        catch (TlessFormatException e)
        {
            throw Refusal.BadRequest(ProblemCodes.RegistrationInvalid, "The registration is malformed: " + e.Message);
        }

        workflows.TryGetValue(name, out var existing);
        var verdict = RegistrationVerifier.Verify(
            signed,
            existing is null ? default : existing.UserKeySpki,
            existing?.Version ?? 0,
            expectedWorkflow: name);
        if (!verdict.IsValid)
        {
            throw verdict.FailedCheck switch
            {
                RegistrationChecks.Signature => Refusal.Forbidden(ProblemCodes.RegistrationSignatureInvalid, "The registration's signature does not verify."),
                RegistrationChecks.KeyMismatch => Refusal.Forbidden(ProblemCodes.RegistrationKeyMismatch, $"Workflow '{name}' is pinned to another user key."),
                RegistrationChecks.Version => Refusal.Conflict(ProblemCodes.RegistrationVersionNotHigher, $"Version {signed.Registration.Version} is not above the registered version {existing?.Version ?? 0}.", verdict.Detail),
                RegistrationChecks.WorkflowMismatch => Refusal.BadRequest(ProblemCodes.RegistrationNameMismatch, $"The registration is for '{signed.Registration.Workflow}', not '{name}'."),
                _ => Refusal.BadRequest(ProblemCodes.RegistrationInvalid, $"The registration is invalid ({verdict.FailedCheck}): {verdict.Detail}"),
            };
        }

        var registration = verdict.Registration!;
        if (registration.Workflow != name)
        {
            throw Refusal.BadRequest(ProblemCodes.RegistrationNameMismatch, $"Register workflow '{registration.Workflow}' under its name, not '{name}'.");
        }

        CheckAuthorities(registration);
        var sealedKey = SealWorkflowKey(registration, request.WorkflowKey);
        var userKey = signed.PublicKey.ToArray();
        var built = Build(registration, userKey, sealedKey);
        var envelope = Encoding.UTF8.GetString(signed.ToJsonBytes());
        lock (gate)
        {
            var outcome = state.Store.SaveWorkflow(new StoredWorkflow(name, registration.Version, userKey, envelope, sealedKey), time.GetUtcNow());
            switch (outcome)
            {
                case SaveOutcome.KeyMismatch:
                    throw Refusal.Forbidden(ProblemCodes.RegistrationKeyMismatch, $"Workflow '{name}' is pinned to another user key.");
                case SaveOutcome.VersionNotHigher:
                    throw Refusal.Conflict(ProblemCodes.RegistrationVersionNotHigher, $"Version {registration.Version} is not above the registered version.");
            }

            workflows[name] = built;
        }

        Log.Registered(logger, name, registration.Version, signed.KeyThumbprint);
        return new RegisterResponse { Workflow = name, Version = registration.Version, UserKeySha256 = signed.KeyThumbprint, Pinned = existing is null };
    }

    private void CheckAuthorities(Registration registration)
    {
        var self = registration.Authorities.FirstOrDefault(a => a.Id == state.Id);
        if (self is null)
        {
            throw Refusal.BadRequest(
                ProblemCodes.RegistrationAuthorityNotListed,
                $"Authority '{state.Id}' is not among the workflow's authorities ({string.Join(", ", registration.Authorities.Select(a => a.Id))}).");
        }

        if (self.TokenKey is not null && self.TokenKey != state.TokenKeyBase64)
        {
            throw Refusal.BadRequest(ProblemCodes.RegistrationInvalid, $"The registration lists a token key for '{state.Id}' that is not this authority's (fetch GET /v1/authority again).");
        }

        foreach (var a in registration.Authorities.Where(a => a.Id != state.Id))
        {
            if (a.TokenKey is null)
            {
                throw Refusal.BadRequest(
                    ProblemCodes.RegistrationInvalid,
                    $"Authority '{a.Id}' has no tokenKey: list every authority's token key (GET /v1/authority) so chained invocations can be checked.");
            }

            try
            {
                using var key = P256.ImportEcdsaSpki(Convert.FromBase64String(a.TokenKey), $"the token key of '{a.Id}'");
            }
            catch (ProtocolException e)
            {
                throw Refusal.BadRequest(ProblemCodes.RegistrationInvalid, e.Message);
            }
        }
    }

    private byte[]? SealWorkflowKey(Registration registration, string? workflowKey)
    {
        registration.Extensions.TryGetValue(ProtocolConstants.WorkflowKeyDigestExtension, out var digest);
        if (workflowKey is null)
        {
            return digest is null
                ? null
                : throw Refusal.BadRequest(ProblemCodes.WorkflowKeyMismatch, $"The registration commits to a workflow key ({ProtocolConstants.WorkflowKeyDigestExtension}) but none was deposited.");
        }

        if (digest is null)
        {
            throw Refusal.BadRequest(ProblemCodes.WorkflowKeyMismatch, $"A workflow key was deposited but the signed registration does not commit to it ({ProtocolConstants.WorkflowKeyDigestExtension}).");
        }

        var key = Base64Field.Decode(workflowKey, "workflowKey");
        try
        {
            if (key.Length != 32)
            {
                throw Refusal.BadRequest(ProblemCodes.WorkflowKeyMismatch, $"'workflowKey' must be 32 bytes, got {key.Length}.");
            }

            if (Convert.ToHexStringLower(SHA256.HashData(key)) != digest)
            {
                throw Refusal.BadRequest(ProblemCodes.WorkflowKeyMismatch, "The deposited workflow key does not match the registration's digest.");
            }

            return state.WorkflowKeySealer.Seal(registration.Workflow, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private RegisteredWorkflow Build(Registration registration, byte[] userKey, byte[]? sealedKey)
    {
        var keys = ImmutableDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in registration.Authorities)
        {
            if (a.Id == state.Id)
            {
                keys[a.Id] = state.TokenKeySpki;
            }
            else if (a.TokenKey is not null)
            {
                keys[a.Id] = Convert.FromBase64String(a.TokenKey);
            }
        }

        return new RegisteredWorkflow(registration, userKey, keys.ToImmutable(), sealedKey);
    }
}

/// <summary>Decodes base64 request fields with a refusal naming the field.</summary>
internal static class Base64Field
{
    public static byte[] Decode(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Refusal.BadRequest(ProblemCodes.MalformedRequest, $"'{field}' is missing.");
        }

        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw Refusal.BadRequest(ProblemCodes.BadBase64, $"'{field}' is not valid base64.");
        }
    }
}
