using FsCheck;
using FsCheck.Xunit;
using Tless.Crypto.Abe;

namespace Tless.Workflows.Tests;

public sealed class WorkflowPropertyTests
{
    private static readonly (string, string)[] OneService = [("as1", "https://127.0.0.1:8701")];
    private static readonly (string, string)[] ThreeServices = [("as1", "https://a:1"), ("as2", "https://b:2"), ("as3", "https://c:3")];

    [Property(MaxTest = 150)]
    public bool TopologicalOrder_RandomDag_EveryEdgeGoesForward(int seed)
    {
        var dag = RandomDag.Create(seed);
        var spec = WorkflowLoader.LoadFromString(dag.FullYaml("prop", ThreeServices), "prop.yaml");

        var position = spec.TopologicalOrder.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        return spec.TopologicalOrder.Length == dag.Names.Count
            && position.Count == dag.Names.Count
            && dag.Edges.All(e => position[e.From] < position[e.To])
            && spec.Edges.Length == dag.Edges.Distinct().Count();
    }

    [Property(MaxTest = 100)]
    public bool TopologicalOrder_RandomDag_IsDeterministicAndFavoursDeclarationOrder(int seed)
    {
        var dag = RandomDag.Create(seed);
        var yaml = dag.FullYaml("prop", OneService);
        var first = WorkflowLoader.LoadFromString(yaml, "prop.yaml").TopologicalOrder;
        var second = WorkflowLoader.LoadFromString(yaml, "prop.yaml").TopologicalOrder;

        // The first node in the order is the earliest-declared entry node.
        var entries = dag.DeclarationOrder.Where(n => dag.Edges.All(e => e.To != n)).ToList();
        return first.SequenceEqual(second) && first[0] == entries[0];
    }

    [Property(MaxTest = 100)]
    public bool NodePolicy_RandomDag_NamesExactlyItsParents(int seed)
    {
        var dag = RandomDag.Create(seed);
        var spec = WorkflowLoader.LoadFromString(dag.FullYaml("prop", ThreeServices), "prop.yaml");

        foreach (var name in dag.Names)
        {
            var expected = dag.Edges.Where(e => e.To == name).Select(e => e.From).ToHashSet();
            if (expected.Count == 0)
            {
                expected.Add("user");
            }

            var attributes = PolicyCompiler.NodePolicy(spec, name).GetAttributes();
            foreach (var service in new[] { "as1", "as2", "as3" })
            {
                var ancestors = attributes.Where(a => a.Authority == service && a.Label == "anc").Select(a => a.Value).ToHashSet();
                var nodes = attributes.Where(a => a.Authority == service && a.Label == "node").Select(a => a.Value).ToHashSet();
                var workflows = attributes.Where(a => a.Authority == service && a.Label == "wf").Select(a => a.Value).ToHashSet();
                if (!ancestors.SetEquals(expected) || !nodes.SetEquals([name]) || !workflows.SetEquals(["prop"]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Property(MaxTest = 100)]
    public bool NodePolicy_RandomDag_SatisfiedExactlyByAnAttestedChildOfAParent(int seed)
    {
        var dag = RandomDag.Create(seed, maxNodes: 8);
        var spec = WorkflowLoader.LoadFromString(dag.FullYaml("prop", ThreeServices), "prop.yaml");
        var candidates = dag.Names.Append("user").ToList();

        foreach (var node in dag.Names)
        {
            var policy = PolicyCompiler.NodePolicy(spec, node);
            foreach (var parent in candidates)
            {
                var keys = new[] { "as1", "as2", "as3" }.SelectMany(a => PolicyCompiler.MintedAttributes(a, "prop", node, parent)).ToHashSet();
                if (policy.IsSatisfiedBy(keys) != spec.IsEdge(parent, node))
                {
                    return false;
                }

                // all-of: keys from all but one authority never suffice.
                var partial = new[] { "as1", "as2" }.SelectMany(a => PolicyCompiler.MintedAttributes(a, "prop", node, parent)).ToHashSet();
                if (policy.IsSatisfiedBy(partial))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Property(MaxTest = 100)]
    public bool NodePolicy_SimpleAndFullForm_CompileToTheSamePolicies(int seed)
    {
        var dag = RandomDag.Create(seed);
        var full = WorkflowLoader.LoadFromString(dag.FullYaml("same", OneService), "full.yaml");
        var simple = WorkflowLoader.LoadFromString(dag.SimpleYaml("same"), "simple.yaml");

        return full.TopologicalOrder.SequenceEqual(simple.TopologicalOrder)
            && full.Id == simple.Id
            && dag.Names.All(n => PolicyCompiler.NodePolicy(full, n) == PolicyCompiler.NodePolicy(simple, n)
                && full.GetNode(n).Id == simple.GetNode(n).Id)
            && PolicyCompiler.OutputPolicy(full) == PolicyCompiler.OutputPolicy(simple);
    }

    [Property(MaxTest = 100)]
    public bool NodePolicy_RandomDag_RoundTripsThroughPolicyText(int seed)
    {
        var dag = RandomDag.Create(seed);
        var spec = WorkflowLoader.LoadFromString(dag.FullYaml("prop", ThreeServices, seed % 2 == 0 ? "all-of" : "any-of"), "prop.yaml");

        return dag.Names.All(n =>
        {
            var policy = PolicyCompiler.NodePolicy(spec, n);
            return Policy.Parse(policy.ToString()) == policy;
        });
    }

    [Property(MaxTest = 200)]
    public bool TryLoadFromString_MutatedFile_NeverThrows(int seed, NonNegativeInt position, char replacement)
    {
        var yaml = RandomDag.Create(seed).FullYaml("fuzz", ThreeServices).ToCharArray();
        yaml[position.Get % yaml.Length] = replacement;

        var result = WorkflowLoader.TryLoadFromString(new string(yaml), "fuzz.yaml");

        return result.IsValid ^ !result.Errors.IsEmpty;
    }

    [Property(MaxTest = 200)]
    public bool TryLoadFromString_ArbitraryText_NeverThrows(string text)
    {
        var result = WorkflowLoader.TryLoadFromString(text ?? "", "fuzz.yaml");

        return result.IsValid ^ !result.Errors.IsEmpty;
    }
}
