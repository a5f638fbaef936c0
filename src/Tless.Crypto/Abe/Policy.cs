using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Tless.Crypto.Abe;

/// <summary>
/// A monotone access policy over attributes <c>authority.label:value</c>: a closed family of
/// <see cref="PolicyAttribute"/>, <see cref="PolicyAnd"/> and <see cref="PolicyOr"/>.
/// </summary>
/// <remarks>
/// Text form (see docs/crypto.md): literals <c>authority.label:value</c>, <c>&amp;</c> (binds tighter) and
/// <c>|</c>, parentheses. <see cref="ToString"/> prints the canonical form, and
/// <c>Parse(p.ToString()) == p</c> for every policy.
/// </remarks>
public abstract record Policy
{
    private protected Policy()
    {
    }

    /// <summary>The conjunction of the given policies (at least one).</summary>
    public static Policy And(params IEnumerable<Policy> children) => Combine(children, and: true);

    /// <summary>The disjunction of the given policies (at least one).</summary>
    public static Policy Or(params IEnumerable<Policy> children) => Combine(children, and: false);

    /// <summary>A single attribute literal.</summary>
    public static PolicyAttribute Attribute(string authority, string label, string value) => new(authority, label, value);

    /// <summary>Parses the text form; throws <see cref="PolicyParseException"/> with the 0-based offset of the problem.</summary>
    public static Policy Parse(string text) => PolicyParser.Parse(text);

    /// <summary>Parses the text form; returns false (and the error) instead of throwing on malformed text.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Policy? policy, out PolicyParseException? error)
    {
        if (text is null)
        {
            policy = null;
            error = new PolicyParseException("the policy text is null", 0);
            return false;
        }

        try
        {
            policy = PolicyParser.Parse(text);
            error = null;
            return true;
        }
        catch (PolicyParseException e)
        {
            policy = null;
            error = e;
            return false;
        }
    }

    /// <summary>Parses the text form; returns false on malformed text.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Policy? policy) => TryParse(text, out policy, out _);

    /// <summary>Whether a holder of exactly these full attribute names (<c>authority.label:value</c>) satisfies the policy.</summary>
    public bool IsSatisfiedBy(IReadOnlySet<string> attributeNames)
    {
        ArgumentNullException.ThrowIfNull(attributeNames);
        return Evaluate(this, attributeNames);

        static bool Evaluate(Policy p, IReadOnlySet<string> names) => p switch
        {
            PolicyAttribute a => names.Contains(a.Name),
            PolicyAnd and => and.Children.All(c => Evaluate(c, names)),
            PolicyOr or => or.Children.Any(c => Evaluate(c, names)),
            _ => throw new InvalidOperationException("unknown policy node"),
        };
    }

    /// <summary>The attribute literals in left-to-right order (with repetitions); row i of the LSSS matrix is literal i.</summary>
    public ImmutableArray<PolicyAttribute> GetAttributes()
    {
        var builder = ImmutableArray.CreateBuilder<PolicyAttribute>();
        Collect(this, builder);
        return builder.ToImmutable();

        static void Collect(Policy p, ImmutableArray<PolicyAttribute>.Builder into)
        {
            switch (p)
            {
                case PolicyAttribute a:
                    into.Add(a);
                    break;
                case PolicyAnd and:
                    foreach (var c in and.Children)
                    {
                        Collect(c, into);
                    }

                    break;
                case PolicyOr or:
                    foreach (var c in or.Children)
                    {
                        Collect(c, into);
                    }

                    break;
                default:
                    throw new InvalidOperationException("unknown policy node");
            }
        }
    }

    /// <summary>The distinct authorities the policy names, sorted ordinally.</summary>
    public ImmutableSortedSet<string> GetAuthorities() =>
        GetAttributes().Select(a => a.Authority).ToImmutableSortedSet(StringComparer.Ordinal);

    /// <summary>The canonical text form: single spaces around operators, parentheses only where needed to keep the tree.</summary>
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Print(this, sb);
        return sb.ToString();
    }

    private static void Print(Policy p, StringBuilder sb)
    {
        switch (p)
        {
            case PolicyAttribute a:
                sb.Append(a.Authority).Append('.').Append(a.Label).Append(':').Append(a.Value);
                break;
            case PolicyAnd and:
                PrintChildren(and.Children, " & ", sb, static c => c is PolicyAnd or PolicyOr);
                break;
            case PolicyOr or:
                // '&' binds tighter, so a conjunction below a disjunction needs no parentheses.
                PrintChildren(or.Children, " | ", sb, static c => c is PolicyOr);
                break;
            default:
                throw new InvalidOperationException("unknown policy node");
        }
    }

    private static void PrintChildren(ImmutableArray<Policy> children, string op, StringBuilder sb, Func<Policy, bool> needsParens)
    {
        for (var i = 0; i < children.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(op);
            }

            var child = children[i];
            if (needsParens(child))
            {
                sb.Append('(');
                Print(child, sb);
                sb.Append(')');
            }
            else
            {
                Print(child, sb);
            }
        }
    }

    private static Policy Combine(IEnumerable<Policy> children, bool and)
    {
        ArgumentNullException.ThrowIfNull(children);
        var list = children.ToImmutableArray();
        if (list.IsEmpty)
        {
            throw new ArgumentException("A conjunction or disjunction needs at least one child.", nameof(children));
        }

        if (list.Length == 1)
        {
            return list[0] ?? throw new ArgumentException("A policy child is null.", nameof(children));
        }

        return and ? new PolicyAnd(list) : new PolicyOr(list);
    }

    internal static ImmutableArray<Policy> CheckChildren(ImmutableArray<Policy> children, string paramName)
    {
        if (children.IsDefault || children.Length < 2)
        {
            throw new ArgumentException("A conjunction or disjunction node needs at least two children (use Policy.And/Or for one).", paramName);
        }

        foreach (var c in children)
        {
            if (c is null)
            {
                throw new ArgumentException("A policy child is null.", paramName);
            }
        }

        return children;
    }
}

/// <summary>The literal <c>authority.label:value</c>.</summary>
/// <remarks>
/// Authority and label are identifiers <c>[A-Za-z0-9_]+</c>; the value also allows <c>-</c>. Anything else throws
/// <see cref="ArgumentException"/>, so every literal prints and parses back unchanged.
/// </remarks>
public sealed record PolicyAttribute(string Authority, string Label, string Value) : Policy
{
    /// <summary>The authority (ABE authority id) that issues this attribute.</summary>
    public string Authority { get; init => field = PolicyParser.CheckIdentifier(value, nameof(Authority), allowDash: false); } = PolicyParser.CheckIdentifier(Authority, nameof(Authority), allowDash: false);

    /// <summary>The label, e.g. <c>wf</c>, <c>node</c>, <c>anc</c>.</summary>
    public string Label { get; init => field = PolicyParser.CheckIdentifier(value, nameof(Label), allowDash: false); } = PolicyParser.CheckIdentifier(Label, nameof(Label), allowDash: false);

    /// <summary>The value, e.g. a workflow or node id.</summary>
    public string Value { get; init => field = PolicyParser.CheckIdentifier(value, nameof(Value), allowDash: true); } = PolicyParser.CheckIdentifier(Value, nameof(Value), allowDash: true);

    /// <summary>The attribute string that is hashed to the group: <c>authority.label:value</c>.</summary>
    public string Name => $"{Authority}.{Label}:{Value}";

    /// <summary>Parses a full attribute name <c>authority.label:value</c>; throws <see cref="PolicyParseException"/>.</summary>
    public static PolicyAttribute ParseName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Parse(name) as PolicyAttribute
            ?? throw new PolicyParseException($"'{name}' is a policy, not a single attribute name", 0);
    }

    /// <summary>Splits a full attribute name; returns false when it is not of the form <c>authority.label:value</c>.</summary>
    public static bool TryParseName(string? name, [NotNullWhen(true)] out PolicyAttribute? attribute)
    {
        if (TryParse(name, out var p) && p is PolicyAttribute a && string.Equals(a.Name, name, StringComparison.Ordinal))
        {
            attribute = a;
            return true;
        }

        attribute = null;
        return false;
    }
}

/// <summary>All children must hold (at least two children).</summary>
public sealed record PolicyAnd(ImmutableArray<Policy> Children) : Policy
{
    /// <summary>The conjuncts, in order.</summary>
    public ImmutableArray<Policy> Children { get; init => field = CheckChildren(value, nameof(Children)); } = CheckChildren(Children, nameof(Children));

    public bool Equals(PolicyAnd? other) => other is not null && Children.SequenceEqual(other.Children);

    public override int GetHashCode() => Children.Aggregate(17, (h, c) => HashCode.Combine(h, c));
}

/// <summary>At least one child must hold (at least two children).</summary>
public sealed record PolicyOr(ImmutableArray<Policy> Children) : Policy
{
    /// <summary>The disjuncts, in order.</summary>
    public ImmutableArray<Policy> Children { get; init => field = CheckChildren(value, nameof(Children)); } = CheckChildren(Children, nameof(Children));

    public bool Equals(PolicyOr? other) => other is not null && Children.SequenceEqual(other.Children);

    public override int GetHashCode() => Children.Aggregate(31, (h, c) => HashCode.Combine(h, c));
}
