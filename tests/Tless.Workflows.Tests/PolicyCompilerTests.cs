namespace Tless.Workflows.Tests;

public sealed class PolicyCompilerTests
{
    private static WorkflowSpec WordCount => WorkflowLoader.Load(Corpus.Valid("word-count.yaml"));

    private static WorkflowSpec Finra => WorkflowLoader.Load(Corpus.Valid("finra.yaml"));

    [Fact]
    public void NodePolicy_AllOf_IsTheConjunctionOverServices()
    {
        Assert.Equal(
            "as1.wf:word-count & as1.node:mapper & as1.anc:splitter & as2.wf:word-count & as2.node:mapper & as2.anc:splitter",
            PolicyCompiler.NodePolicy(WordCount, "mapper").ToString());
    }

    [Fact]
    public void NodePolicy_EntryNode_HasTheUserAsAncestor()
    {
        Assert.Equal(
            "as1.wf:word-count & as1.node:splitter & as1.anc:user & as2.wf:word-count & as2.node:splitter & as2.anc:user",
            PolicyCompiler.NodePolicy(WordCount, "splitter").ToString());
    }

    [Fact]
    public void NodePolicy_AnyOfWithTwoParents_IsTheDisjunctionOverServices()
    {
        Assert.Equal(
            "as1.wf:finra & as1.node:audit & (as1.anc:fetch-private | as1.anc:fetch-public) | as2.wf:finra & as2.node:audit & (as2.anc:fetch-private | as2.anc:fetch-public)",
            PolicyCompiler.NodePolicy(Finra, "audit").ToString());
    }

    [Fact]
    public void NodePolicy_ExtraPolicy_IsAndedOn()
    {
        var policy = PolicyCompiler.NodePolicy(Finra, "fetch-private");

        Assert.Equal(
            "(as1.wf:finra & as1.node:fetch-private & as1.anc:user | as2.wf:finra & as2.node:fetch-private & as2.anc:user) & (alice.role:auditor | as2.tier:gold)",
            policy.ToString());
        var attested = PolicyCompiler.MintedAttributes("as1", "finra", "fetch-private", "user").ToHashSet();
        Assert.False(policy.IsSatisfiedBy(attested));
        attested.Add("as2.tier:gold");
        Assert.True(policy.IsSatisfiedBy(attested));
    }

    [Fact]
    public void OutputPolicy_IsTheUsersOwnerAttribute()
    {
        Assert.Equal("user.owner:word-count", PolicyCompiler.OutputPolicy(WordCount).ToString());
        Assert.Equal("alice.owner:finra", PolicyCompiler.OutputPolicy(Finra).ToString());
        Assert.Equal(PolicyCompiler.OutputPolicy(WordCount), PolicyCompiler.OutputPolicyOf(WordCount, "reducer", null));
        Assert.Equal(PolicyCompiler.NodePolicy(WordCount, "mapper"), PolicyCompiler.OutputPolicyOf(WordCount, "splitter", "mapper"));
        Assert.Throws<ArgumentException>(() => PolicyCompiler.OutputPolicyOf(WordCount, "splitter", null));
        Assert.Throws<ArgumentException>(() => PolicyCompiler.OutputPolicyOf(WordCount, "splitter", "reducer"));
    }

    [Fact]
    public void NodePolicy_AllOf_AttestedChildOfTheParentSatisfies()
    {
        var policy = PolicyCompiler.NodePolicy(WordCount, "mapper");
        var keys = Keys(["as1", "as2"], "word-count", "mapper", "splitter");

        Assert.True(policy.IsSatisfiedBy(keys));
    }

    [Theory]
    [InlineData("as1", "word-count", "mapper", "splitter")]          // only one of two authorities
    [InlineData("as1,as2", "word-count", "mapper", "user")]          // invoked by the user, not by its parent
    [InlineData("as1,as2", "word-count", "mapper", "reducer")]       // invoked by a non-parent
    [InlineData("as1,as2", "word-count", "reducer", "splitter")]     // keys for another node
    [InlineData("as1,as2", "other", "mapper", "splitter")]           // keys for another workflow
    [InlineData("as1,as3", "word-count", "mapper", "splitter")]      // a foreign authority
    public void NodePolicy_AllOf_OtherKeysDoNotSatisfy(string authorities, string workflow, string node, string parent)
    {
        var policy = PolicyCompiler.NodePolicy(WordCount, "mapper");

        Assert.False(policy.IsSatisfiedBy(Keys(authorities.Split(','), workflow, node, parent)));
    }

    [Fact]
    public void NodePolicy_MixedKeysFromTwoAuthoritiesForDifferentNodes_DoNotSatisfy()
    {
        // as1 attested "mapper", as2 attested "reducer": all-of needs both for the same node.
        var keys = PolicyCompiler.MintedAttributes("as1", "word-count", "mapper", "splitter")
            .Concat(PolicyCompiler.MintedAttributes("as2", "word-count", "reducer", "splitter")).ToHashSet();

        Assert.False(PolicyCompiler.NodePolicy(WordCount, "mapper").IsSatisfiedBy(keys));
    }

    [Fact]
    public void NodePolicy_AnyOf_OneAuthoritySuffices()
    {
        var policy = PolicyCompiler.NodePolicy(Finra, "audit");

        Assert.True(policy.IsSatisfiedBy(Keys(["as2"], "finra", "audit", "fetch-public")));
        Assert.False(policy.IsSatisfiedBy(Keys(["as2"], "finra", "audit", "merge")));
        Assert.False(policy.IsSatisfiedBy(Keys(["as2"], "finra", "merge", "audit")));
    }

    [Fact]
    public void MintedAttributes_AreTheThreeDocumentedNames()
    {
        Assert.Equal(["as1.wf:word-count", "as1.node:mapper", "as1.anc:splitter"], PolicyCompiler.MintedAttributes("as1", "word-count", "mapper", "splitter"));
    }

    [Fact]
    public void Compile_NoAuthorities_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => PolicyCompiler.Compile("w", "n", [], [], AuthorityMode.AllOf));
    }

    [Fact]
    public void NodePolicy_UnknownNode_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => PolicyCompiler.NodePolicy(WordCount, "ghost"));
    }

    [Fact]
    public void NodePolicies_GivesEveryNode()
    {
        var all = PolicyCompiler.NodePolicies(WordCount);

        Assert.Equal(3, all.Count);
        Assert.Equal(PolicyCompiler.NodePolicy(WordCount, "reducer"), all["reducer"]);
    }

    private static HashSet<string> Keys(IEnumerable<string> authorities, string workflow, string node, string parent) =>
        authorities.SelectMany(a => PolicyCompiler.MintedAttributes(a, workflow, node, parent)).ToHashSet();
}
