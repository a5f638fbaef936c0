using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tless.Runtime.Protocol;

/// <summary>One input of an invocation: the object key in the store and the SHA-256 (lower-case hex) of its ciphertext.</summary>
public sealed record InvocationInput(string Key, string Sha256);

/// <summary>
/// The claims of an invocation token (DESIGN step 1): the parent <see cref="From"/> (<c>node#i</c>, or <c>user</c> for
/// entry nodes) asks for <see cref="To"/> (<c>node#j</c>) to run in <see cref="Run"/> of <see cref="Workflow"/> on
/// <see cref="Inputs"/>. A parent host also attaches its own authority tokens (<see cref="AuthorityTokens"/>), which
/// vouch that the key signing this token belongs to an attested instance of the parent node.
/// </summary>
public sealed record InvocationToken
{
    /// <summary>The workflow name, as registered (<c>PUT /v1/workflows/{wf}</c>).</summary>
    public required string Workflow { get; init; }

    public required string Run { get; init; }

    /// <summary><c>user</c> or <c>node#i</c>.</summary>
    public required string From { get; init; }

    /// <summary><c>node#j</c>.</summary>
    public required string To { get; init; }

    public ImmutableArray<InvocationInput> Inputs { get; init; } = [];

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>A fresh random value (base64url of 16 bytes from <see cref="InvocationTokens.NewNonce"/>).</summary>
    public required string Nonce { get; init; }

    /// <summary>The parent's authority tokens (compact JWTs), one per authority; empty for tokens signed by the user.</summary>
    public ImmutableArray<string> AuthorityTokens { get; init; } = [];

    /// <summary>True when the user signed this token (the target is an entry node).</summary>
    public bool IsFromUser => From == ProtocolConstants.UserParent;

    /// <summary>The target instance, parsed.</summary>
    public NodeInstance Target => NodeInstance.Parse(To, "the token's 'to'");

    /// <summary>A convenience constructor: issued now, expiring after <paramref name="lifetime"/>, with a fresh nonce.</summary>
    public static InvocationToken Create(
        string workflow,
        string run,
        string from,
        string to,
        IEnumerable<InvocationInput> inputs,
        TimeProvider timeProvider,
        TimeSpan lifetime,
        IEnumerable<string>? authorityTokens = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "The lifetime must be positive.");
        }

        var now = DateTimeOffset.FromUnixTimeSeconds(timeProvider.GetUtcNow().ToUnixTimeSeconds());
        return new InvocationToken
        {
            Workflow = workflow,
            Run = run,
            From = from,
            To = to,
            Inputs = [.. inputs],
            IssuedAt = now,
            ExpiresAt = now + lifetime,
            Nonce = InvocationTokens.NewNonce(),
            AuthorityTokens = authorityTokens is null ? [] : [.. authorityTokens],
        };
    }
}

/// <summary>Produces an ES256 signature (IEEE P1363, 64 bytes) over <paramref name="data"/>.</summary>
public delegate byte[] Es256Signer(ReadOnlySpan<byte> data);

/// <summary>Signs, parses and verifies invocation tokens (compact JWS, ES256, <c>typ</c> <c>tless-inv+jws</c>).</summary>
public static class InvocationTokens
{
    /// <summary>16 random bytes, base64url.</summary>
    public static string NewNonce() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Signs <paramref name="token"/> with the parent's (or the user's) P-256 key.</summary>
    public static string Sign(InvocationToken token, ECDsa signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        return Sign(token, data => signingKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <summary>
    /// Signs <paramref name="token"/> with an ES256 signer (64-byte r || s over SHA-256), e.g. the user's
    /// <c>UserSigningKey.Sign</c> for entry nodes.
    /// </summary>
    public static string Sign(InvocationToken token, Es256Signer signer)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(signer);
        Validate(token, (code, message) => new ArgumentException(message, nameof(token)));
        var payload = new InvocationPayload
        {
            V = 1,
            Wf = token.Workflow,
            Run = token.Run,
            From = token.From,
            To = token.To,
            Inputs = [.. token.Inputs.Select(i => new InvocationInputPayload { Key = i.Key, Sha256 = i.Sha256 })],
            Iat = token.IssuedAt.ToUnixTimeSeconds(),
            Exp = token.ExpiresAt.ToUnixTimeSeconds(),
            Nonce = token.Nonce,
            As = token.AuthorityTokens.IsDefaultOrEmpty ? null : [.. token.AuthorityTokens],
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(payload, TokenJsonContext.Default.InvocationPayload);
        return CompactJws.Sign(ProtocolConstants.InvocationTokenType, null, json, signer);
    }

    /// <summary>
    /// Parses a token WITHOUT verifying its signature (to learn who must have signed it); throws
    /// <see cref="ProtocolException"/> (token_malformed) saying what is wrong.
    /// </summary>
    public static InvocationToken Parse(string compact) => ParseCore(compact).Token;

    /// <summary>Parses and verifies the signature against <paramref name="signerKey"/>; false when the signature is wrong.</summary>
    public static bool TryVerify(string compact, ECDsa signerKey, out InvocationToken token)
    {
        ArgumentNullException.ThrowIfNull(signerKey);
        var (parsed, t) = ParseCore(compact);
        token = t;
        return CompactJws.VerifySignature(parsed, signerKey);
    }

    /// <summary>The SHA-256 of the token's ASCII bytes: its identity for redemption counting and report-data binding.</summary>
    public static byte[] Digest(string compact)
    {
        ArgumentNullException.ThrowIfNull(compact);
        return SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(compact));
    }

    internal static (CompactJws.Parsed Parsed, InvocationToken Token) ParseCore(string compact)
    {
        var parsed = CompactJws.Parse(compact, ProtocolConstants.InvocationTokenType, "invocation token");
        InvocationPayload? p;
        try
        {
            p = JsonSerializer.Deserialize(parsed.Payload, TokenJsonContext.Default.InvocationPayload);
        }
        catch (JsonException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, $"invocation token: the payload is not valid JSON ({e.Message}).", e);
        }

        if (p is null)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, "invocation token: the payload is null.");
        }

        if (p.V != 1)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, $"invocation token: unsupported version {p.V}, expected 1.");
        }

        InvocationToken token;
        try
        {
            token = new InvocationToken
            {
                Workflow = p.Wf!,
                Run = p.Run!,
                From = p.From!,
                To = p.To!,
                Inputs = p.Inputs is null ? [] : [.. p.Inputs.Select(i => new InvocationInput(i?.Key!, i?.Sha256!))],
                IssuedAt = DateTimeOffset.FromUnixTimeSeconds(p.Iat),
                ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(p.Exp),
                Nonce = p.Nonce!,
                AuthorityTokens = p.As is null ? [] : [.. p.As],
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ProtocolException(ProblemCodes.TokenMalformed, "invocation token: 'iat' or 'exp' is out of range.", e);
        }

        Validate(token, (code, message) => new ProtocolException(code, "invocation token: " + message));
        return (parsed, token);
    }

    private static void Validate(InvocationToken t, Func<string, string, Exception> fail)
    {
        const string M = ProblemCodes.TokenMalformed;
        if (string.IsNullOrEmpty(t.Workflow))
        {
            throw fail(M, "'wf' is missing.");
        }

        if (string.IsNullOrEmpty(t.Run) || t.Run.Length > 256)
        {
            throw fail(M, "'run' is missing or longer than 256 characters.");
        }

        if (t.From != ProtocolConstants.UserParent && !NodeInstance.TryParse(t.From, out _))
        {
            throw fail(M, $"'from' must be 'user' or 'node#index', got '{NodeInstance.Truncate(t.From)}'.");
        }

        if (!NodeInstance.TryParse(t.To, out _))
        {
            throw fail(M, $"'to' must be 'node#index', got '{NodeInstance.Truncate(t.To)}'.");
        }

        if (string.IsNullOrEmpty(t.Nonce) || t.Nonce.Length > 128)
        {
            throw fail(M, "'nonce' is missing or longer than 128 characters.");
        }

        if (t.ExpiresAt <= t.IssuedAt)
        {
            throw fail(M, "'exp' is not after 'iat'.");
        }

        var inputs = t.Inputs.IsDefault ? [] : t.Inputs;
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = inputs[i];
            if (input is null || string.IsNullOrEmpty(input.Key))
            {
                throw fail(M, $"inputs[{i}] has no 'key'.");
            }

            if (input.Sha256 is null || input.Sha256.Length != 64 || !input.Sha256.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
            {
                throw fail(M, $"inputs[{i}].sha256 must be 64 lower-case hex characters.");
            }
        }

        if (!t.AuthorityTokens.IsDefault && t.AuthorityTokens.Any(string.IsNullOrEmpty))
        {
            throw fail(M, "'as' contains an empty authority token.");
        }
    }
}
