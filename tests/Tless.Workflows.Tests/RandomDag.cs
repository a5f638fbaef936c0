using System.Globalization;
using System.Text;

namespace Tless.Workflows.Tests;

/// <summary>A random DAG in which every node is reachable from an entry node, rendered in both YAML forms.</summary>
internal sealed class RandomDag
{
    private RandomDag(List<string> names, List<(string From, string To)> edges, List<string> declarationOrder, List<int> scales)
    {
        Names = names;
        Edges = edges;
        DeclarationOrder = declarationOrder;
        Scales = scales;
    }

    /// <summary>Names in generation order (every edge goes from a lower to a higher index here).</summary>
    public List<string> Names { get; }

    public List<(string From, string To)> Edges { get; }

    /// <summary>The order the nodes are written in the file (shuffled).</summary>
    public List<string> DeclarationOrder { get; }

    public List<int> Scales { get; }

    public static RandomDag Create(int seed, int maxNodes = 12)
    {
        var random = new Random(seed);
        var count = random.Next(1, maxNodes + 1);
        var pool = new[] { "a", "b", "c", "split", "map", "reduce", "fetch-public", "fetch_private", "pca", "rf", "x1", "Y2", "merge", "audit", "z" };
        var names = pool.OrderBy(_ => random.Next()).Take(count).ToList();
        var edges = new List<(string, string)>();
        for (var j = 1; j < count; j++)
        {
            if (random.Next(4) == 0)
            {
                continue; // another entry node
            }

            var parents = Enumerable.Range(0, j).Where(_ => random.Next(3) == 0).ToList();
            if (parents.Count == 0)
            {
                parents.Add(random.Next(j));
            }

            edges.AddRange(parents.Select(p => (names[p], names[j])));
        }

        var declaration = names.OrderBy(_ => random.Next()).ToList();
        var scales = names.Select(_ => random.Next(1, 5)).ToList();
        return new RandomDag(names, edges.OrderBy(_ => random.Next()).ToList(), declaration, scales);
    }

    public int ScaleOf(string name) => Scales[Names.IndexOf(name)];

    public string FullYaml(string workflow, IReadOnlyList<(string Id, string Url)> services, string mode = "all-of")
    {
        var b = new StringBuilder();
        b.Append("workflow: ").Append(workflow).Append('\n');
        b.Append("authorities:\n  user: user\n  mode: ").Append(mode).Append("\n  services:\n");
        foreach (var (id, url) in services)
        {
            b.Append("    - id: ").Append(id).Append("\n      url: ").Append(url).Append('\n');
        }

        b.Append("nodes:\n");
        foreach (var n in DeclarationOrder)
        {
            b.Append("  - name: ").Append(n).Append("\n    function: F.").Append(n.Replace('-', '_')).Append("\n    package: p\n    scale: ")
                .Append(ScaleOf(n).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (Edges.Count > 0)
        {
            b.Append("edges:\n");
            foreach (var (from, to) in Edges)
            {
                b.Append("  - from: ").Append(from).Append("\n    to: ").Append(to).Append('\n');
            }
        }

        return b.ToString();
    }

    public string SimpleYaml(string workflow)
    {
        var items = DeclarationOrder.Select(n =>
        {
            var children = Edges.Where(e => e.From == n).Select(e => e.To).ToList();
            var chains = children.Count switch
            {
                0 => "",
                1 => ", chains_to: " + children[0],
                _ => ", chains_to: [" + string.Join(", ", children) + "]",
            };
            return $"{{name: {n}, scale: {ScaleOf(n).ToString(CultureInfo.InvariantCulture)}{chains}}}";
        });
        return $"name: {workflow}\nfuncs: [{string.Join(", ", items)}]\n";
    }
}
