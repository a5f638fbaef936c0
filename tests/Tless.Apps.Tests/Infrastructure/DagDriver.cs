using Tless.Runtime.Sdk;

namespace Tless.Apps.Tests.Infrastructure;

/// <summary>
/// A tiny sequential DAG driver with in-memory contexts: runs every instance of each node in topological order, after
/// all instances of its parents; entry nodes see the workflow's user inputs (named by file name). It is strict:
/// sending to a node that is not a successor, to an index out of range, or writing a result twice throws.
/// </summary>
internal static class DagDriver
{
    public static async Task<RunOutcome> RunAsync(
        WorkflowFile workflow,
        IReadOnlyDictionary<string, string>? overrides = null,
        IReadOnlyDictionary<string, byte[]>? replaceInputs = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, string>(workflow.Parameters, StringComparer.Ordinal);
        foreach (var (k, v) in overrides ?? new Dictionary<string, string>())
        {
            parameters[k] = v;
        }

        var scales = workflow.Nodes.ToDictionary(n => n.Name, n => workflow.ScaleOf(n, parameters));
        var mailbox = new Dictionary<(string Node, int Index), List<(FunctionInput Input, byte[] Data)>>();
        var results = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var logs = new List<string>();
        var invocations = 0;
        foreach (var node in TopologicalOrder(workflow))
        {
            var type = typeof(AppDataException).Assembly.GetType(node.Function, throwOnError: true)!;
            var successors = workflow.Edges.Where(e => e.From == node.Name)
                .Select(e => new FunctionSuccessor(e.To, scales[e.To])).ToList();
            for (var index = 0; index < scales[node.Name]; index++)
            {
                var inputs = new List<(FunctionInput, byte[])>();
                foreach (var file in node.Inputs)
                {
                    var name = Path.GetFileName(file);
                    var data = replaceInputs is not null && replaceInputs.TryGetValue(name, out var replaced)
                        ? replaced
                        : await File.ReadAllBytesAsync(Path.Combine(Path.GetDirectoryName(workflow.Path)!, file), cancellationToken);
                    inputs.Add((new FunctionInput(name, "user", 0), data));
                }

                if (mailbox.TryGetValue((node.Name, index), out var received))
                {
                    inputs.AddRange(received);
                }

                var context = new InMemoryContext(workflow.Name, node.Name, index, scales[node.Name], parameters, inputs, successors, mailbox, results, logs);
                var function = (ITlessFunction)Activator.CreateInstance(type)!;
                await function.RunAsync(context, cancellationToken);
                invocations++;
            }
        }

        return new RunOutcome(results, logs, invocations);
    }

    private static List<WorkflowNode> TopologicalOrder(WorkflowFile workflow)
    {
        var order = new List<WorkflowNode>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (order.Count < workflow.Nodes.Count)
        {
            var ready = workflow.Nodes.First(n => !done.Contains(n.Name)
                && workflow.Edges.Where(e => e.To == n.Name).All(e => done.Contains(e.From)));
            order.Add(ready);
            done.Add(ready.Name);
        }

        return order;
    }

    private sealed class InMemoryContext(
        string workflow,
        string node,
        int index,
        int scale,
        IReadOnlyDictionary<string, string> parameters,
        List<(FunctionInput Input, byte[] Data)> inputs,
        IReadOnlyList<FunctionSuccessor> successors,
        Dictionary<(string Node, int Index), List<(FunctionInput Input, byte[] Data)>> mailbox,
        Dictionary<string, byte[]> results,
        List<string> logs) : IFunctionContext
    {
        public string Workflow => workflow;

        public string RunId => "test-run";

        public string Node => node;

        public int Index => index;

        public int Scale => scale;

        public IReadOnlyDictionary<string, string> Parameters => parameters;

        public IReadOnlyList<FunctionInput> Inputs => inputs.Select(i => i.Input).ToList();

        public IReadOnlyList<FunctionSuccessor> Successors => successors;

        public ValueTask<ReadOnlyMemory<byte>> ReadInputAsync(FunctionInput input, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>>(inputs.Single(i => i.Input == input).Data);

        public ValueTask SendAsync(string successor, int index, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            var target = successors.SingleOrDefault(s => s.Node == successor)
                ?? throw new InvalidOperationException($"{node} sent to {successor}, which is not a successor");
            if (index < 0 || index >= target.Scale)
            {
                throw new InvalidOperationException($"{node} sent to {successor}#{index}, outside 0..{target.Scale - 1}");
            }

            if (!mailbox.TryGetValue((successor, index), out var box))
            {
                mailbox[(successor, index)] = box = [];
            }

            if (box.Any(b => b.Input.Name == name && b.Input.From == node && b.Input.FromIndex == Index))
            {
                throw new InvalidOperationException($"{node}#{Index} sent '{name}' to {successor}#{index} twice");
            }

            box.Add((new FunctionInput(name, node, Index), data.ToArray()));
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteResultAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (!results.TryAdd(name, data.ToArray()))
            {
                throw new InvalidOperationException($"result '{name}' written twice");
            }

            return ValueTask.CompletedTask;
        }

        public void Log(string message) => logs.Add($"{node}#{index}: {message}");
    }
}

internal sealed record RunOutcome(IReadOnlyDictionary<string, byte[]> Results, IReadOnlyList<string> Logs, int Invocations);
