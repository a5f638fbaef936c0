using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tless.Runtime.Protocol;

/// <summary>
/// What an attestation service states after minting (DESIGN step 4), as an ES256 JWT signed by the authority's token
/// key: the attested instance <see cref="Node"/>#<see cref="Instance"/> of <see cref="Workflow"/> holds GID
/// <see cref="Gid"/>, ran in <see cref="Tee"/> with <see cref="Measurement"/>, was invoked by
/// <see cref="Ancestors"/>, and owns the signing key <see cref="HolderKey"/> (JWT <c>cnf.jwk</c>), which it uses to
/// sign its successors' invocation tokens.
/// </summary>
public sealed record AuthorityToken
{
    /// <summary>The authority id (<c>iss</c>).</summary>
    public required string Issuer { get; init; }

    public required string Workflow { get; init; }

    public required string Node { get; init; }

    public required int Instance { get; init; }

    public required string Gid { get; init; }

    /// <summary>The TEE kind in lower case (<c>sim</c>, <c>snp</c>, <c>sgx</c>, <c>tdx</c>).</summary>
    public required string Tee { get; init; }

    /// <summary>The attested measurement, lower-case hex.</summary>
    public required string Measurement { get; init; }

    /// <summary>The parent node names whose tokens were redeemed (<c>user</c> for entry nodes).</summary>
    public required ImmutableArray<string> Ancestors { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The holder's ECDSA P-256 public key, 65-byte uncompressed point.</summary>
    public required ImmutableArray<byte> HolderKey { get; init; }
}

/// <summary>Issues and verifies authority tokens (compact JWS, ES256, <c>typ</c> <c>tless-as+jwt</c>, <c>kid</c> = issuer).</summary>
public static class AuthorityTokens
{
    /// <summary>Signs <paramref name="token"/> with the authority's token key.</summary>
    public static string Issue(AuthorityToken token, ECDsa authorityKey)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(authorityKey);
        if (token.HolderKey.IsDefault || token.HolderKey.Length != ProtocolConstants.P256PublicKeyLength)
        {
            throw new ArgumentException("The holder key must be a 65-byte P-256 point.", nameof(token));
        }

        var payload = new AuthorityPayload
        {
            Iss = token.Issuer,
            Wf = token.Workflow,
            Node = token.Node,
            Inst = token.Instance,
            Gid = token.Gid,
            Tee = token.Tee,
            Measurement = token.Measurement,
            Anc = [.. token.Ancestors],
            Iat = token.IssuedAt.ToUnixTimeSeconds(),
            Exp = token.ExpiresAt.ToUnixTimeSeconds(),
            Cnf = new ConfirmationPayload
            {
                Jwk = new JwkPayload
                {
                    Kty = "EC",
                    Crv = "P-256",
                    X = Base64Url.EncodeToString(token.HolderKey.AsSpan(1, 32)),
                    Y = Base64Url.EncodeToString(token.HolderKey.AsSpan(33, 32)),
                },
            },
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(payload, TokenJsonContext.Default.AuthorityPayload);
        return CompactJws.Sign(ProtocolConstants.AuthorityTokenType, token.Issuer, json, authorityKey);
    }

    /// <summary>The issuer named in the token's header (unverified), to pick the verification key.</summary>
    public static string PeekIssuer(string jwt)
    {
        var parsed = CompactJws.Parse(jwt, ProtocolConstants.AuthorityTokenType, "authority token");
        return string.IsNullOrEmpty(parsed.KeyId)
            ? throw new ProtocolException(ProblemCodes.TokenMalformed, "authority token: the header has no 'kid'.")
            : parsed.KeyId;
    }

    /// <summary>
    /// Parses <paramref name="jwt"/> and verifies its signature with <paramref name="authorityKey"/>; false when the
    /// signature does not verify. Expiry is the caller's check (it owns the clock). Throws
    /// <see cref="ProtocolException"/> (token_malformed) when the token is malformed.
    /// </summary>
    public static bool TryVerify(string jwt, ECDsa authorityKey, out AuthorityToken token)
    {
        ArgumentNullException.ThrowIfNull(authorityKey);
        var parsed = CompactJws.Parse(jwt, ProtocolConstants.AuthorityTokenType, "authority token");
        token = Decode(parsed);
        return CompactJws.VerifySignature(parsed, authorityKey);
    }

    /// <summary>Parses without verifying (for display and diagnostics only).</summary>
    public static AuthorityToken ParseUnverified(string jwt) =>
        Decode(CompactJws.Parse(jwt, ProtocolConstants.AuthorityTokenType, "authority token"));

    private static AuthorityToken Decode(CompactJws.Parsed parsed)
    {
        AuthorityPayload? p;
        try
        {
            p = JsonSerializer.Deserialize(parsed.Payload, TokenJsonContext.Default.AuthorityPayload);
        }
        catch (JsonException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, $"authority token: the payload is not valid JSON ({e.Message}).", e);
        }

        static ProtocolException Bad(string m) => new(ProblemCodes.TokenMalformed, "authority token: " + m);
        if (p is null || string.IsNullOrEmpty(p.Iss) || string.IsNullOrEmpty(p.Wf) || string.IsNullOrEmpty(p.Node)
            || string.IsNullOrEmpty(p.Gid) || string.IsNullOrEmpty(p.Tee) || string.IsNullOrEmpty(p.Measurement) || p.Anc is null)
        {
            throw Bad("a required claim (iss, wf, node, gid, tee, measurement, anc) is missing.");
        }

        if (parsed.KeyId != p.Iss)
        {
            throw Bad("the header 'kid' differs from 'iss'.");
        }

        if (p.Inst < 0)
        {
            throw Bad("'inst' is negative.");
        }

        var jwk = p.Cnf?.Jwk;
        if (jwk is null || jwk.Kty != "EC" || jwk.Crv != "P-256" || jwk.X is null || jwk.Y is null)
        {
            throw Bad("'cnf.jwk' must be an EC P-256 key.");
        }

        byte[] x, y;
        try
        {
            x = Base64Url.DecodeFromChars(jwk.X);
            y = Base64Url.DecodeFromChars(jwk.Y);
        }
        catch (FormatException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, "authority token: 'cnf.jwk' coordinates are not base64url.", e);
        }

        if (x.Length != 32 || y.Length != 32)
        {
            throw Bad("'cnf.jwk' coordinates must be 32 bytes each.");
        }

        var holder = new byte[ProtocolConstants.P256PublicKeyLength];
        holder[0] = 0x04;
        x.CopyTo(holder, 1);
        y.CopyTo(holder, 33);
        try
        {
            return new AuthorityToken
            {
                Issuer = p.Iss,
                Workflow = p.Wf,
                Node = p.Node,
                Instance = p.Inst,
                Gid = p.Gid,
                Tee = p.Tee,
                Measurement = p.Measurement,
                Ancestors = [.. p.Anc],
                IssuedAt = DateTimeOffset.FromUnixTimeSeconds(p.Iat),
                ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(p.Exp),
                HolderKey = [.. holder],
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, "authority token: 'iat' or 'exp' is out of range.", e);
        }
    }
}
