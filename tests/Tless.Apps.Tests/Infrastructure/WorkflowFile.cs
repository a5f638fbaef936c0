using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Tless.Apps.Tests.Infrastructure;

/// <summary>A minimal reader of the full-form workflow files, enough to drive them in tests (the real loader lives in
/// Tless.Workflows).</summary>
internal sealed record WorkflowFile
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required IReadOnlyList<WorkflowNode> Nodes { get; init; }

    public required IReadOnlyList<(string From, string To)> Edges { get; init; }

    public static WorkflowFile Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("parameters"), out var p))
        {
            foreach (var (k, v) in ((YamlMappingNode)p).Children)
            {
                parameters[Scalar(k)] = Scalar(v);
            }
        }

        var nodes = ((YamlSequenceNode)root["nodes"]).Children.Cast<YamlMappingNode>().Select(n => new WorkflowNode
        {
            Name = Scalar(n["name"]),
            Function = Scalar(n["function"]),
            Package = Scalar(n["package"]),
            Scale = Scalar(n["scale"]),
            Inputs = n.Children.TryGetValue(new YamlScalarNode("inputs"), out var inputs)
                ? ((YamlSequenceNode)inputs).Children.Select(Scalar).ToList()
                : [],
        }).ToList();
        var edges = ((YamlSequenceNode)root["edges"]).Children.Cast<YamlMappingNode>()
            .Select(e => (Scalar(e["from"]), Scalar(e["to"]))).ToList();
        return new WorkflowFile { Name = Scalar(root["workflow"]), Path = path, Parameters = parameters, Nodes = nodes, Edges = edges };
    }

    public int ScaleOf(WorkflowNode node, IReadOnlyDictionary<string, string> parameters) =>
        int.TryParse(node.Scale, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : int.Parse(parameters[node.Scale], CultureInfo.InvariantCulture);

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";
}

internal sealed record WorkflowNode
{
    public required string Name { get; init; }

    public required string Function { get; init; }

    public required string Package { get; init; }

    public required string Scale { get; init; }

    public required IReadOnlyList<string> Inputs { get; init; }
}
