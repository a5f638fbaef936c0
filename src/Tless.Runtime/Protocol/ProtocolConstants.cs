namespace Tless.Runtime.Protocol;

/// <summary>Fixed strings and limits of the TLess wire protocol, version 1 (docs/protocol.md).</summary>
public static class ProtocolConstants
{
    /// <summary>The protocol label; also the domain separator at the start of the report-data preimage.</summary>
    public const string Version = "tless/v1";

    /// <summary>JWS <c>typ</c> of an invocation token.</summary>
    public const string InvocationTokenType = "tless-inv+jws";

    /// <summary>JWS <c>typ</c> of a token minted by an attestation service.</summary>
    public const string AuthorityTokenType = "tless-as+jwt";

    /// <summary>The <c>from</c> of an invocation token for an entry node, and the <c>anc</c> value of entry nodes.</summary>
    public const string UserParent = "user";

    /// <summary>The length of an uncompressed SEC1 P-256 point (0x04 || X || Y).</summary>
    public const int P256PublicKeyLength = 65;

    /// <summary>The longest accepted global id (GID).</summary>
    public const int MaxGidLength = 128;

    /// <summary>The shortest accepted global id (GID); <see cref="HostIdentity"/> makes 43-character ones.</summary>
    public const int MinGidLength = 16;

    /// <summary>The most invocation tokens one attestation request may carry (fan-in).</summary>
    public const int MaxInvocationTokens = 1024;

    /// <summary>Registration extension key holding authority <c>{id}</c>'s token-signing key (SPKI, base64).</summary>
    public static string TokenKeyExtension(string authorityId)
    {
        ArgumentException.ThrowIfNullOrEmpty(authorityId);
        return $"tless.as.{authorityId}.tokenKey";
    }

    /// <summary>Registration extension key holding SHA-256 (hex) of the workflow key deposited for mode <c>tee</c>.</summary>
    public const string WorkflowKeyDigestExtension = "tless.workflowKeySha256";

    /// <summary>True when <paramref name="gid"/> has the documented GID form: 16..128 characters of [A-Za-z0-9_-].</summary>
    public static bool IsValidGid(string? gid)
    {
        if (gid is null || gid.Length < MinGidLength || gid.Length > MaxGidLength)
        {
            return false;
        }

        foreach (var c in gid)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
