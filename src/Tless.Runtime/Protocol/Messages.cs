using System.Collections.Immutable;

namespace Tless.Runtime.Protocol;

// Wire messages of the attestation service (JSON, camelCase; binary fields are standard base64 with padding).

/// <summary><c>GET /v1/authority</c>: who this authority is and what it accepts.</summary>
public sealed record AuthorityInfo
{
    /// <summary>The authority id; the prefix of every attribute it mints (<c>{id}.wf:W</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Always <c>tless/v1</c>.</summary>
    public string Protocol { get; init; } = ProtocolConstants.Version;

    /// <summary>The CP-ABE authority public key (<c>AuthorityPublicKey.ToBytes()</c>), base64.</summary>
    public required string AbePublicKey { get; init; }

    /// <summary>The ES256 key that signs authority tokens, SubjectPublicKeyInfo DER, base64.</summary>
    public required string TokenKey { get; init; }

    /// <summary>The TEE kinds whose evidence this authority accepts (<c>sim</c>, <c>snp</c>, <c>sgx</c>, <c>tdx</c>).</summary>
    public required ImmutableArray<string> TeeKinds { get; init; }

    /// <summary>How long authority tokens are valid, in seconds.</summary>
    public int TokenLifetimeSeconds { get; init; }
}

/// <summary><c>PUT /v1/workflows/{wf}</c>: a registration signed by the user, and for mode <c>tee</c> the workflow key.</summary>
public sealed record RegisterRequest
{
    /// <summary>The signed registration envelope exactly as the workflows library serialises it (JSON text).</summary>
    public required string Registration { get; init; }

    /// <summary>Mode <c>tee</c> only: the 32-byte workflow key, base64. The registration must carry its SHA-256
    /// in the extension <c>tless.workflowKeySha256</c>.</summary>
    public string? WorkflowKey { get; init; }
}

/// <summary>The answer to a registration.</summary>
public sealed record RegisterResponse
{
    public required string Workflow { get; init; }

    public required long Version { get; init; }

    /// <summary>SHA-256 (hex) of the user's pinned SubjectPublicKeyInfo.</summary>
    public required string UserKeySha256 { get; init; }

    /// <summary>True when this was the first registration of the workflow (the user's key was pinned now).</summary>
    public required bool Pinned { get; init; }
}

/// <summary><c>POST /v1/attest</c>: evidence and invocation token(s) in exchange for a key part.</summary>
public sealed record AttestRequest
{
    /// <summary><c>sim</c>, <c>snp</c>, <c>sgx</c> or <c>tdx</c>.</summary>
    public required string Tee { get; init; }

    /// <summary>The evidence bytes, base64.</summary>
    public required string Evidence { get; init; }

    /// <summary>The host's ECDH P-256 key, 65-byte uncompressed point, base64.</summary>
    public required string EcdhPublicKey { get; init; }

    /// <summary>The host's ECDSA P-256 signing key, 65-byte uncompressed point, base64.</summary>
    public required string SigningPublicKey { get; init; }

    public required string Gid { get; init; }

    /// <summary>One invocation token, or several (same workflow, run and target) for a fan-in node.</summary>
    public required ImmutableArray<string> InvocationTokens { get; init; }
}

/// <summary>The key part minted for an attested host, and the authority token vouching for it.</summary>
public sealed record AttestResponse
{
    public required string Authority { get; init; }

    public required string Workflow { get; init; }

    public required string Node { get; init; }

    public required int Instance { get; init; }

    /// <summary>The attribute names minted (<c>{id}.wf:W</c>, <c>{id}.node:N</c>, <c>{id}.anc:P</c>...).</summary>
    public required ImmutableArray<string> Attributes { get; init; }

    /// <summary><c>UserKeyPart.Export()</c> wrapped with <see cref="KeyWrap"/> under
    /// <see cref="KeyWrap.AttestContext"/>(authority, workflow, node, gid), base64.</summary>
    public required string KeyPart { get; init; }

    /// <summary>The authority token (compact JWS).</summary>
    public required string Token { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary><c>POST /v1/release</c> (mode <c>tee</c>): evidence for a workflow in exchange for its workflow key.</summary>
public sealed record ReleaseRequest
{
    public required string Workflow { get; init; }

    public required string Tee { get; init; }

    public required string Evidence { get; init; }

    public required string EcdhPublicKey { get; init; }

    public required string SigningPublicKey { get; init; }

    /// <summary>Binds the evidence like an attestation with no invocation tokens.</summary>
    public required string Gid { get; init; }
}

/// <summary>The workflow key, wrapped to the host.</summary>
public sealed record ReleaseResponse
{
    public required string Authority { get; init; }

    public required string Workflow { get; init; }

    /// <summary>The workflow key wrapped under <see cref="KeyWrap.ReleaseContext"/>(authority, workflow, gid), base64.</summary>
    public required string WrappedKey { get; init; }
}

/// <summary>An RFC 7807 problem as this protocol sends it (<c>application/problem+json</c>).</summary>
public sealed record ProblemDocument
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    public string? Detail { get; init; }

    /// <summary>One of <see cref="ProblemCodes"/>.</summary>
    public string? Code { get; init; }
}
