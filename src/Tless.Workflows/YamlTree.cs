using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tless.Workflows;

// A small YAML tree built from YamlDotNet's event parser so that duplicate keys are reported (not thrown) and every
// node keeps its position. Aliases resolve to the anchored node itself (no expansion, so no "billion laughs").
internal abstract class YNode
{
    protected YNode(Mark start) => Start = start;

    public Mark Start { get; }

    public abstract string Kind { get; }
}

internal sealed class YScalar(Mark start, string value, ScalarStyle style) : YNode(start)
{
    public string Value { get; } = value;

    /// <summary>True for single- or double-quoted scalars (their text starts one column after <see cref="YNode.Start"/>).</summary>
    public bool Quoted => style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;

    /// <summary>True for an unquoted null (empty, ~, null).</summary>
    public bool IsNull => style is ScalarStyle.Plain or ScalarStyle.Any && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Kind => IsNull ? "null" : "a scalar";
}

internal sealed class YSequence(Mark start) : YNode(start)
{
    public List<YNode> Items { get; } = [];

    public override string Kind => "a list";
}

internal sealed class YMapping(Mark start) : YNode(start)
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];

    public override string Kind => "a mapping";

    public YNode? Get(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Value;
}

internal static class YamlTree
{
    /// <summary>Parses one YAML document; null for an empty stream. Problems go to <paramref name="report"/>.</summary>
    public static YNode? Parse(string text, Action<string, string, Mark> report)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        YNode? root = null;
        var documents = 0;
        parser.Consume<StreamStart>();
        while (!parser.TryConsume<StreamEnd>(out _))
        {
            var start = parser.Consume<DocumentStart>();
            documents++;
            var node = ReadNode(parser, anchors, report, depth: 0);
            parser.Consume<DocumentEnd>();
            if (documents == 1)
            {
                root = node;
            }
            else if (documents == 2)
            {
                report(WorkflowErrorCodes.YamlSyntax, "a workflow file holds exactly one YAML document", start.Start);
            }
        }

        return root;
    }

    private static YNode ReadNode(IParser parser, Dictionary<string, YNode> anchors, Action<string, string, Mark> report, int depth)
    {
        if (depth > 64)
        {
            throw new YamlException(parser.Current!.Start, parser.Current.End, "nesting deeper than 64 levels");
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} names no anchor");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new YScalar(scalar.Start, scalar.Value, scalar.Style);
            Remember(anchors, scalar.Anchor, node);
            return node;
        }

        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var seq = new YSequence(seqStart.Start);
            Remember(anchors, seqStart.Anchor, seq);
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                seq.Items.Add(ReadNode(parser, anchors, report, depth + 1));
            }

            return seq;
        }

        var mapStart = parser.Consume<MappingStart>();
        var map = new YMapping(mapStart.Start);
        Remember(anchors, mapStart.Anchor, map);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, anchors, report, depth + 1);
            var value = ReadNode(parser, anchors, report, depth + 1);
            if (keyNode is not YScalar key)
            {
                report(WorkflowErrorCodes.WrongType, $"a key must be a plain name, not {keyNode.Kind}", keyNode.Start);
                continue;
            }

            if (!seen.Add(key.Value))
            {
                report(WorkflowErrorCodes.DuplicateKey, $"key '{key.Value}' appears twice in this mapping", key.Start);
                continue;
            }

            map.Entries.Add(new(key, value));
        }

        return map;
    }

    private static void Remember(Dictionary<string, YNode> anchors, AnchorName anchor, YNode node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }
}
