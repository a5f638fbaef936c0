using System.Text;
using Tless.Apps.Finra;
using Tless.Apps.Tests.Infrastructure;

namespace Tless.Apps.Tests.Finra;

public sealed class FinraWorkflowTests
{
    private static readonly HashSet<string> Held = ["SPX"];

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(100)]
    public async Task Run_CommittedSample_FindsTheKnownFlags(int audits)
    {
        var report = await RunAsync(new() { ["N"] = $"{audits}" });

        // The committed S&P 500 series has exactly these two days with volume > 1.5x and |close move| > 5%.
        Assert.Equal([("SPX", new DateOnly(2001, 1, 3)), ("SPX", new DateOnly(2008, 12, 1))], report.Flags.Select(f => (f.Ticker, f.Date)));
        var reference = FinraReference.Flags(File.ReadAllText(RepoFiles.Data("finra", "market.csv")), Held, 1.5, 0.05);
        Assert.Equal(reference, report.Flags.Select(f => (f.Ticker, f.Date.ToString("yyyy-MM-dd", null))));
        Assert.Equal(audits, report.Totals.Audits);
        Assert.Equal(2, report.Totals.FlaggedDays);
        Assert.Equal(MarketRows() - 1, report.Totals.DaysChecked);
        Assert.Equal(1, report.Totals.TickersWithoutMarketData);
        var spx = report.Tickers.Single(t => t.Ticker == "SPX");
        Assert.Equal(140, spx.Quantity);
        Assert.Equal(2, spx.Flags);
        Assert.False(report.Tickers.Single(t => t.Ticker == "AAPL").HasMarketData);
        Assert.Equal(report.Flags.Sum(f => 140 * f.Close), report.Totals.FlaggedExposure, 6);
    }

    [Theory]
    [InlineData("1.2", "0.02")]
    [InlineData("1.0", "0.0")]
    [InlineData("3", "0.01")]
    public async Task Run_OtherThresholds_EqualsSingleProcessAudit(string ratio, string move)
    {
        var report = await RunAsync(new() { ["N"] = "7", ["volume_ratio"] = ratio, ["close_move"] = move });
        var reference = FinraReference.Flags(File.ReadAllText(RepoFiles.Data("finra", "market.csv")), Held, double.Parse(ratio, null), double.Parse(move, null));
        Assert.NotEmpty(reference);
        Assert.Equal(reference, report.Flags.Select(f => (f.Ticker, f.Date.ToString("yyyy-MM-dd", null))));
    }

    [Fact]
    public async Task Run_RowsParameter_ChecksOnlyThoseRows()
    {
        var report = await RunAsync(new() { ["rows"] = "100" });
        Assert.Equal(99, report.Totals.DaysChecked);
        Assert.Empty(report.Flags);
    }

    [Fact]
    public async Task Run_BadMarketRow_NamesObjectAndLine()
    {
        var lines = File.ReadAllLines(RepoFiles.Data("finra", "market.csv"));
        lines[41] = lines[41].Replace(",", ",x", StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<AppDataException>(() => RunAsync([], new() { ["market.csv"] = Encoding.UTF8.GetBytes(string.Join('\n', lines)) }));
        Assert.Equal("market.csv", e.Input);
        Assert.Equal(42, e.Line);
    }

    [Fact]
    public async Task Run_BadPortfolioRow_NamesObjectAndLine()
    {
        var e = await Assert.ThrowsAsync<AppDataException>(() => RunAsync([], new() { ["portfolio.csv"] = "ticker,quantity,purchase_price\nSPX,ten,1\n"u8.ToArray() }));
        Assert.Equal("portfolio.csv", e.Input);
        Assert.Equal(2, e.Line);
        Assert.Contains("quantity 'ten' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadThreshold_NamesParameter()
    {
        var e = await Assert.ThrowsAsync<AppParameterException>(() => RunAsync(new() { ["close_move"] = "-0.1" }));
        Assert.Equal("close_move", e.Name);
    }

    private static int MarketRows() => File.ReadAllLines(RepoFiles.Data("finra", "market.csv")).Count(l => l.Length > 0) - 1;

    private static async Task<FinraReport> RunAsync(Dictionary<string, string> parameters, Dictionary<string, byte[]>? inputs = null)
    {
        var workflow = WorkflowFile.Load(RepoFiles.Workflow("finra"));
        var outcome = await DagDriver.RunAsync(workflow, parameters, inputs, TestContext.Current.CancellationToken);
        return AppJson.Deserialize<FinraReport>(outcome.Results["finra-report.json"], "report");
    }
}
