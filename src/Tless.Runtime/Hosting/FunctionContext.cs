using System.Collections.Concurrent;
using System.Collections.Immutable;
using Tless.Runtime.Protocol;
using Tless.Runtime.Sdk;

namespace Tless.Runtime.Hosting;

/// <summary>
/// The context one function instance runs with: plaintext inputs in, plaintext sends and results collected in
/// memory. The host seals and writes them only after the function returns, so a failing function writes nothing.
/// </summary>
internal sealed class FunctionContext : IFunctionContext
{
    private readonly ImmutableDictionary<FunctionInput, ReadOnlyMemory<byte>> inputs;
    private readonly ImmutableDictionary<string, int> successorScales;
    private readonly ConcurrentDictionary<(string Node, int Index, string Name), ReadOnlyMemory<byte>> sends = new();
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> results = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> log = new();
    private int closed;

    public FunctionContext(
        HostWorkflow workflow,
        string run,
        NodeInstance instance,
        ImmutableDictionary<FunctionInput, ReadOnlyMemory<byte>> inputs)
    {
        Workflow = workflow.Name;
        RunId = run;
        Node = instance.Node;
        Index = instance.Index;
        Scale = workflow.ScaleOf(instance.Node);
        Parameters = workflow.Parameters;
        this.inputs = inputs;
        Inputs = [.. inputs.Keys.OrderBy(i => i.From, StringComparer.Ordinal).ThenBy(i => i.FromIndex).ThenBy(i => i.Name, StringComparer.Ordinal)];
        var node = workflow.Spec.GetNode(instance.Node);
        successorScales = node.Children.ToImmutableDictionary(c => c, workflow.ScaleOf, StringComparer.Ordinal);
        Successors = [.. node.Children.Select(c => new FunctionSuccessor(c, successorScales[c]))];
    }

    public string Workflow { get; }

    public string RunId { get; }

    public string Node { get; }

    public int Index { get; }

    public int Scale { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public IReadOnlyList<FunctionInput> Inputs { get; }

    public IReadOnlyList<FunctionSuccessor> Successors { get; }

    /// <summary>Everything sent, in a deterministic order.</summary>
    public IEnumerable<(string Node, int Index, string Name, ReadOnlyMemory<byte> Data)> Sends =>
        sends.OrderBy(s => s.Key.Node, StringComparer.Ordinal).ThenBy(s => s.Key.Index).ThenBy(s => s.Key.Name, StringComparer.Ordinal)
            .Select(s => (s.Key.Node, s.Key.Index, s.Key.Name, s.Value));

    public IEnumerable<(string Name, ReadOnlyMemory<byte> Data)> Results =>
        results.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, r.Value));

    public IReadOnlyCollection<string> LogLines => log;

    public ValueTask<ReadOnlyMemory<byte>> ReadInputAsync(FunctionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        return inputs.TryGetValue(input, out var data)
            ? ValueTask.FromResult(data)
            : throw new ArgumentException($"'{input.Name}' from {input.From}#{input.FromIndex} is not an input of {Node}#{Index}", nameof(input));
    }

    public ValueTask SendAsync(string successor, int index, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(successor);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        if (!successorScales.TryGetValue(successor, out var scale))
        {
            throw new ArgumentException(
                $"'{successor}' is not a successor of {Node} (successors: {(successorScales.IsEmpty ? "none" : string.Join(", ", successorScales.Keys.Order(StringComparer.Ordinal)))})",
                nameof(successor));
        }

        if (index < 0 || index >= scale)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{successor} has {scale} instances (0..{scale - 1})");
        }

        CheckName(name);
        if (!sends.TryAdd((successor, index, name), data.ToArray()))
        {
            throw new ArgumentException($"'{name}' was already sent to {successor}#{index}", nameof(name));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteResultAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        CheckName(name);
        if (!results.TryAdd(name, data.ToArray()))
        {
            throw new ArgumentException($"result '{name}' was already written by {Node}#{Index}", nameof(name));
        }

        return ValueTask.CompletedTask;
    }

    public void Log(string message)
    {
        if (message is not null && log.Count < 10_000)
        {
            log.Enqueue(message.Length <= 4096 ? message : message[..4096]);
        }
    }

    /// <summary>Stops accepting sends and results (the function has returned).</summary>
    public void Close() => Interlocked.Exchange(ref closed, 1);

    private void EnsureOpen()
    {
        if (Volatile.Read(ref closed) != 0)
        {
            throw new InvalidOperationException($"the invocation of {Node}#{Index} has ended; send and write before RunAsync returns");
        }
    }

    private static void CheckName(string name)
    {
        if (!ObjectNames.IsName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid name: use letters, digits, '_', '-' and '.', at most 128 characters", nameof(name));
        }
    }
}
