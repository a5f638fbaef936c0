using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Apps.Finra;

namespace Tless.Apps.Tests.Finra;

public sealed class FinraAuditTests
{
    private static MarketDay Day(string ticker, int day, double close, double volume) =>
        new(ticker, new DateOnly(2020, 1, 1).AddDays(day), close, close, close, close, volume);

    [Property(MaxTest = 100)]
    public Property Partition_AnyDaysAndParts_CoversEveryCheckExactlyOnce()
    {
        var gen = Gen.Choose(0, 40).ArrayOf().Select(lengths => lengths.Take(4).ToArray());
        return Prop.ForAll(gen.ToArbitrary(), Gen.Choose(1, 9).ToArbitrary(), (lengths, parts) =>
        {
            var days = lengths.SelectMany((n, t) => Enumerable.Range(0, n).Select(d => Day($"T{t}", d, 10, 10))).ToList();
            var slices = FinraAudit.Partition(days, parts);
            var checks = slices.SelectMany(s => s.Segments.SelectMany(seg => seg.Days.Skip(1).Select(d => (d.Ticker, d.Date)))).ToList();
            var expected = days.GroupBy(d => d.Ticker).SelectMany(g => g.OrderBy(d => d.Date).Skip(1).Select(d => (d.Ticker, d.Date))).ToList();
            var contextOk = slices.SelectMany(s => s.Segments).All(seg => seg.Days.Count >= 2
                && seg.Days.Zip(seg.Days.Skip(1)).All(p => p.First.Ticker == p.Second.Ticker && p.First.Date < p.Second.Date));
            return slices.Count == parts && contextOk && checks.Count == expected.Count && checks.ToHashSet().SetEquals(expected);
        });
    }

    [Fact]
    public void Audit_RuleBoundaries_AreStrict()
    {
        var days = new[]
        {
            Day("X", 0, 100, 1000),
            Day("X", 1, 106, 1501),   // volume 1.501x, +6%: flagged
            Day("X", 2, 100.7, 3002), // volume 2x, -5%: exactly 5% is not more than 5% -> not flagged
            Day("X", 3, 90, 4503),    // volume exactly 1.5x: not flagged
            Day("X", 4, 80, 9000),    // volume 1.998x, -11%: flagged
            Day("Y", 0, 10, 1),
            Day("Y", 1, 20, 100),     // not held
        };
        var portfolio = FinraAudit.Summarize([new Holding("X", 3, 50)]);
        var result = FinraAudit.Audit(FinraAudit.Partition(days, 1)[0], portfolio, AuditRule.Default);
        Assert.Equal([new DateOnly(2020, 1, 2), new DateOnly(2020, 1, 5)], result.Flags.Select(f => f.Date));
        Assert.Equal(4, result.DaysChecked["X"]);
        Assert.False(result.DaysChecked.ContainsKey("Y"));
        Assert.Equal(3 * 80, result.Flags[1].Exposure);
    }

    [Fact]
    public void Summarize_SeveralLots_SumsPerTicker()
    {
        var summary = FinraAudit.Summarize([new Holding("B", 2, 10), new Holding("A", 1, 5), new Holding("B", 3, 20)]);
        Assert.Equal([new Position("A", 1, 5, 1), new Position("B", 5, 80, 2)], summary.Positions);
    }

    [Theory]
    [InlineData("symbol,date,open,high,low,close,volume\nSPX,2020-01-02,1,1,1,1,5\nSPX,2020-01-03,1,1,1,abc,5\n", 3, "close 'abc' is not a number")]
    [InlineData("symbol,date,open,high,low,close,volume\nSPX,2020-01-02,1,1,1,1\n", 2, "expected 7 fields, found 6")]
    [InlineData("symbol,date,open,high,low,close,volume\n\nSPX,01/02/2020,1,1,1,1,5\n", 3, "is not a date")]
    [InlineData("symbol,date,open,high,low,close,volume\nSPX,2020-01-02,1,1,1,0,5\n", 2, "close 0 is not positive")]
    [InlineData("symbol,date,open,high,low,close,volume\nSPX,2020-01-02,1,1,1,1,-5\n", 2, "volume -5 is negative")]
    [InlineData("symbol,date,open,high,low,close,volume\nSPX,2020-01-02,1,1,1,1,5\nspx,2020-01-02,1,1,1,1,5\n", 3, "duplicate day")]
    [InlineData("symbol,date,open,high,low,close\nSPX,2020-01-02,1,1,1,1\n", 1, "missing column 'volume'")]
    [InlineData("symbol,date,open,high,low,close,volume\n\"SPX,2020-01-02,1,1,1,1,5\n", 2, "unterminated quoted field")]
    public void ParseMarket_BadRow_NamesInputAndLine(string csv, int line, string problem)
    {
        var e = Assert.Throws<AppDataException>(() => FinraAudit.ParseMarket(Encoding.UTF8.GetBytes(csv), "market.csv"));
        Assert.Equal("market.csv", e.Input);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"market.csv:{line}: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ticker,quantity,purchase_price\nSPX,10,1.5\nIBM,-1,3\n", 3, "quantity -1 is not positive")]
    [InlineData("ticker,quantity,purchase_price\n,10,1.5\n", 2, "empty ticker")]
    [InlineData("ticker,qty,purchase_price\nSPX,10,1.5\n", 1, "missing column 'quantity'")]
    [InlineData("", 0, "empty CSV")]
    public void ParsePortfolio_BadRow_NamesInputAndLine(string csv, int line, string problem)
    {
        var e = Assert.Throws<AppDataException>(() => FinraAudit.ParsePortfolio(Encoding.UTF8.GetBytes(csv), "portfolio.csv"));
        Assert.Equal("portfolio.csv", e.Input);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsePortfolio_QuotedFieldsAndCrLf_AreRead()
    {
        var holdings = FinraAudit.ParsePortfolio("ticker,quantity,purchase_price\r\n\"spx\",\"10\",2.5\r\n"u8, "p.csv");
        Assert.Equal([new Holding("SPX", 10, 2.5)], holdings);
    }
}
