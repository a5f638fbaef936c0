using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Tless.Attestation;

namespace Tless.Workflows.Tests;

public sealed class RegistrationTests
{
    private const string Digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly string SnpMeasurement = new('a', 96);

    private static Registration Create(long version = 1, Func<WorkflowNode, NodeArtifacts>? artifacts = null) =>
        Registration.FromSpec(
            WorkflowLoader.Load(Corpus.Valid("word-count.yaml")),
            version,
            new Dictionary<string, string> { ["N"] = "3" },
            artifacts ?? (_ => new NodeArtifacts
            {
                CodeDigest = Digest,
                Measurements = [new ReferenceMeasurement { Tee = TeeKind.Snp, Measurement = SnpMeasurement }, new ReferenceMeasurement { Tee = TeeKind.Sim, Measurement = Digest }],
            }));

    [Fact]
    public void FromSpec_ResolvesScalesAndCopiesTheDag()
    {
        var r = Create();

        Assert.Equal("word-count", r.Workflow);
        Assert.Equal(WorkflowIds.WorkflowId("word-count"), r.WorkflowId);
        Assert.Equal(3, r.FindNode("mapper")!.Scale);
        Assert.Equal(["splitter"], r.FindNode("mapper")!.Parents);
        Assert.True(r.IsEdge("user", "splitter"));
        Assert.True(r.IsEdge("mapper", "reducer"));
        Assert.False(r.IsEdge("splitter", "reducer"));
        Assert.Equal(["as1", "as2"], r.Authorities.Select(a => a.Id));
        Assert.False(r.AllowDebug);
    }

    [Fact]
    public void NodePolicy_OfRegistration_EqualsTheSpecPolicy()
    {
        var spec = WorkflowLoader.Load(Corpus.Valid("finra.yaml"));
        var r = Registration.FromSpec(spec, 1, null, _ => new NodeArtifacts { CodeDigest = Digest, Measurements = [] });

        foreach (var node in spec.Nodes)
        {
            Assert.Equal(PolicyCompiler.NodePolicy(spec, node.Name), r.NodePolicy(node.Name));
        }
    }

    [Fact]
    public void ToCanonicalJson_IsSortedCompactAndStable()
    {
        var r = Create() with { Extensions = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("z", "1"), KeyValuePair.Create("a", "é\"\n")]) };

        var text = Encoding.UTF8.GetString(r.ToCanonicalJson());

        Assert.StartsWith("{\"allowDebug\":false,\"authorities\":[{\"id\":\"as1\",\"url\":\"https://127.0.0.1:8701/\"},", text, StringComparison.Ordinal);
        Assert.Contains("\"extensions\":{\"a\":\"é\\\"\\n\",\"z\":\"1\"},\"format\":\"tless-registration/v1\",\"mode\":\"all-of\",\"nodes\":[{\"codeDigest\":", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" ", text.Replace("Tless.Apps", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("workflowKeyWrap", text, StringComparison.Ordinal);
        Assert.Equal(r.ToCanonicalJson(), Registration.FromJson(r.ToCanonicalJson()).ToCanonicalJson());
    }

    [Fact]
    public void Sign_ThenVerify_Succeeds()
    {
        using var key = UserSigningKey.Generate();
        var signed = SignedRegistration.Sign(Create(), key);

        var result = signed.Verify();

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(key.Thumbprint, result.KeyThumbprint);
        Assert.Same(signed.Registration, result.Registration);
    }

    [Fact]
    public void Parse_OfSerializedEnvelope_VerifiesWithPinnedKeyAndLowerVersion()
    {
        using var key = UserSigningKey.Generate();
        var json = SignedRegistration.Sign(Create(version: 5) with { WorkflowKeyWrap = "AAEC", AllowDebug = true }, key).ToJsonBytes();

        var parsed = SignedRegistration.Parse(json);
        var result = RegistrationVerifier.Verify(parsed, key.PublicKeySpki.Span, lastAcceptedVersion: 4, expectedWorkflow: "word-count");

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal("AAEC", parsed.Registration.WorkflowKeyWrap);
        Assert.True(parsed.Registration.AllowDebug);
        Assert.Equal(json, parsed.ToJsonBytes());
        Assert.True(RegistrationVerifier.Verify(parsed, expectedWorkflow: WorkflowIds.WorkflowId("word-count")).IsValid);
    }

    [Theory]
    [InlineData("\"scale\":3", "\"scale\":4")]
    [InlineData("\"allowDebug\":false", "\"allowDebug\":true")]
    [InlineData("\"version\":1", "\"version\":2")]
    [InlineData("\"parents\":[\"splitter\"]", "\"parents\":[]")]
    [InlineData("aaaaaaaa", "aaaaaaab")]
    public void Verify_TamperedDocument_FailsTheSignature(string from, string to)
    {
        using var key = UserSigningKey.Generate();
        var json = SignedRegistration.Sign(Create(), key).ToJson();
        Assert.Contains(from, json, StringComparison.Ordinal);

        var tampered = SignedRegistration.Parse(ReplaceFirst(json, from, to));
        var result = tampered.Verify();

        Assert.False(result.IsValid);
        Assert.Equal(RegistrationChecks.Signature, result.FailedCheck);
        Assert.Null(result.Registration);
    }

    [Fact]
    public void Verify_FlippedSignatureBit_Fails()
    {
        using var key = UserSigningKey.Generate();
        var signed = SignedRegistration.Sign(Create(), key);
        var signature = signed.Signature.ToArray();
        signature[10] ^= 1;

        Assert.Equal(RegistrationChecks.Signature, (signed with { Signature = [.. signature] }).Verify().FailedCheck);
        Assert.Equal(RegistrationChecks.Signature, (signed with { Signature = [.. signature[..63]] }).Verify().FailedCheck);
    }

    [Fact]
    public void Verify_ReSignedByAnotherKey_FailsAgainstThePinnedKey()
    {
        using var user = UserSigningKey.Generate();
        using var attacker = UserSigningKey.Generate();
        var forged = SignedRegistration.Sign(Create(version: 9), attacker);

        var result = forged.Verify(user.PublicKeySpki.Span, lastAcceptedVersion: 1);

        Assert.True(forged.HasValidSignature());
        Assert.Equal(RegistrationChecks.KeyMismatch, result.FailedCheck);
    }

    [Fact]
    public void Verify_SignatureOfAnotherKeyWithSwappedPublicKey_Fails()
    {
        using var user = UserSigningKey.Generate();
        using var attacker = UserSigningKey.Generate();
        var forged = SignedRegistration.Sign(Create(), attacker) with { PublicKey = [.. user.PublicKeySpki.Span] };

        Assert.Equal(RegistrationChecks.Signature, forged.Verify(user.PublicKeySpki.Span).FailedCheck);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(2, 3)]
    [InlineData(1, 5)]
    public void Verify_VersionNotAboveAccepted_IsRefused(long version, long accepted)
    {
        using var key = UserSigningKey.Generate();
        var replay = SignedRegistration.Sign(Create(version), key);

        var result = replay.Verify(key.PublicKeySpki.Span, accepted);

        Assert.Equal(RegistrationChecks.Version, result.FailedCheck);
    }

    [Fact]
    public void Verify_OtherWorkflowThanExpected_IsRefused()
    {
        using var key = UserSigningKey.Generate();

        var result = RegistrationVerifier.Verify(SignedRegistration.Sign(Create(), key), expectedWorkflow: "finra");

        Assert.Equal(RegistrationChecks.WorkflowMismatch, result.FailedCheck);
    }

    public static TheoryData<string, string> MalformedContent => new()
    {
        { "short-digest", RegistrationChecks.BadDigest },
        { "upper-digest", RegistrationChecks.BadDigest },
        { "non-hex-digest", RegistrationChecks.BadDigest },
        { "short-measurement", RegistrationChecks.BadMeasurement },
        { "sgx-measurement-48", RegistrationChecks.BadMeasurement },
        { "no-measurement", RegistrationChecks.BadMeasurement },
        { "unknown-parent", RegistrationChecks.UnknownNode },
        { "duplicate-node", RegistrationChecks.UnknownNode },
        { "cycle", RegistrationChecks.NotADag },
        { "wrong-node-id", RegistrationChecks.Malformed },
        { "wrong-workflow-id", RegistrationChecks.Malformed },
        { "scale-zero", RegistrationChecks.Malformed },
        { "no-authority", RegistrationChecks.Malformed },
        { "bad-url", RegistrationChecks.Malformed },
        { "policy-unknown-authority", RegistrationChecks.Malformed },
        { "reserved-node", RegistrationChecks.Malformed },
        { "version-zero", RegistrationChecks.Version },
    };

    [Theory]
    [MemberData(nameof(MalformedContent))]
    public void Verify_SignedButMalformed_IsRefused(string variant, string check)
    {
        var r = Create();
        var mapper = r.FindNode("mapper")!;
        RegisteredNode[] Replace(RegisteredNode n) => [.. r.Nodes.Select(x => x.Name == "mapper" ? n : x)];
        var bad = variant switch
        {
            "short-digest" => r with { Nodes = [.. Replace(mapper with { CodeDigest = Digest[..63] })] },
            "upper-digest" => r with { Nodes = [.. Replace(mapper with { CodeDigest = Digest.ToUpperInvariant() })] },
            "non-hex-digest" => r with { Nodes = [.. Replace(mapper with { CodeDigest = "g" + Digest[1..] })] },
            "short-measurement" => r with { Nodes = [.. Replace(mapper with { Measurements = [new() { Tee = TeeKind.Snp, Measurement = Digest }] })] },
            "sgx-measurement-48" => r with { Nodes = [.. Replace(mapper with { Measurements = [new() { Tee = TeeKind.Sgx, Measurement = SnpMeasurement }] })] },
            "no-measurement" => r with { Nodes = [.. Replace(mapper with { Measurements = [] })] },
            "unknown-parent" => r with { Nodes = [.. Replace(mapper with { Parents = ["ghost"] })] },
            "duplicate-node" => r with { Nodes = [.. r.Nodes, mapper] },
            "cycle" => r with { Nodes = [.. r.Nodes.Select(x => x.Name == "splitter" ? x with { Parents = ["reducer"] } : x)] },
            "wrong-node-id" => r with { Nodes = [.. Replace(mapper with { Id = WorkflowIds.NodeId("word-count", "reducer") })] },
            "wrong-workflow-id" => r with { WorkflowId = WorkflowIds.WorkflowId("finra") },
            "scale-zero" => r with { Nodes = [.. Replace(mapper with { Scale = 0 })] },
            "no-authority" => r with { Authorities = [] },
            "bad-url" => r with { Authorities = [r.Authorities[0] with { Url = "as1" }] },
            "policy-unknown-authority" => r with { Nodes = [.. Replace(mapper with { ExtraPolicy = "as9.x:y" })] },
            "reserved-node" => r with { Nodes = [.. Replace(mapper with { Name = "user" })] },
            "version-zero" => r with { Version = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        using var key = UserSigningKey.Generate();

        var result = SignedRegistration.Sign(bad, key).Verify();

        Assert.Equal(check, result.FailedCheck);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "$: expected an object")]
    [InlineData("{\"alg\":\"ES256\"}", "missing required member")]
    [InlineData("{\"alg\":\"HS256\",\"publicKey\":\"\",\"registration\":{},\"signature\":\"\"}", "$.alg: expected 'ES256'")]
    [InlineData("{\"alg\":\"ES256\",\"alg\":\"ES256\"}", "appears twice")]
    [InlineData("{\"alg\":\"ES256\",\"extra\":1}", "unknown member 'extra'")]
    [InlineData("{\"alg\":\"ES256\",\"publicKey\":\"%%%\",\"registration\":{},\"signature\":\"\"}", "$.registration: missing required member")]
    public void Parse_MalformedEnvelope_ThrowsFormatExceptionNamingTheMember(string json, string expected)
    {
        var e = Assert.Throws<TlessFormatException>(() => SignedRegistration.Parse(json));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"scale\":3", "\"scale\":3.0", "$.registration.nodes[1].scale: expected an integer")]
    [InlineData("\"scale\":3", "\"scale\":\"3\"", "$.registration.nodes[1].scale: expected an integer")]
    [InlineData("\"scale\":3", "\"scale\":0", "$.registration.nodes[1].scale: expected an integer in 1..100000")]
    [InlineData("\"mode\":\"all-of\"", "\"mode\":\"most-of\"", "$.registration.mode: expected all-of or any-of")]
    [InlineData("\"tee\":\"snp\"", "\"tee\":\"SNP\"", "$.registration.nodes[0].measurements[0].tee: expected sim, snp, sgx or tdx")]
    [InlineData("\"format\":\"tless-registration/v1\"", "\"format\":\"tless-registration/v2\"", "$.registration.format: expected 'tless-registration/v1'")]
    [InlineData("\"codeDigest\":", "\"codeDigest\":1,\"x\":", "$.registration.nodes[0]: unknown member 'x'")]
    [InlineData("\"alg\":\"ES256\"", "\"alg\":\"ES256\" ,\"signature\":\"\"", "appears twice")]
    public void Parse_MalformedRegistration_ThrowsFormatExceptionNamingThePath(string from, string to, string expected)
    {
        using var key = UserSigningKey.Generate();
        var json = SignedRegistration.Sign(Create(), key).ToJson();

        var e = Assert.Throws<TlessFormatException>(() => SignedRegistration.Parse(ReplaceFirst(json, from, to)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8OrLoneSurrogate_ThrowsFormatException()
    {
        using var key = UserSigningKey.Generate();
        var json = SignedRegistration.Sign(Create(), key).ToJson();
        var invalid = Encoding.UTF8.GetBytes(json);
        invalid[json.IndexOf("word-count", StringComparison.Ordinal)] = 0xff;

        Assert.Contains("not valid UTF-8", Assert.Throws<TlessFormatException>(() => SignedRegistration.Parse(invalid)).Message, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", Assert.Throws<TlessFormatException>(() => SignedRegistration.Parse(ReplaceFirst(json, "\"word-count\"", "\"\\ud800\""))).Message, StringComparison.Ordinal);
        // An escaped but equal string is the same content: verification re-canonicalises.
        Assert.True(SignedRegistration.Parse(ReplaceFirst(json, "\"word-count\"", "\"word\\u002dcount\"")).Verify().IsValid);
    }

    [Fact]
    public void ToCanonicalJson_ControlCharacters_AreEscapedAsJcs()
    {
        var r = Create() with { Extensions = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("k", "\u0001\t/<>")]) };

        var text = Encoding.UTF8.GetString(r.ToCanonicalJson());

        Assert.Contains("\"extensions\":{\"k\":\"\\u0001\\t/<>\"}", text, StringComparison.Ordinal);
        Assert.Equal("\u0001\t/<>", Registration.FromJson(r.ToCanonicalJson()).Extensions["k"]);
    }

    [Fact]
    public void Parse_TooLarge_ThrowsFormatException()
    {
        var e = Assert.Throws<TlessFormatException>(() => SignedRegistration.Parse(new byte[(4 * 1024 * 1024) + 1]));

        Assert.Contains("bytes is more than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadBase64Signature_ThrowsFormatException()
    {
        using var key = UserSigningKey.Generate();
        var json = SignedRegistration.Sign(Create(), key).ToJson();
        var start = json.IndexOf("\"signature\":\"", StringComparison.Ordinal) + 13;

        var e = Assert.Throws<TlessFormatException>(() => SignedRegistration.Parse(json[..start] + "!!" + json[(start + 2)..]));

        Assert.Contains("$.signature: expected standard base64", e.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 60)]
    public bool Parse_AnySingleByteChange_NeverVerifiesDifferentContent(NonNegativeInt position, byte value)
    {
        using var key = UserSigningKey.Generate();
        var original = SignedRegistration.Sign(Create(), key);
        var bytes = original.ToJsonBytes();
        var index = position.Get % bytes.Length;
        if (bytes[index] == value)
        {
            return true;
        }

        bytes[index] = value;
        SignedRegistration parsed;
        try
        {
            parsed = SignedRegistration.Parse(bytes);
        }
        catch (TlessFormatException)
        {
            return true;
        }

        // Anything that still verifies must be the very same signed content (base64 may have slack bits).
        return !parsed.Verify().IsValid
            || (parsed.Registration.ToCanonicalJson().AsSpan().SequenceEqual(original.Registration.ToCanonicalJson())
                && parsed.PublicKey.SequenceEqual(original.PublicKey));
    }

    [Fact]
    public void UserSigningKey_PemRoundTrip_KeepsTheKey()
    {
        using var key = UserSigningKey.Generate();
        var pem = key.ExportPkcs8Pem();

        using var again = UserSigningKey.ImportPkcs8Pem(pem);
        var signature = again.Sign("hello"u8);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(key.PublicKeySpki.ToArray(), again.PublicKeySpki.ToArray());
        Assert.True(UserSigningKey.Verify(key.PublicKeySpki.Span, "hello"u8, signature));
        Assert.False(UserSigningKey.Verify(key.PublicKeySpki.Span, "hellp"u8, signature));
        Assert.Equal(64, signature.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.PublicKeySpki.Span)), key.Thumbprint);
    }

    [Fact]
    public void UserSigningKey_ImportGarbage_ThrowsFormatException()
    {
        Assert.Throws<TlessFormatException>(() => UserSigningKey.ImportPkcs8Pem("not a pem"));
        Assert.Throws<TlessFormatException>(() => UserSigningKey.ImportPkcs8Pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"));
        using var key = UserSigningKey.Generate();
        var publicPem = PemEncoding.WriteString("PUBLIC KEY", key.PublicKeySpki.Span);
        Assert.Contains("PUBLIC KEY", Assert.Throws<TlessFormatException>(() => UserSigningKey.ImportPkcs8Pem(publicPem)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UserSigningKey_ImportOtherCurveOrRsa_ThrowsFormatException()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);

        Assert.Throws<TlessFormatException>(() => UserSigningKey.ImportPkcs8Pem(p384.ExportPkcs8PrivateKeyPem()));
        Assert.Throws<TlessFormatException>(() => UserSigningKey.ImportPkcs8Pem(rsa.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void Verify_P384SignerKey_IsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var data = "x"u8.ToArray();
        var signature = p384.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.False(UserSigningKey.Verify(p384.ExportSubjectPublicKeyInfo(), data, signature));
        Assert.False(UserSigningKey.Verify([1, 2, 3], data, new byte[64]));
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var i = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{from}' not found");
        return text[..i] + to + text[(i + from.Length)..];
    }
}
