using System.Collections.Immutable;
using System.Security.Cryptography;
using Tless.Attestation;
using Tless.Crypto.Abe;
using Tless.Runtime.Protocol;
using Tless.Workflows;

namespace Tless.AttestationService.Services;

/// <summary>
/// Serves <c>POST /v1/attest</c> and <c>POST /v1/release</c>: every check of DESIGN step 3 (docs/protocol.md, in the
/// order listed there), then the key part (step 4). Thread-safe.
/// </summary>
internal sealed class Minter
{
    private readonly AuthorityState state;
    private readonly WorkflowRegistry registry;
    private readonly VerifierSet verifiers;
    private readonly TimeProvider time;
    private readonly AuthorityMetrics metrics;
    private readonly ILogger logger;
    private readonly Lock signing = new();

    public Minter(AuthorityState state, WorkflowRegistry registry, VerifierSet verifiers, TimeProvider time, AuthorityMetrics metrics, ILogger<Minter> logger)
    {
        this.state = state;
        this.registry = registry;
        this.verifiers = verifiers;
        this.time = time;
        this.metrics = metrics;
        this.logger = logger;
    }

    public AttestResponse Attest(AttestRequest request)
    {
        var started = time.GetTimestamp();
        var tee = ParseTee(request.Tee);
        var evidence = Base64Field.Decode(request.Evidence, "evidence");
        var ecdh = DecodeKey(request.EcdhPublicKey, "ecdhPublicKey", ecdhKey: true);
        var sign = DecodeKey(request.SigningPublicKey, "signingPublicKey", ecdhKey: false);
        CheckGid(request.Gid);
        var tokens = request.InvocationTokens;
        if (tokens.IsDefaultOrEmpty)
        {
            throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "'invocationTokens' needs at least one invocation token.");
        }

        if (tokens.Length > ProtocolConstants.MaxInvocationTokens)
        {
            throw Refusal.BadRequest(ProblemCodes.MalformedRequest, $"'invocationTokens' holds {tokens.Length} tokens, at most {ProtocolConstants.MaxInvocationTokens} are accepted.");
        }

        if (tokens.Distinct(StringComparer.Ordinal).Count() != tokens.Length)
        {
            throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "'invocationTokens' holds the same token twice.");
        }

        var parsed = new InvocationToken[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            try
            {
                parsed[i] = InvocationTokens.Parse(tokens[i]);
            }
            catch (ProtocolException e)
            {
                throw Refusal.BadRequest(e.Code, $"invocationTokens[{i}]: {e.Message}");
            }
        }

        var first = parsed[0];
        if (parsed.Any(t => t.Workflow != first.Workflow || t.Run != first.Run || t.To != first.To))
        {
            throw Refusal.BadRequest(ProblemCodes.TokenTargetMismatch, "All invocation tokens of one request must name the same workflow, run and target instance.");
        }

        var target = first.Target;
        var workflow = FindWorkflow(first.Workflow);
        if (!workflow.Nodes.TryGetValue(target.Node, out var node))
        {
            throw Refusal.BadRequest(ProblemCodes.UnknownNode, $"Workflow '{workflow.Name}' has no node '{target.Node}'.");
        }

        if (target.Index >= node.Scale)
        {
            throw Refusal.BadRequest(ProblemCodes.InstanceOutOfRange, $"Instance {target} is out of range: node '{node.Name}' has scale {node.Scale}.");
        }

        var claims = VerifyEvidence(tee, evidence, workflow, [node]);
        var expected = ReportDataBinding.Compute(ecdh, sign, request.Gid, tokens);
        CheckReportData(claims, expected);

        var now = time.GetUtcNow();
        var ancestors = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parsed.Length; i++)
        {
            ancestors.Add(CheckInvocation(workflow, node, target, tokens[i], parsed[i], i, now));
        }

        var tokenIds = tokens.Select(t => Convert.ToHexStringLower(InvocationTokens.Digest(t))).ToList();
        if (!state.Store.TryRedeem(workflow.Name, tokenIds, node.Scale, now))
        {
            throw Refusal.Conflict(ProblemCodes.TokenRedeemed, $"An invocation token for {target} has already been redeemed {node.Scale} time(s), the scale of '{node.Name}'.");
        }

        var id = state.Id;
        ImmutableArray<string> attributes =
        [
            $"{id}.{PolicyCompiler.WorkflowLabel}:{workflow.Name}",
            $"{id}.{PolicyCompiler.NodeLabel}:{node.Name}",
            .. ancestors.Select(a => $"{id}.{PolicyCompiler.AncestorLabel}:{a}"),
        ];
        byte[] keyPart;
        using (var part = CpAbe.KeyGen(state.MasterKey, request.Gid, attributes))
        {
            keyPart = part.Export();
        }

        var wrapped = KeyWrap.Wrap(ecdh, keyPart, KeyWrap.AttestContext(id, workflow.Name, node.Name, request.Gid));
        CryptographicOperations.ZeroMemory(keyPart);
        var expires = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()) + state.Options.TokenLifetime;
        var claimsToken = new AuthorityToken
        {
            Issuer = id,
            Workflow = workflow.Name,
            Node = node.Name,
            Instance = target.Index,
            Gid = request.Gid,
            Tee = Registration.TeeText(tee),
            Measurement = claims.Measurement,
            Ancestors = [.. ancestors],
            IssuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()),
            ExpiresAt = expires,
            HolderKey = [.. sign],
        };
        string token;
        lock (signing)
        {
            token = AuthorityTokens.Issue(claimsToken, state.TokenKey);
        }

        metrics.Minted(time.GetElapsedTime(started).TotalMilliseconds);
        Log.Minted(logger, workflow.Name, node.Name, target.Index, attributes.Length, claimsToken.Tee);
        return new AttestResponse
        {
            Authority = id,
            Workflow = workflow.Name,
            Node = node.Name,
            Instance = target.Index,
            Attributes = attributes,
            KeyPart = Convert.ToBase64String(wrapped),
            Token = token,
            ExpiresAt = expires,
        };
    }

    public ReleaseResponse Release(ReleaseRequest request)
    {
        var tee = ParseTee(request.Tee);
        var evidence = Base64Field.Decode(request.Evidence, "evidence");
        var ecdh = DecodeKey(request.EcdhPublicKey, "ecdhPublicKey", ecdhKey: true);
        var sign = DecodeKey(request.SigningPublicKey, "signingPublicKey", ecdhKey: false);
        CheckGid(request.Gid);
        if (string.IsNullOrEmpty(request.Workflow))
        {
            throw Refusal.BadRequest(ProblemCodes.MalformedRequest, "'workflow' is missing.");
        }

        var workflow = FindWorkflow(request.Workflow);
        if (workflow.WorkflowKeySealed is null)
        {
            throw Refusal.Conflict(ProblemCodes.NoWorkflowKey, $"No workflow key was deposited for '{workflow.Name}' (mode tee registers one).");
        }

        var claims = VerifyEvidence(tee, evidence, workflow, workflow.Registration.Nodes);
        CheckReportData(claims, ReportDataBinding.Compute(ecdh, sign, request.Gid, []));
        var key = state.WorkflowKeySealer.Open(workflow.Name, workflow.WorkflowKeySealed);
        var wrapped = KeyWrap.Wrap(ecdh, key, KeyWrap.ReleaseContext(state.Id, workflow.Name, request.Gid));
        CryptographicOperations.ZeroMemory(key);
        metrics.Released();
        Log.Released(logger, workflow.Name, Registration.TeeText(tee));
        return new ReleaseResponse { Authority = state.Id, Workflow = workflow.Name, WrappedKey = Convert.ToBase64String(wrapped) };
    }

    private static TeeKind ParseTee(string? tee) =>
        Registration.TryParseTee(tee, out var kind)
            ? kind
            : throw Refusal.BadRequest(ProblemCodes.MalformedRequest, $"'tee' must be sim, snp, sgx or tdx, got '{Texts.Truncate(tee)}'.");

    private static byte[] DecodeKey(string? value, string field, bool ecdhKey)
    {
        // Validated arithmetically (P256Points); the ECDH key is imported once, by KeyWrap, and the signing key only
        // by whoever later verifies with it.
        var bytes = Base64Field.Decode(value, field);
        if (!P256Points.IsValid(bytes))
        {
            throw Refusal.BadRequest(
                ProblemCodes.KeyInvalid,
                bytes.Length != ProtocolConstants.P256PublicKeyLength || bytes[0] != 0x04
                    ? $"'{field}' must be a {ProtocolConstants.P256PublicKeyLength}-byte uncompressed P-256 point (0x04 || X || Y), got {bytes.Length} bytes."
                    : $"'{field}' is not a valid P-256 public key{(ecdhKey ? " for key agreement" : "")}: the point is not on the curve.");
        }

        return bytes;
    }

    private static void CheckGid(string? gid)
    {
        if (!ProtocolConstants.IsValidGid(gid))
        {
            throw Refusal.BadRequest(ProblemCodes.GidInvalid, $"'gid' must be {ProtocolConstants.MinGidLength}..{ProtocolConstants.MaxGidLength} characters of [A-Za-z0-9_-].");
        }
    }

    private static void CheckReportData(AttestationClaims claims, byte[] expected)
    {
        if (claims.ReportData.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(claims.ReportData.AsSpan(), expected))
        {
            throw Refusal.Forbidden(
                ProblemCodes.ReportDataMismatch,
                "The evidence's report data does not bind this request's keys, GID and invocation tokens.");
        }
    }

    private RegisteredWorkflow FindWorkflow(string name) =>
        registry.TryGet(name, out var workflow)
            ? workflow
            : throw Refusal.NotFound(ProblemCodes.UnknownWorkflow, $"Workflow '{Texts.Truncate(name)}' is not registered with authority '{state.Id}'.");

    private AttestationClaims VerifyEvidence(TeeKind tee, byte[] evidence, RegisteredWorkflow workflow, IEnumerable<RegisteredNode> nodes)
    {
        var teeText = Registration.TeeText(tee);
        if (!verifiers.TryGet(tee, out var verifier))
        {
            throw Refusal.Forbidden(ProblemCodes.TeeNotAccepted, $"Authority '{state.Id}' does not accept {teeText} evidence (accepted: {string.Join(", ", verifiers.Kinds)}).");
        }

        var result = verifier.Verify(evidence);
        if (!result.IsValid || result.Claims is null)
        {
            throw Refusal.Forbidden(ProblemCodes.EvidenceInvalid, $"The {teeText} evidence does not verify ({result.FailedCheck}).", result.Detail);
        }

        var claims = result.Claims;
        if (claims.Tee != tee || (claims.Insecure && !state.Options.AllowSimulated))
        {
            throw Refusal.Forbidden(ProblemCodes.TeeNotAccepted, $"The evidence is {Registration.TeeText(claims.Tee)}{(claims.Insecure ? " (insecure)" : "")}, not acceptable as {teeText}.");
        }

        if (!nodes.Any(n => n.Measurements.Any(m => m.Tee == tee && m.Measurement == claims.Measurement)))
        {
            throw Refusal.Forbidden(ProblemCodes.MeasurementMismatch, $"The {teeText} measurement is not a reference value registered for this node of '{workflow.Name}'.", $"measurement {claims.Measurement}");
        }

        if (claims.Debug && !workflow.Registration.AllowDebug)
        {
            throw Refusal.Forbidden(ProblemCodes.DebugNotAllowed, $"The evidence comes from a debug TEE and the registration of '{workflow.Name}' does not allow debug.");
        }

        return claims;
    }

    /// <summary>Checks one invocation token for <paramref name="target"/>; returns the ancestor it proves (<c>user</c> or the parent node).</summary>
    private string CheckInvocation(RegisteredWorkflow workflow, RegisteredNode node, NodeInstance target, string compact, InvocationToken token, int index, DateTimeOffset now)
    {
        var where = $"invocationTokens[{index}]";
        if (token.ExpiresAt + state.Options.ClockSkew < now)
        {
            throw Refusal.Forbidden(ProblemCodes.TokenExpired, $"{where} expired at {token.ExpiresAt:O}.");
        }

        if (token.IsFromUser)
        {
            if (!node.Parents.IsEmpty)
            {
                throw Refusal.Forbidden(ProblemCodes.EdgeNotInWorkflow, $"{where}: the user invokes only entry nodes; '{node.Name}' has parents ({string.Join(", ", node.Parents)}).");
            }

            if (!workflow.UserKey.Verify(compact, static (key, jwt) => InvocationTokens.TryVerify(jwt, key, out _)))
            {
                throw Refusal.Forbidden(ProblemCodes.TokenSignatureInvalid, $"{where} is not signed by the workflow owner's pinned key.");
            }

            return ProtocolConstants.UserParent;
        }

        var from = NodeInstance.Parse(token.From, "the token's 'from'");
        if (!workflow.Registration.IsEdge(from.Node, target.Node))
        {
            throw Refusal.Forbidden(ProblemCodes.EdgeNotInWorkflow, $"{where}: '{from.Node}' -> '{target.Node}' is not an edge of workflow '{workflow.Name}'.");
        }

        var parent = workflow.Nodes[from.Node];
        if (from.Index >= parent.Scale)
        {
            throw Refusal.BadRequest(ProblemCodes.InstanceOutOfRange, $"{where}: parent instance {from} is out of range (scale {parent.Scale}).");
        }

        var holder = Vouch(workflow, token, from, now, where);
        ECDsa holderKey;
        try
        {
            holderKey = P256.ImportEcdsaPoint(holder, "the parent's signing key");
        }
        catch (ProtocolException e)
        {
            throw Refusal.Forbidden(ProblemCodes.ParentNotVouched, $"{where}: the vouched key of {from} is not usable: {e.Message}");
        }

        using (holderKey)
        {
            if (!InvocationTokens.TryVerify(compact, holderKey, out _))
            {
                throw Refusal.Forbidden(ProblemCodes.TokenSignatureInvalid, $"{where} is not signed by the attested key of {from}.");
            }
        }

        return from.Node;
    }

    /// <summary>
    /// The parent's attested signing key, vouched for by valid authority tokens: from every listed authority in
    /// all-of mode, from at least one in any-of mode, all naming the same key.
    /// </summary>
    private static byte[] Vouch(RegisteredWorkflow workflow, InvocationToken token, NodeInstance from, DateTimeOffset now, string where)
    {
        var holders = new Dictionary<string, ImmutableArray<byte>>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var jwt in token.AuthorityTokens)
        {
            string issuer;
            try
            {
                issuer = AuthorityTokens.PeekIssuer(jwt);
                if (!workflow.AuthorityKeys.TryGetValue(issuer, out var issuerKey))
                {
                    problems.Add($"'{Texts.Truncate(issuer)}' is not an authority of the workflow");
                    continue;
                }

                AuthorityToken? at = null;
                if (!issuerKey.Verify(jwt, (key, compact) => AuthorityTokens.TryVerify(compact, key, out at)) || at is null)
                {
                    problems.Add($"the token of '{issuer}' has a bad signature");
                    continue;
                }

                if (at.Workflow != workflow.Name || at.Node != from.Node || at.Instance != from.Index)
                {
                    problems.Add($"the token of '{issuer}' is for {at.Workflow}/{at.Node}#{at.Instance}, not {workflow.Name}/{from}");
                    continue;
                }

                if (at.ExpiresAt < now)
                {
                    problems.Add($"the token of '{issuer}' expired at {at.ExpiresAt:O}");
                    continue;
                }

                holders[issuer] = at.HolderKey;
            }
            catch (ProtocolException e)
            {
                problems.Add(e.Message);
            }
        }

        var listed = workflow.Registration.Authorities.Select(a => a.Id).ToList();
        var missing = listed.Where(a => !holders.ContainsKey(a)).ToList();
        var enough = workflow.Registration.Mode == AuthorityMode.AllOf ? missing.Count == 0 : holders.Count > 0;
        if (!enough)
        {
            throw Refusal.Forbidden(
                ProblemCodes.ParentNotVouched,
                $"{where}: the parent {from} is not vouched for by {(workflow.Registration.Mode == AuthorityMode.AllOf ? "every" : "any")} authority of the workflow (missing: {string.Join(", ", missing)}).",
                string.Join("; ", problems));
        }

        var holder = holders.Values.First();
        if (holders.Values.Any(h => !h.AsSpan().SequenceEqual(holder.AsSpan())))
        {
            throw Refusal.Forbidden(ProblemCodes.ParentNotVouched, $"{where}: the authorities vouch for different signing keys of {from}.");
        }

        return [.. holder];
    }
}
