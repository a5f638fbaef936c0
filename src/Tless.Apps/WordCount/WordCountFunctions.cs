using System.Text;
using Tless.Runtime.Sdk;

namespace Tless.Apps.WordCount;

/// <summary>Entry node: reads the user's text files and sends one chunk to each mapper instance.
/// Parameters: <c>files</c> (use only the first k inputs by name; 0 = all).</summary>
public sealed class SplitterFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var files = AppParameters.GetInt(context.Parameters, "files", 0, 0);
        var inputs = context.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        if (inputs.Count == 0)
        {
            throw new AppDataException("splitter", 0, "no text input was given");
        }

        if (files > 0)
        {
            inputs = inputs.Take(files).ToList();
        }

        var text = new StringBuilder();
        foreach (var input in inputs)
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            text.Append(AppText.DecodeUtf8(data.Span, input.Name)).Append('\n');
        }

        var mapper = AppContextHelpers.SingleSuccessor(context);
        var chunks = WordCounting.Split(text.ToString(), mapper.Scale);
        for (var i = 0; i < chunks.Count; i++)
        {
            await context.SendAsync(mapper.Node, i, "chunk", Encoding.UTF8.GetBytes(chunks[i]), cancellationToken).ConfigureAwait(false);
        }

        context.Log($"split {text.Length} chars from {inputs.Count} file(s) into {chunks.Count} chunks");
    }
}

/// <summary>Counts the words of its chunk(s) and sends the counts to the reducer.</summary>
public sealed class MapperFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var merged = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var input in context.Inputs)
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            var partial = WordCounting.Map(AppText.DecodeUtf8(data.Span, input.Name));
            total += partial.TotalWords;
            foreach (var (word, count) in partial.Counts)
            {
                merged[word] = merged.GetValueOrDefault(word) + count;
            }
        }

        var reducer = AppContextHelpers.SingleSuccessor(context);
        var message = new WordCountPartial { TotalWords = total, Counts = merged };
        await context.SendAsync(reducer.Node, 0, "counts", AppJson.Serialize(message), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Fan-in node: merges every mapper's counts and writes <c>word-count.json</c>.
/// Parameters: <c>top_k</c> (default 20).</summary>
public sealed class ReducerFunction : ITlessFunction
{
    public const string ResultName = "word-count.json";

    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var topK = AppParameters.GetInt(context.Parameters, "top_k", 20, 0, 1_000_000);
        var partials = new List<WordCountPartial>();
        foreach (var input in context.Inputs.OrderBy(i => i.FromIndex))
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            partials.Add(AppJson.Deserialize<WordCountPartial>(data.Span, input.Name));
        }

        var report = WordCounting.Reduce(partials, topK);
        await context.WriteResultAsync(ResultName, AppJson.Serialize(report), cancellationToken).ConfigureAwait(false);
        context.Log($"{report.TotalWords} words, {report.DistinctWords} distinct");
    }
}
