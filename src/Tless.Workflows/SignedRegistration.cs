using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Tless.Workflows;

/// <summary>
/// A registration signed by the user: <c>{"alg":"ES256","publicKey":SPKI base64,"registration":{...},"signature":base64}</c>
/// (canonical JSON). The signature covers the registration's canonical bytes (<see cref="Registration.ToCanonicalJson"/>).
/// </summary>
public sealed record SignedRegistration
{
    /// <summary>The only signature algorithm: ECDSA P-256 with SHA-256, IEEE P1363 signature.</summary>
    public const string Algorithm = "ES256";

    public required Registration Registration { get; init; }

    /// <summary>The signer's public key (DER SubjectPublicKeyInfo).</summary>
    public required ImmutableArray<byte> PublicKey { get; init; }

    /// <summary>The ES256 signature (64 bytes, r || s).</summary>
    public required ImmutableArray<byte> Signature { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="PublicKey"/> (what a service pins).</summary>
    public string KeyThumbprint => Thumbprints.Of(PublicKey.AsSpan());

    /// <summary>Signs the registration's canonical bytes with the user's key.</summary>
    public static SignedRegistration Sign(Registration registration, UserSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(key);
        return new SignedRegistration
        {
            Registration = registration,
            PublicKey = [.. key.PublicKeySpki.Span],
            Signature = [.. key.Sign(registration.ToCanonicalJson())],
        };
    }

    /// <summary>True when the signature over the registration verifies under <see cref="PublicKey"/> (and nothing else is checked).</summary>
    public bool HasValidSignature()
    {
        byte[] canonical;
        try
        {
            canonical = Registration.ToCanonicalJson();
        }
        catch (TlessFormatException)
        {
            return false;
        }

        return UserSigningKey.Verify(PublicKey.AsSpan(), canonical, Signature.AsSpan());
    }

    /// <summary>
    /// Full verification (signature, pinned key, version, content): see <see cref="RegistrationVerifier.Verify"/>.
    /// </summary>
    public RegistrationVerification Verify(ReadOnlySpan<byte> pinnedKey = default, long lastAcceptedVersion = 0) =>
        RegistrationVerifier.Verify(this, pinnedKey, lastAcceptedVersion);

    /// <summary>The envelope as canonical JSON bytes.</summary>
    public byte[] ToJsonBytes() => CanonicalJson.Serialize(new JsonObject
    {
        ["alg"] = Algorithm,
        ["publicKey"] = Convert.ToBase64String(PublicKey.AsSpan()),
        ["registration"] = Registration.ToJsonNode(),
        ["signature"] = Convert.ToBase64String(Signature.AsSpan()),
    });

    /// <summary>The envelope as a JSON string.</summary>
    public string ToJson() => System.Text.Encoding.UTF8.GetString(ToJsonBytes());

    /// <summary>Parses an envelope strictly; TlessFormatException naming the member that is wrong. Does not verify.</summary>
    public static SignedRegistration Parse(ReadOnlySpan<byte> utf8)
    {
        using var doc = CanonicalJson.Parse(utf8, "signed registration");
        var f = JsonFields.Of(doc.RootElement, "$", "alg", "publicKey", "registration", "signature");
        var alg = f.String("alg");
        if (alg != Algorithm)
        {
            throw JsonFields.Bad("$.alg", $"expected '{Algorithm}' but found '{alg}'");
        }

        return new SignedRegistration
        {
            Registration = Registration.FromJsonElement(f.Required("registration"), "$.registration"),
            PublicKey = [.. Base64(f.String("publicKey"), "$.publicKey")],
            Signature = [.. Base64(f.String("signature"), "$.signature")],
        };
    }

    /// <summary>Parses an envelope from a JSON string.</summary>
    public static SignedRegistration Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    private static byte[] Base64(string text, string path)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw JsonFields.Bad(path, "expected standard base64");
        }
    }

}
