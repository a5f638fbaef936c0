using System.Collections.Immutable;
using Tless.Crypto.Abe;

namespace Tless.Workflows;

/// <summary>
/// Compiles a workflow's DAG into CP-ABE policies (docs/workflows.md). For node N with services AS_1..AS_k and parents
/// P(N) (the user, written <c>anc:user</c>, is the only parent of an entry node):
/// all-of: <c>AND_i (AS_i.wf:W &amp; AS_i.node:N &amp; (OR_p AS_i.anc:p))</c>; any-of: <c>OR_i (same clause)</c>; the node's
/// extra policy is ANDed on. Attribute values are the workflow and node names as written (identifiers).
/// </summary>
public static class PolicyCompiler
{
    /// <summary>Label of the workflow attribute <c>AS.wf:W</c>.</summary>
    public const string WorkflowLabel = "wf";

    /// <summary>Label of the node attribute <c>AS.node:N</c>.</summary>
    public const string NodeLabel = "node";

    /// <summary>Label of the ancestor (invoking parent) attribute <c>AS.anc:P</c>.</summary>
    public const string AncestorLabel = "anc";

    /// <summary>Label of the user's output attribute <c>user.owner:W</c>.</summary>
    public const string OwnerLabel = "owner";

    /// <summary>The policy under which node <paramref name="node"/>'s code and inputs are encrypted.</summary>
    public static Policy NodePolicy(WorkflowSpec spec, string node)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var n = spec.GetNode(node);
        return Compile(spec.Name, n.Name, n.Parents, spec.Authorities.Services.Select(s => s.Id), spec.Authorities.Mode, n.ExtraPolicy);
    }

    /// <summary>Every node's policy, by node name.</summary>
    public static ImmutableDictionary<string, Policy> NodePolicies(WorkflowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Nodes.ToImmutableDictionary(n => n.Name, n => NodePolicy(spec, n.Name), StringComparer.Ordinal);
    }

    /// <summary>The policy of the workflow's final outputs: <c>{user}.owner:{workflow}</c>, which only the user satisfies.</summary>
    public static Policy OutputPolicy(WorkflowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return OwnerAttribute(spec.Authorities.User, spec.Name);
    }

    /// <summary>
    /// The policy for data that <paramref name="node"/> writes to <paramref name="child"/>, or the output policy when
    /// <paramref name="child"/> is null and the node is an exit node.
    /// </summary>
    public static Policy OutputPolicyOf(WorkflowSpec spec, string node, string? child)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var n = spec.GetNode(node);
        if (child is null)
        {
            return n.Children.IsEmpty
                ? OutputPolicy(spec)
                : throw new ArgumentException($"Node '{node}' is not an exit node; name the child it writes to.", nameof(child));
        }

        return n.Children.Contains(child)
            ? NodePolicy(spec, child)
            : throw new ArgumentException($"'{child}' is not a child of '{node}'.", nameof(child));
    }

    /// <summary>
    /// The policy from the parts of a DAG (so a registration can be compiled too); <paramref name="parents"/> empty
    /// means an entry node (parent: the user).
    /// </summary>
    public static Policy Compile(string workflow, string node, IEnumerable<string> parents, IEnumerable<string> authorities, AuthorityMode mode, Policy? extra = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflow);
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(authorities);
        var ancestors = parents.Order(StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToList();
        if (ancestors.Count == 0)
        {
            ancestors.Add(WorkflowIds.UserAncestor);
        }

        var ids = authorities.ToList();
        if (ids.Count == 0)
        {
            throw new ArgumentException("At least one attestation service is needed.", nameof(authorities));
        }

        // Each clause is flat: wf & node & (anc | anc ...); all-of ANDs the clauses into one flat conjunction.
        var clauses = ids.Select(id => (IEnumerable<Policy>)
        [
            WorkflowAttribute(id, workflow),
            NodeAttribute(id, node),
            Policy.Or(ancestors.Select(a => (Policy)AncestorAttribute(id, a))),
        ]).ToList();

        IEnumerable<Policy> extraParts = extra switch
        {
            null => [],
            PolicyAnd and => and.Children,
            _ => [extra],
        };

        return mode switch
        {
            AuthorityMode.AllOf => Policy.And(clauses.SelectMany(c => c).Concat(extraParts)),
            AuthorityMode.AnyOf => Policy.And(extraParts.Prepend(Policy.Or(clauses.Select(c => Policy.And(c))))),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
    }

    /// <summary><c>{authority}.wf:{workflow}</c>.</summary>
    public static PolicyAttribute WorkflowAttribute(string authority, string workflow) => Policy.Attribute(authority, WorkflowLabel, workflow);

    /// <summary><c>{authority}.node:{node}</c>.</summary>
    public static PolicyAttribute NodeAttribute(string authority, string node) => Policy.Attribute(authority, NodeLabel, node);

    /// <summary><c>{authority}.anc:{parent}</c>; the parent is a node name or <c>user</c>.</summary>
    public static PolicyAttribute AncestorAttribute(string authority, string parent) => Policy.Attribute(authority, AncestorLabel, parent);

    /// <summary><c>{user}.owner:{workflow}</c>.</summary>
    public static PolicyAttribute OwnerAttribute(string user, string workflow) => Policy.Attribute(user, OwnerLabel, workflow);

    /// <summary>
    /// The three attribute names an attestation service mints for an attested instance of <paramref name="node"/>
    /// invoked by <paramref name="parent"/> (a node name or <c>user</c>): wf, node, anc.
    /// </summary>
    public static ImmutableArray<string> MintedAttributes(string authority, string workflow, string node, string parent) =>
        [WorkflowAttribute(authority, workflow).Name, NodeAttribute(authority, node).Name, AncestorAttribute(authority, parent).Name];
}
