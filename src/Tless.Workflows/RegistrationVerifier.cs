using System.Collections.Immutable;
using Tless.Attestation;
using Tless.Crypto.Abe;

namespace Tless.Workflows;

/// <summary>The verdict on a signed registration: valid, or the stable code of the first check that failed and why.</summary>
public sealed record RegistrationVerification
{
    public bool IsValid => FailedCheck is null;

    /// <summary>A stable code (see <see cref="RegistrationChecks"/>), or null when valid.</summary>
    public string? FailedCheck { get; init; }

    /// <summary>What is wrong, for the service log; null when valid (and deliberately vague for signatures).</summary>
    public string? Detail { get; init; }

    /// <summary>The verified registration, or null.</summary>
    public Registration? Registration { get; init; }

    /// <summary>Thumbprint (hex SHA-256 of the SPKI) of the key that signed it, when the signature verified.</summary>
    public string? KeyThumbprint { get; init; }

    internal static RegistrationVerification Fail(string check, string detail) => new() { FailedCheck = check, Detail = detail };
}

/// <summary>The stable codes of <see cref="RegistrationVerification.FailedCheck"/>.</summary>
public static class RegistrationChecks
{
    /// <summary>The signature does not verify (or the key is not P-256).</summary>
    public const string Signature = "signature";

    /// <summary>Signed by another key than the one pinned by the first registration.</summary>
    public const string KeyMismatch = "key_mismatch";

    /// <summary>The version is not above the last accepted one (a replay or downgrade).</summary>
    public const string Version = "version";

    /// <summary>The document is not for the expected workflow.</summary>
    public const string WorkflowMismatch = "workflow_mismatch";

    /// <summary>A name, id, mode or authority is malformed or inconsistent.</summary>
    public const string Malformed = "malformed";

    /// <summary>A code digest is not 64 lower-case hex characters.</summary>
    public const string BadDigest = "bad_digest";

    /// <summary>A reference measurement is not lower-case hex of the TEE's length, or a node has none.</summary>
    public const string BadMeasurement = "bad_measurement";

    /// <summary>A parent names a node that is not registered, or a node appears twice.</summary>
    public const string UnknownNode = "unknown_node";

    /// <summary>The DAG has a cycle or no entry node.</summary>
    public const string NotADag = "not_a_dag";
}

/// <summary>
/// Checks a signed registration as an attestation service must before accepting it: signature; the pinned key (when
/// the workflow is already registered); a version above the last accepted; and the content (ids are the hashes of the
/// names, digests and measurements well-formed, parents name registered nodes, the DAG is acyclic with an entry node).
/// </summary>
public static class RegistrationVerifier
{
    /// <summary>
    /// Verifies <paramref name="signed"/>. <paramref name="pinnedKey"/>: the SPKI accepted before (empty for a first
    /// registration); <paramref name="lastAcceptedVersion"/>: the version accepted before (0 for none);
    /// <paramref name="expectedWorkflow"/>: the name or id the request is for (null: any).
    /// </summary>
    public static RegistrationVerification Verify(SignedRegistration signed, ReadOnlySpan<byte> pinnedKey = default, long lastAcceptedVersion = 0, string? expectedWorkflow = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentOutOfRangeException.ThrowIfNegative(lastAcceptedVersion);
        if (!signed.HasValidSignature())
        {
            return RegistrationVerification.Fail(RegistrationChecks.Signature, "the signature does not verify");
        }

        if (!pinnedKey.IsEmpty && !pinnedKey.SequenceEqual(signed.PublicKey.AsSpan()))
        {
            return RegistrationVerification.Fail(RegistrationChecks.KeyMismatch, "the registration is signed by another key than the pinned one");
        }

        var r = signed.Registration;
        if (expectedWorkflow is not null && expectedWorkflow != r.Workflow && expectedWorkflow != r.WorkflowId)
        {
            return RegistrationVerification.Fail(RegistrationChecks.WorkflowMismatch, $"the registration is for workflow '{r.Workflow}', not '{expectedWorkflow}'");
        }

        if (r.Version < 1 || r.Version > Registration.MaxVersion)
        {
            return RegistrationVerification.Fail(RegistrationChecks.Version, $"version {r.Version} is not in 1..2^53-1");
        }

        if (r.Version <= lastAcceptedVersion)
        {
            return RegistrationVerification.Fail(RegistrationChecks.Version, $"version {r.Version} is not above the accepted version {lastAcceptedVersion}");
        }

        return CheckContent(r) is { } failure
            ? failure
            : new RegistrationVerification { Registration = r, KeyThumbprint = signed.KeyThumbprint };
    }

    /// <summary>The content checks alone (no signature): null when the document is consistent.</summary>
    public static RegistrationVerification? CheckContent(Registration r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (!WorkflowIds.IsName(r.Workflow) || r.WorkflowId != WorkflowIds.WorkflowId(r.Workflow))
        {
            return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"workflow name '{r.Workflow}' is not an identifier or its id is not H(\"wf:\" + name)");
        }

        if (!WorkflowIds.IsAuthorityId(r.User))
        {
            return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"user authority id '{r.User}' is not an identifier");
        }

        if (r.Authorities.IsEmpty)
        {
            return RegistrationVerification.Fail(RegistrationChecks.Malformed, "no attestation service is listed");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal) { r.User };
        foreach (var a in r.Authorities)
        {
            if (!WorkflowIds.IsAuthorityId(a.Id) || !ids.Add(a.Id))
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"authority id '{a.Id}' is not an identifier or is listed twice");
            }

            if (!Uri.TryCreate(a.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"authority '{a.Id}' has no absolute http(s) URL");
            }

            if (a.TokenKey is not null && !IsBase64(a.TokenKey))
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"authority '{a.Id}' has a token key that is not base64");
            }
        }

        if (r.Nodes.IsEmpty)
        {
            return RegistrationVerification.Fail(RegistrationChecks.Malformed, "no node is registered");
        }

        var names = new Dictionary<string, RegisteredNode>(StringComparer.Ordinal);
        foreach (var n in r.Nodes)
        {
            if (!WorkflowIds.IsName(n.Name) || n.Name == WorkflowIds.UserAncestor)
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node name '{n.Name}' is not an identifier or is reserved");
            }

            if (!names.TryAdd(n.Name, n))
            {
                return RegistrationVerification.Fail(RegistrationChecks.UnknownNode, $"node '{n.Name}' is registered twice");
            }

            if (n.Id != WorkflowIds.NodeId(r.Workflow, n.Name))
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node '{n.Name}' has an id that is not H(\"node:\" + workflow + \"|\" + node)");
            }

            if (n.Scale is < 1 or > WorkflowLoader.MaxScale)
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node '{n.Name}' has scale {n.Scale}, not in 1..{WorkflowLoader.MaxScale}");
            }

            if (string.IsNullOrEmpty(n.Function) || string.IsNullOrEmpty(n.Package))
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node '{n.Name}' has no function or package");
            }

            if (!IsLowerHex(n.CodeDigest, 64))
            {
                return RegistrationVerification.Fail(RegistrationChecks.BadDigest, $"node '{n.Name}' has code digest '{Truncate(n.CodeDigest)}', not 64 lower-case hex characters");
            }

            if (n.Measurements.IsEmpty)
            {
                return RegistrationVerification.Fail(RegistrationChecks.BadMeasurement, $"node '{n.Name}' has no reference measurement");
            }

            foreach (var m in n.Measurements)
            {
                if (!IsMeasurement(m))
                {
                    return RegistrationVerification.Fail(RegistrationChecks.BadMeasurement,
                        $"node '{n.Name}' has {Registration.TeeText(m.Tee)} measurement '{Truncate(m.Measurement)}', not lower-case hex of the right length");
                }
            }

            if (n.ExtraPolicy is not null)
            {
                if (!Policy.TryParse(n.ExtraPolicy, out var extra))
                {
                    return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node '{n.Name}' has an extra policy that does not parse");
                }

                if (extra.GetAttributes().FirstOrDefault(a => !ids.Contains(a.Authority)) is { } stray)
                {
                    return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node '{n.Name}' has an extra policy naming unknown authority '{stray.Authority}'");
                }
            }
        }

        foreach (var n in r.Nodes)
        {
            if (n.Parents.Distinct(StringComparer.Ordinal).Count() != n.Parents.Length)
            {
                return RegistrationVerification.Fail(RegistrationChecks.Malformed, $"node '{n.Name}' lists a parent twice");
            }

            if (n.Parents.FirstOrDefault(p => !names.ContainsKey(p)) is { } unknown)
            {
                return RegistrationVerification.Fail(RegistrationChecks.UnknownNode, $"node '{n.Name}' names parent '{unknown}', which is not registered");
            }
        }

        return IsAcyclicWithEntry(r.Nodes, names)
            ? null
            : RegistrationVerification.Fail(RegistrationChecks.NotADag, "the registered nodes form a cycle or have no entry node");
    }

    private static bool IsAcyclicWithEntry(ImmutableArray<RegisteredNode> nodes, Dictionary<string, RegisteredNode> names)
    {
        var remaining = nodes.ToDictionary(n => n.Name, n => n.Parents.Length, StringComparer.Ordinal);
        var children = nodes.ToDictionary(n => n.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            foreach (var p in n.Parents)
            {
                children[p].Add(n.Name);
            }
        }

        var ready = new Queue<string>(nodes.Where(n => n.Parents.IsEmpty).Select(n => n.Name));
        if (ready.Count == 0)
        {
            return false;
        }

        var done = 0;
        while (ready.TryDequeue(out var n))
        {
            done++;
            foreach (var c in children[n])
            {
                if (--remaining[c] == 0)
                {
                    ready.Enqueue(c);
                }
            }
        }

        return done == names.Count;
    }

    private static bool IsMeasurement(ReferenceMeasurement m) => m.Tee switch
    {
        TeeKind.Snp or TeeKind.Tdx => IsLowerHex(m.Measurement, 96),
        TeeKind.Sgx => IsLowerHex(m.Measurement, 64),
        TeeKind.Sim => IsLowerHex(m.Measurement, 64) || IsLowerHex(m.Measurement, 96),
        _ => false,
    };

    /// <summary>True when <paramref name="text"/> is exactly <paramref name="length"/> characters of 0-9a-f.</summary>
    public static bool IsLowerHex(string? text, int length) =>
        text is not null && text.Length == length && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static string Truncate(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "...";
}
