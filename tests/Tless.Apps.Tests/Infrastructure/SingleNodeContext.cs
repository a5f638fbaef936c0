using Tless.Runtime.Sdk;

namespace Tless.Apps.Tests.Infrastructure;

/// <summary>A context for calling one function directly with given inputs; records sends and results.</summary>
internal sealed class SingleNodeContext(
    string node,
    IReadOnlyList<(string Name, string From, int FromIndex, byte[] Data)> inputs,
    IReadOnlyList<FunctionSuccessor>? successors = null,
    IReadOnlyDictionary<string, string>? parameters = null) : IFunctionContext
{
    public List<(string Node, int Index, string Name, byte[] Data)> Sent { get; } = [];

    public Dictionary<string, byte[]> Results { get; } = [];

    public string Workflow => "test";

    public string RunId => "run";

    public string Node => node;

    public int Index => 0;

    public int Scale => 1;

    public IReadOnlyDictionary<string, string> Parameters => parameters ?? new Dictionary<string, string>();

    public IReadOnlyList<FunctionInput> Inputs => inputs.Select(i => new FunctionInput(i.Name, i.From, i.FromIndex)).ToList();

    public IReadOnlyList<FunctionSuccessor> Successors => successors ?? [];

    public ValueTask<ReadOnlyMemory<byte>> ReadInputAsync(FunctionInput input, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>>(inputs.Single(i => new FunctionInput(i.Name, i.From, i.FromIndex) == input).Data);

    public ValueTask SendAsync(string successor, int index, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Sent.Add((successor, index, name, data.ToArray()));
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteResultAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Results.Add(name, data.ToArray());
        return ValueTask.CompletedTask;
    }

    public void Log(string message)
    {
    }
}
