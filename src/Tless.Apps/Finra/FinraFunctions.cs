using Tless.Runtime.Sdk;

namespace Tless.Apps.Finra;

/// <summary>What an audit instance sends to merge: its findings and the portfolio it audited against.</summary>
public sealed record AuditMessage(AuditResult Result, PortfolioSummary Portfolio);

internal static class FinraNames
{
    public const string Market = "market";
    public const string Portfolio = "portfolio";
    public const string Audit = "audit";
    public const string ResultName = "finra-report.json";

    public static AuditRule Rule(IFunctionContext context) => new(
        AppParameters.GetDouble(context.Parameters, "volume_ratio", AuditRule.Default.VolumeRatio, 0),
        AppParameters.GetDouble(context.Parameters, "close_move", AuditRule.Default.CloseMove, 0));

    public static async ValueTask<(FunctionInput Input, ReadOnlyMemory<byte> Data)> ReadSingleAsync(
        IFunctionContext context, string name, CancellationToken cancellationToken)
    {
        var matches = context.Inputs.Where(i => string.Equals(i.Name, name, StringComparison.Ordinal)).ToList();
        if (matches.Count != 1)
        {
            throw new AppDataException(name, 0, $"node '{context.Node}' expected exactly one input named '{name}', found {matches.Count}");
        }

        return (matches[0], await context.ReadInputAsync(matches[0], cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>Entry node: reads the public daily market data (every user input is a market CSV) and sends each audit
/// instance its distinct slice of the (ticker, day) checks. Parameters: <c>rows</c> (first k rows per file; 0 = all).</summary>
public sealed class FetchPublicFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = AppParameters.GetInt(context.Parameters, "rows", 0, 0);
        if (context.Inputs.Count == 0)
        {
            throw new AppDataException(context.Node, 0, "no market data input was given");
        }

        var days = new List<MarketDay>();
        foreach (var input in context.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            var parsed = FinraAudit.ParseMarket(data.Span, input.Name);
            days.AddRange(rows > 0 ? parsed.Take(rows) : parsed);
        }

        var audit = AppContextHelpers.Successor(context, FinraNames.Audit);
        foreach (var slice in FinraAudit.Partition(days, audit.Scale))
        {
            await context.SendAsync(audit.Node, slice.Index, FinraNames.Market, AppJson.Serialize(slice), cancellationToken).ConfigureAwait(false);
        }

        context.Log($"{days.Count} market days sliced for {audit.Scale} audits");
    }
}

/// <summary>Entry node: reads the user's portfolio CSV (ticker, quantity, purchase_price) and sends the positions to
/// every audit instance.</summary>
public sealed class FetchPrivateFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Inputs.Count != 1)
        {
            throw new AppDataException(context.Node, 0, $"expected one portfolio CSV input, found {context.Inputs.Count}");
        }

        var input = context.Inputs[0];
        var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
        var summary = FinraAudit.Summarize(FinraAudit.ParsePortfolio(data.Span, input.Name));
        var audit = AppContextHelpers.Successor(context, FinraNames.Audit);
        var message = AppJson.Serialize(summary);
        for (var i = 0; i < audit.Scale; i++)
        {
            await context.SendAsync(audit.Node, i, FinraNames.Portfolio, message, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Checks one slice of the market data against the held tickers. Parameters: <c>volume_ratio</c> (1.5),
/// <c>close_move</c> (0.05).</summary>
public sealed class AuditFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (marketInput, market) = await FinraNames.ReadSingleAsync(context, FinraNames.Market, cancellationToken).ConfigureAwait(false);
        var (portfolioInput, portfolio) = await FinraNames.ReadSingleAsync(context, FinraNames.Portfolio, cancellationToken).ConfigureAwait(false);
        var slice = AppJson.Deserialize<MarketSlice>(market.Span, marketInput.Name);
        var summary = AppJson.Deserialize<PortfolioSummary>(portfolio.Span, portfolioInput.Name);
        var result = FinraAudit.Audit(slice, summary, FinraNames.Rule(context));
        var merge = AppContextHelpers.SingleSuccessor(context);
        await context.SendAsync(merge.Node, 0, "audit", AppJson.Serialize(new AuditMessage(result, summary)), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Fan-in node: merges every audit's findings into <c>finra-report.json</c>.</summary>
public sealed class MergeFunction : ITlessFunction
{
    public async ValueTask RunAsync(IFunctionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messages = new List<AuditMessage>();
        foreach (var input in context.Inputs.OrderBy(i => i.FromIndex))
        {
            var data = await context.ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
            messages.Add(AppJson.Deserialize<AuditMessage>(data.Span, $"{input.From}#{input.FromIndex}/{input.Name}"));
        }

        if (messages.Count == 0)
        {
            throw new AppDataException(context.Node, 0, "no audit results arrived");
        }

        var report = FinraAudit.Merge(messages.Select(m => m.Result), messages[0].Portfolio, FinraNames.Rule(context));
        await context.WriteResultAsync(FinraNames.ResultName, AppJson.Serialize(report), cancellationToken).ConfigureAwait(false);
        context.Log($"{report.Totals.FlaggedDays} flagged days over {report.Totals.DaysChecked} checked");
    }
}
