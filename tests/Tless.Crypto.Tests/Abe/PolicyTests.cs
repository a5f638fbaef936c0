using System.Collections.Immutable;
using FsCheck;
using FsCheck.Xunit;
using Tless.Crypto.Abe;

namespace Tless.Crypto.Tests.Abe;

public sealed class PolicyTests
{
    private static readonly PolicyAttribute A = Policy.Attribute("as1", "wf", "W");
    private static readonly PolicyAttribute B = Policy.Attribute("as1", "node", "N");
    private static readonly PolicyAttribute C = Policy.Attribute("as2", "wf", "W");
    private static readonly PolicyAttribute D = Policy.Attribute("as2", "node", "N");

    [Fact]
    public void Parse_SingleLiteral_ReturnsAttribute()
    {
        var p = Policy.Parse("as1.wf:W");
        Assert.Equal(A, p);
        Assert.Equal("as1.wf:W", ((PolicyAttribute)p).Name);
    }

    [Fact]
    public void Parse_AndBindsTighterThanOr_GroupsConjunctions()
    {
        var p = Policy.Parse("as1.wf:W & as1.node:N | as2.wf:W & as2.node:N");
        Assert.Equal(Policy.Or(Policy.And(A, B), Policy.And(C, D)), p);
    }

    [Fact]
    public void Parse_ChainOfSameOperator_IsOneNaryNode()
    {
        var p = Assert.IsType<PolicyAnd>(Policy.Parse("as1.wf:W&as1.node:N&as2.wf:W"));
        Assert.Equal(3, p.Children.Length);
    }

    [Fact]
    public void Parse_ParenthesesOverridePrecedence()
    {
        var p = Policy.Parse(" ( as1.wf:W | as2.wf:W ) & as1.node:N ");
        Assert.Equal(Policy.And(Policy.Or(A, C), B), p);
    }

    [Fact]
    public void Parse_ParenthesisedSameOperator_KeepsNesting()
    {
        var p = Policy.Parse("as1.wf:W & (as1.node:N & as2.wf:W)");
        Assert.Equal(Policy.And(A, Policy.And(B, C)), p);
        Assert.Equal("as1.wf:W & (as1.node:N & as2.wf:W)", p.ToString());
    }

    [Fact]
    public void Parse_ValueWithDashAndUnderscore_Accepted()
    {
        var p = Assert.IsType<PolicyAttribute>(Policy.Parse("as_1.anc:node-a_7"));
        Assert.Equal(("as_1", "anc", "node-a_7"), (p.Authority, p.Label, p.Value));
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("   ", 3, "empty")]
    [InlineData("as1", 3, "'.'")]
    [InlineData("as1.wf", 6, "':'")]
    [InlineData("as1.wf:", 7, "value")]
    [InlineData("as1.wf:W &", 10, "ended")]
    [InlineData("as1.wf:W & | as2.wf:W", 11, "found '|'")]
    [InlineData("(as1.wf:W", 9, "')'")]
    [InlineData("as1.wf:W)", 8, "unmatched ')'")]
    [InlineData("as1.wf:W as2.wf:W", 9, "expected '&', '|'")]
    [InlineData("()", 1, "inside '()'")]
    [InlineData("!as1.wf:W", 0, "negation")]
    [InlineData("as-1.wf:W", 2, "'.'")]
    [InlineData("as1.w f:W", 5, "':'")]
    [InlineData("as1.wf:W && as2.wf:W", 10, "found '&'")]
    [InlineData("as1.wf:W | as2.wf:é", 18, "U+00E9")]
    [InlineData("as1.wf:W and as2.wf:W", 9, "expected '&', '|'")]
    public void Parse_Malformed_ThrowsWithPosition(string text, int position, string fragment)
    {
        var e = Assert.Throws<PolicyParseException>(() => Policy.Parse(text));
        Assert.Equal(position, e.Position);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {position}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooDeeplyNested_ThrowsInsteadOfOverflowing()
    {
        var text = new string('(', 10_000) + "a.b:c" + new string(')', 10_000);
        var e = Assert.Throws<PolicyParseException>(() => Policy.Parse(text));
        Assert.Contains("nested deeper", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Malformed_ReturnsFalseWithError()
    {
        Assert.False(Policy.TryParse("as1.wf:W |", out var p, out var error));
        Assert.Null(p);
        Assert.NotNull(error);
        Assert.Equal(10, error.Position);
        Assert.False(Policy.TryParse(null, out _));
        Assert.True(Policy.TryParse("as1.wf:W", out var ok));
        Assert.Equal(A, ok);
    }

    [Fact]
    public void ToString_MixedTree_PrintsMinimalParentheses()
    {
        var p = Policy.And(Policy.Or(A, Policy.And(B, C)), D);
        Assert.Equal("(as1.wf:W | as1.node:N & as2.wf:W) & as2.node:N", p.ToString());
        Assert.Equal(p, Policy.Parse(p.ToString()));
    }

    [Property(Arbitrary = [typeof(PolicyGenerators)], MaxTest = 300)]
    public bool Parse_ToStringOfAnyPolicy_RoundTrips(Policy policy) =>
        Policy.Parse(policy.ToString()).Equals(policy) && Policy.Parse(policy.ToString()).ToString() == policy.ToString();

    [Fact]
    public void IsSatisfiedBy_MixedPolicy_EvaluatesTree()
    {
        var p = Policy.Parse("as1.wf:W & as1.node:N | as2.wf:W & as2.node:N");
        Assert.True(p.IsSatisfiedBy(new HashSet<string> { "as1.wf:W", "as1.node:N" }));
        Assert.True(p.IsSatisfiedBy(new HashSet<string> { "as2.wf:W", "as2.node:N", "x.y:z" }));
        Assert.False(p.IsSatisfiedBy(new HashSet<string> { "as1.wf:W", "as2.node:N" }));
        Assert.False(p.IsSatisfiedBy(new HashSet<string>()));
    }

    [Fact]
    public void IsSatisfiedBy_SameLabelOtherAuthority_DoesNotSatisfy()
    {
        Assert.False(Policy.Parse("as1.wf:W").IsSatisfiedBy(new HashSet<string> { "as2.wf:W" }));
    }

    [Fact]
    public void GetAuthorities_ReturnsDistinctSorted()
    {
        var p = Policy.Parse("zz.a:b & as2.wf:W | as2.node:N & as1.wf:W");
        Assert.Equal(["as1", "as2", "zz"], p.GetAuthorities());
        Assert.Equal(4, p.GetAttributes().Length);
    }

    [Theory]
    [InlineData("", "l", "v")]
    [InlineData("a.b", "l", "v")]
    [InlineData("a", "l:x", "v")]
    [InlineData("a", "l", "v w")]
    [InlineData("a-b", "l", "v")]
    public void Attribute_InvalidIdentifier_ThrowsArgumentException(string authority, string label, string value) =>
        Assert.ThrowsAny<ArgumentException>(() => Policy.Attribute(authority, label, value));

    [Fact]
    public void Constructors_FewerThanTwoChildren_Throw()
    {
        Assert.Throws<ArgumentException>(() => new PolicyAnd([A]));
        Assert.Throws<ArgumentException>(() => new PolicyOr(ImmutableArray<Policy>.Empty));
        Assert.Throws<ArgumentException>(() => new PolicyOr(default));
        Assert.Equal(A, Policy.And(A));
        Assert.Throws<ArgumentException>(() => Policy.Or());
    }

    [Fact]
    public void ParseName_RoundTripsAndRejectsPolicies()
    {
        Assert.Equal(A, PolicyAttribute.ParseName("as1.wf:W"));
        Assert.Throws<PolicyParseException>(() => PolicyAttribute.ParseName("as1.wf:W & as1.node:N"));
        Assert.False(PolicyAttribute.TryParseName(" as1.wf:W", out _));
        Assert.True(PolicyAttribute.TryParseName("as1.wf:W", out var a));
        Assert.Equal(A, a);
    }

    [Property(Arbitrary = [typeof(PolicyGenerators)], MaxTest = 200)]
    public bool Equality_EqualPoliciesHaveEqualHashCodes(Policy policy)
    {
        var copy = Policy.Parse(policy.ToString());
        return copy.GetHashCode() == policy.GetHashCode();
    }
}

public sealed class PolicyWithExpressionTests
{
    [Fact]
    public void With_InvalidValue_IsValidatedToo()
    {
        var a = Policy.Attribute("as1", "wf", "W");
        Assert.Throws<ArgumentException>(() => a with { Value = "W & x.y:z" });
        Assert.Equal("as1.wf:V", (a with { Value = "V" }).Name);
        var and = (PolicyAnd)Policy.And(a, a);
        Assert.Throws<ArgumentException>(() => and with { Children = [a] });
    }
}
