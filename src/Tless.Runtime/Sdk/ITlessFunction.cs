namespace Tless.Runtime.Sdk;

/// <summary>
/// A TLess function: one node of a workflow. The host constructs it with a public parameterless constructor and
/// calls <see cref="RunAsync"/> once per invocation. It sees plaintext inputs and outputs only; keys, ciphertext
/// and attestation stay in the host.
/// </summary>
public interface ITlessFunction
{
    ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken);
}

/// <summary>Where an input came from: the user (workflow inputs) or an instance of a parent node.</summary>
/// <param name="Name">The input's name, unique per producer.</param>
/// <param name="From">The producing node, or <c>user</c> for workflow inputs.</param>
/// <param name="FromIndex">The producing instance's index (0 for the user).</param>
public sealed record FunctionInput(string Name, string From, int FromIndex);

/// <summary>A successor node and how many instances it has in this run.</summary>
public sealed record FunctionSuccessor(string Node, int Scale);

/// <summary>What a function can see and do.</summary>
public interface IFunctionContext
{
    string Workflow { get; }

    string RunId { get; }

    string Node { get; }

    /// <summary>This instance's index in 0..Scale-1.</summary>
    int Index { get; }

    int Scale { get; }

    /// <summary>Run parameters (<c>--param k=v</c>) merged over the workflow's defaults.</summary>
    IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Every input addressed to this instance.</summary>
    IReadOnlyList<FunctionInput> Inputs { get; }

    IReadOnlyList<FunctionSuccessor> Successors { get; }

    ValueTask<ReadOnlyMemory<byte>> ReadInputAsync(FunctionInput input, CancellationToken cancellationToken);

    /// <summary>Sends data to instance <paramref name="index"/> of <paramref name="successor"/>; the host encrypts it
    /// under that node's policy and invokes the instance after this function returns.</summary>
    ValueTask SendAsync(string successor, int index, string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Writes a final result of the workflow, readable only by its owner.</summary>
    ValueTask WriteResultAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Adds a line to the run's log (never written in plaintext to an untrusted place in tless mode).</summary>
    void Log(string message);
}
