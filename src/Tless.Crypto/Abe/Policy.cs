using System.Collections.Immutable;

namespace Tless.Crypto.Abe;

/// <summary>
/// A monotone access policy over attributes <c>authority.label:value</c>: a closed family of
/// <see cref="PolicyAttribute"/>, <see cref="PolicyAnd"/> and <see cref="PolicyOr"/>.
/// </summary>
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
            return list[0];
        }

        return and ? new PolicyAnd(list) : new PolicyOr(list);
    }
}

/// <summary>The literal <c>authority.label:value</c>.</summary>
public sealed record PolicyAttribute(string Authority, string Label, string Value) : Policy
{
    /// <summary>The attribute string that is hashed to the group: <c>authority.label:value</c>.</summary>
    public string Name => $"{Authority}.{Label}:{Value}";
}

/// <summary>All children must hold.</summary>
public sealed record PolicyAnd(ImmutableArray<Policy> Children) : Policy
{
    public bool Equals(PolicyAnd? other) => other is not null && Children.SequenceEqual(other.Children);

    public override int GetHashCode() => Children.Aggregate(17, (h, c) => HashCode.Combine(h, c));
}

/// <summary>At least one child must hold.</summary>
public sealed record PolicyOr(ImmutableArray<Policy> Children) : Policy
{
    public bool Equals(PolicyOr? other) => other is not null && Children.SequenceEqual(other.Children);

    public override int GetHashCode() => Children.Aggregate(31, (h, c) => HashCode.Combine(h, c));
}
