using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using Tless.Crypto.Abe;

namespace Tless.Workflows;

/// <summary>How the attestation services combine: every one must attest (<c>all-of</c>) or any one suffices (<c>any-of</c>).</summary>
public enum AuthorityMode
{
    /// <summary><c>all-of</c>: no single attestation service is trusted.</summary>
    AllOf,

    /// <summary><c>any-of</c>: any attestation service suffices (availability, throughput).</summary>
    AnyOf,
}

/// <summary>Which syntax a workflow file used.</summary>
public enum WorkflowForm
{
    /// <summary>The full form: <c>workflow</c>, <c>authorities</c>, <c>nodes</c>, <c>edges</c>.</summary>
    Full,

    /// <summary>The simple form of the original prototype: <c>funcs: [{name, scale, chains_to}]</c>.</summary>
    Simple,
}

/// <summary>Text conversions for <see cref="AuthorityMode"/>.</summary>
public static class AuthorityModes
{
    /// <summary><c>all-of</c> or <c>any-of</c>.</summary>
    public static string ToText(this AuthorityMode mode) => mode switch
    {
        AuthorityMode.AllOf => "all-of",
        AuthorityMode.AnyOf => "any-of",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Parses <c>all-of</c> or <c>any-of</c> (exactly).</summary>
    public static bool TryParse(string? text, out AuthorityMode mode)
    {
        switch (text)
        {
            case "all-of":
                mode = AuthorityMode.AllOf;
                return true;
            case "any-of":
                mode = AuthorityMode.AnyOf;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}

/// <summary>An attestation service (an ABE authority): its id and where to reach it (may be overridden at run time).</summary>
public sealed record AuthorityService
{
    public required string Id { get; init; }

    public required Uri Url { get; init; }
}

/// <summary>The workflow's authorities: the user's own authority id, the mode and the attestation services.</summary>
public sealed record WorkflowAuthorities
{
    /// <summary>The user's ABE authority id (final outputs are encrypted under <c>{User}.owner:{workflow}</c>).</summary>
    public required string User { get; init; }

    public AuthorityMode Mode { get; init; } = AuthorityMode.AllOf;

    public required ImmutableArray<AuthorityService> Services { get; init; }
}

/// <summary>A node's scale: a fixed positive integer or the name of a parameter.</summary>
public sealed record NodeScale
{
    private NodeScale(int? value, string? parameter)
    {
        Value = value;
        Parameter = parameter;
    }

    /// <summary>The fixed scale, or null when symbolic.</summary>
    public int? Value { get; }

    /// <summary>The parameter name, or null when fixed.</summary>
    public string? Parameter { get; }

    public static NodeScale Fixed(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, WorkflowLoader.MaxScale);
        return new NodeScale(value, null);
    }

    public static NodeScale Symbolic(string parameter)
    {
        if (!WorkflowIds.IsParameterName(parameter))
        {
            throw new ArgumentException($"'{parameter}' is not a parameter name.", nameof(parameter));
        }

        return new NodeScale(null, parameter);
    }

    /// <summary>Parses a concrete scale: decimal digits only, in 1..<see cref="WorkflowLoader.MaxScale"/>.</summary>
    public static bool TryParseValue(string? text, out int scale) => WorkflowLoader.TryParseScale(text, out scale);

    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? Parameter!;
}

/// <summary>A declared parameter (a symbolic scale or a run parameter) with its optional default.</summary>
public sealed record WorkflowParameter
{
    public required string Name { get; init; }

    /// <summary>The default value as text, or null when the value must be given at run time.</summary>
    public string? Default { get; init; }
}

/// <summary>A function of the workflow DAG.</summary>
public sealed record WorkflowNode
{
    public required string Name { get; init; }

    /// <summary><see cref="WorkflowIds.NodeId"/> of the workflow and node names.</summary>
    public required string Id { get; init; }

    /// <summary>The .NET type implementing <c>Tless.Runtime.Sdk.ITlessFunction</c>.</summary>
    public required string Function { get; init; }

    /// <summary>The function package (code bundle) name.</summary>
    public required string Package { get; init; }

    public required NodeScale Scale { get; init; }

    /// <summary>User-provided input files as written (relative to the workflow file); see <see cref="WorkflowSpec.ResolveInput"/>.</summary>
    public ImmutableArray<string> Inputs { get; init; } = [];

    /// <summary>The extra policy ANDed into the node's policy, or null.</summary>
    public Policy? ExtraPolicy { get; init; }

    /// <summary>Parent node names (ordinal order); empty for entry nodes, whose parent is the user.</summary>
    public ImmutableArray<string> Parents { get; init; } = [];

    /// <summary>Child node names (ordinal order); empty for exit nodes.</summary>
    public ImmutableArray<string> Children { get; init; } = [];

    /// <summary>Where the node is declared.</summary>
    public SourceLocation Location { get; init; }
}

/// <summary>An edge of the DAG: <see cref="From"/> invokes <see cref="To"/>.</summary>
public sealed record WorkflowEdge(string From, string To);

/// <summary>
/// A validated workflow: a DAG of functions with its authorities. Produced by <see cref="WorkflowLoader"/>, which
/// guarantees that names are unique identifiers, edges name declared nodes, the graph is acyclic and every node is
/// reachable from an entry node.
/// </summary>
public sealed record WorkflowSpec
{
    private readonly ImmutableArray<WorkflowNode> nodes;
    private FrozenDictionary<string, WorkflowNode> byName = FrozenDictionary<string, WorkflowNode>.Empty;

    public required string Name { get; init; }

    /// <summary><see cref="WorkflowIds.WorkflowId"/> of <see cref="Name"/>.</summary>
    public required string Id { get; init; }

    public int Version { get; init; } = 1;

    public WorkflowForm Form { get; init; }

    /// <summary>The file name given to the loader (used in messages).</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>The folder that relative input paths are resolved against.</summary>
    public string BaseDirectory { get; init; } = "";

    public ImmutableArray<WorkflowParameter> Parameters { get; init; } = [];

    public required WorkflowAuthorities Authorities { get; init; }

    /// <summary>Nodes in declaration order.</summary>
    public required ImmutableArray<WorkflowNode> Nodes
    {
        get => nodes;
        init
        {
            nodes = value;
            byName = value.ToFrozenDictionary(n => n.Name, StringComparer.Ordinal);
        }
    }

    /// <summary>Edges without duplicates, in declaration order.</summary>
    public ImmutableArray<WorkflowEdge> Edges { get; init; } = [];

    /// <summary>Nodes without parents (the user invokes them), in declaration order.</summary>
    public ImmutableArray<string> EntryNodes { get; init; } = [];

    /// <summary>Nodes without children (their outputs are the workflow's results), in declaration order.</summary>
    public ImmutableArray<string> ExitNodes { get; init; } = [];

    /// <summary>A deterministic topological order: Kahn's algorithm taking the earliest-declared ready node first.</summary>
    public ImmutableArray<string> TopologicalOrder { get; init; } = [];

    /// <summary>The node with this name; ArgumentException when there is none.</summary>
    public WorkflowNode GetNode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return byName.TryGetValue(name, out var node)
            ? node
            : throw new ArgumentException($"Workflow '{Name}' has no node '{name}'.", nameof(name));
    }

    public bool TryGetNode(string name, out WorkflowNode node)
    {
        ArgumentNullException.ThrowIfNull(name);
        return byName.TryGetValue(name, out node!);
    }

    /// <summary>True when <paramref name="from"/> invokes <paramref name="to"/>; <c>from</c> = "user" for entry nodes.</summary>
    public bool IsEdge(string from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (!byName.TryGetValue(to, out var target))
        {
            return false;
        }

        return from == WorkflowIds.UserAncestor ? target.Parents.IsEmpty : target.Parents.Contains(from);
    }

    /// <summary>
    /// Every declared parameter's value: <paramref name="overrides"/> first, then the declared default. Parameters
    /// given but not declared are kept (they may be run parameters of the functions).
    /// </summary>
    public ImmutableDictionary<string, string> ResolveParameters(IReadOnlyDictionary<string, string>? overrides)
    {
        var result = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var p in Parameters)
        {
            if (p.Default is not null)
            {
                result[p.Name] = p.Default;
            }
        }

        if (overrides is not null)
        {
            foreach (var (k, v) in overrides)
            {
                result[k] = v;
            }
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// The concrete scale of every node, symbolic scales taken from <paramref name="parameters"/> or the declared
    /// defaults. Throws <see cref="WorkflowParameterException"/> naming every parameter that is missing or not an
    /// integer in 1..<see cref="WorkflowLoader.MaxScale"/>.
    /// </summary>
    public ImmutableDictionary<string, int> ResolveScales(IReadOnlyDictionary<string, string>? parameters)
    {
        var values = ResolveParameters(parameters);
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        var result = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            if (node.Scale.Value is int fixedScale)
            {
                result[node.Name] = fixedScale;
                continue;
            }

            var name = node.Scale.Parameter!;
            if (!values.TryGetValue(name, out var text))
            {
                problems.Add($"parameter '{name}' (scale of node '{node.Name}') has no value: give it as {name}=<integer>");
            }
            else if (!WorkflowLoader.TryParseScale(text, out var scale))
            {
                problems.Add($"parameter '{name}' (scale of node '{node.Name}') is '{text}', not an integer in 1..{WorkflowLoader.MaxScale}");
            }
            else
            {
                result[node.Name] = scale;
            }
        }

        return problems.Count == 0 ? result.ToImmutable() : throw new WorkflowParameterException(problems);
    }

    /// <summary>The full path of an input file named in the workflow (relative paths resolve against <see cref="BaseDirectory"/>).</summary>
    public string ResolveInput(string input)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        return Path.GetFullPath(Path.Combine(BaseDirectory, input));
    }

    /// <summary>A copy whose services use the given URLs (by service id); ArgumentException for an unknown id.</summary>
    public WorkflowSpec WithServiceUrls(IReadOnlyDictionary<string, Uri> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var id in urls.Keys)
        {
            if (!Authorities.Services.Any(s => s.Id == id))
            {
                throw new ArgumentException($"Workflow '{Name}' has no attestation service '{id}'.", nameof(urls));
            }
        }

        var services = Authorities.Services.Select(s => urls.TryGetValue(s.Id, out var u) ? s with { Url = u } : s).ToImmutableArray();
        return this with { Authorities = Authorities with { Services = services } };
    }
}
