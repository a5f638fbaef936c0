using System.Globalization;
using System.Text;
using Tless.Runtime.Sdk;

namespace Tless.Runtime.TestFunctions;

/// <summary>Splits its input text into lines and sends line i to successor instance i mod scale.</summary>
public sealed class SplitFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var input in context.Inputs)
        {
            text.Append(Encoding.UTF8.GetString((await context.ReadInputAsync(input, cancellationToken)).Span));
        }

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var successor in context.Successors)
        {
            var shards = new StringBuilder[successor.Scale];
            for (var i = 0; i < lines.Length; i++)
            {
                (shards[i % successor.Scale] ??= new StringBuilder()).Append(lines[i]).Append('\n');
            }

            for (var i = 0; i < shards.Length; i++)
            {
                if (shards[i] is not null)
                {
                    await context.SendAsync(successor.Node, i, "lines", Encoding.UTF8.GetBytes(shards[i].ToString()), cancellationToken);
                }
            }
        }

        context.Log($"split {lines.Length} lines");
    }
}

/// <summary>Upper-cases its inputs and sends them to instance 0 of every successor, or writes them as a result.</summary>
public sealed class UpperFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var input in context.Inputs)
        {
            text.Append(Encoding.UTF8.GetString((await context.ReadInputAsync(input, cancellationToken)).Span).ToUpperInvariant());
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (context.Successors.Count == 0)
        {
            await context.WriteResultAsync("upper-" + context.Index.ToString(CultureInfo.InvariantCulture), bytes, cancellationToken);
            return;
        }

        foreach (var successor in context.Successors)
        {
            await context.SendAsync(successor.Node, 0, "upper", bytes, cancellationToken);
        }
    }
}

/// <summary>Fan-in: concatenates every input in (producer, index) order, with a header naming how many it saw.</summary>
public sealed class JoinFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"inputs={context.Inputs.Count}\n");
        foreach (var input in context.Inputs)
        {
            text.Append(Encoding.UTF8.GetString((await context.ReadInputAsync(input, cancellationToken)).Span));
        }

        await context.WriteResultAsync("joined", Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }
}

/// <summary>Always fails (for the failure-handling tests).</summary>
public sealed class FailingFunction : ITlessFunction
{
    public ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("deliberate failure in test function");
}

/// <summary>Tries to send to a node that is not its successor (misuse).</summary>
public sealed class MisbehavingFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken) =>
        await context.SendAsync("nowhere", 0, "x", new byte[] { 1 }, cancellationToken);
}

/// <summary>Not a function (for the loader's negative tests).</summary>
public sealed class NotAFunction
{
}
