namespace Tless.Apps.Finra;

/// <summary>The pure computations of the FINRA audit workflow.</summary>
public static class FinraAudit
{
    /// <summary>Parses market data: CSV with columns symbol|ticker, date, open, high, low, close, volume (others ignored).
    /// Prices must be positive, volume non-negative, and (ticker, date) unique.</summary>
    public static IReadOnlyList<MarketDay> ParseMarket(ReadOnlySpan<byte> data, string input)
    {
        var table = CsvTable.Parse(data, input);
        int ticker = table.Column("symbol", "ticker"), date = table.Column("date"), open = table.Column("open"),
            high = table.Column("high"), low = table.Column("low"), close = table.Column("close"), volume = table.Column("volume");
        var seen = new HashSet<(string, DateOnly)>();
        var days = new List<MarketDay>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            var day = new MarketDay(
                row.Text(ticker, "ticker").ToUpperInvariant(),
                row.Date(date, "date"),
                Positive(row, open, "open"),
                Positive(row, high, "high"),
                Positive(row, low, "low"),
                Positive(row, close, "close"),
                row.Number(volume, "volume"));
            if (day.Volume < 0)
            {
                throw row.Error($"volume {day.Volume} is negative");
            }

            if (!seen.Add((day.Ticker, day.Date)))
            {
                throw row.Error($"duplicate day {day.Date:yyyy-MM-dd} for {day.Ticker}");
            }

            days.Add(day);
        }

        return days;
    }

    /// <summary>Parses the portfolio: CSV with columns ticker|symbol, quantity, purchase_price|price.</summary>
    public static IReadOnlyList<Holding> ParsePortfolio(ReadOnlySpan<byte> data, string input)
    {
        var table = CsvTable.Parse(data, input);
        int ticker = table.Column("ticker", "symbol"), quantity = table.Column("quantity"), price = table.Column("purchase_price", "price");
        return table.Rows.Select(row =>
        {
            var holding = new Holding(row.Text(ticker, "ticker").ToUpperInvariant(), row.Number(quantity, "quantity"), row.Number(price, "purchase_price"));
            return holding.Quantity <= 0 ? throw row.Error($"quantity {holding.Quantity} is not positive")
                : holding.PurchasePrice < 0 ? throw row.Error($"purchase_price {holding.PurchasePrice} is negative")
                : holding;
        }).ToList();
    }

    /// <summary>Sums the lots per ticker (ordinal ticker order).</summary>
    public static PortfolioSummary Summarize(IEnumerable<Holding> holdings) => new()
    {
        Positions = holdings
            .GroupBy(h => h.Ticker, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Position(g.Key, g.Sum(h => h.Quantity), g.Sum(h => h.Quantity * h.PurchasePrice), g.Count()))
            .ToList(),
    };

    /// <summary>
    /// Orders the days by (ticker, date) and cuts the checks (every day that has a previous day of the same ticker)
    /// into <paramref name="parts"/> contiguous slices of about equal size. Every check lands in exactly one slice;
    /// each segment carries the previous day of its first check as context.
    /// </summary>
    public static IReadOnlyList<MarketSlice> Partition(IEnumerable<MarketDay> days, int parts)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        var series = days
            .GroupBy(d => d.Ticker, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(d => d.Date).ToList())
            .ToList();

        // Checks are (series, day index >= 1); a ticker with a single day contributes no check.
        var checks = series.Sum(s => Math.Max(0, s.Count - 1));
        var slices = new List<MarketSlice>(parts);
        var cursor = (Series: 0, Day: 1);
        for (var p = 0; p < parts; p++)
        {
            var take = (int)(((long)checks * (p + 1) / parts) - ((long)checks * p / parts));
            var segments = new List<MarketSegment>();
            while (take > 0)
            {
                var s = series[cursor.Series];
                if (cursor.Day >= s.Count)
                {
                    cursor = (cursor.Series + 1, 1);
                    continue;
                }

                var n = Math.Min(take, s.Count - cursor.Day);
                segments.Add(new MarketSegment { Ticker = s[0].Ticker, Days = s.GetRange(cursor.Day - 1, n + 1) });
                take -= n;
                cursor = (cursor.Series, cursor.Day + n);
            }

            slices.Add(new MarketSlice { Index = p, Segments = segments });
        }

        return slices;
    }

    /// <summary>Applies <paramref name="rule"/> to every check of <paramref name="slice"/> for the held tickers.</summary>
    public static AuditResult Audit(MarketSlice slice, PortfolioSummary portfolio, AuditRule rule)
    {
        ArgumentNullException.ThrowIfNull(slice);
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(rule);
        var held = portfolio.Positions.ToDictionary(p => p.Ticker, p => p.Quantity, StringComparer.Ordinal);
        var flags = new List<AuditFlag>();
        var checkedDays = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var segment in slice.Segments)
        {
            if (!held.TryGetValue(segment.Ticker, out var quantity))
            {
                continue;
            }

            for (var i = 1; i < segment.Days.Count; i++)
            {
                checkedDays[segment.Ticker] = checkedDays.GetValueOrDefault(segment.Ticker) + 1;
                var previous = segment.Days[i - 1];
                var day = segment.Days[i];
                var change = (day.Close - previous.Close) / previous.Close;
                if (day.Volume > rule.VolumeRatio * previous.Volume && Math.Abs(change) > rule.CloseMove)
                {
                    flags.Add(new AuditFlag
                    {
                        Ticker = day.Ticker,
                        Date = day.Date,
                        PreviousClose = previous.Close,
                        Close = day.Close,
                        Change = change,
                        PreviousVolume = previous.Volume,
                        Volume = day.Volume,
                        QuantityHeld = quantity,
                        Exposure = quantity * day.Close,
                    });
                }
            }
        }

        return new AuditResult { Index = slice.Index, DaysChecked = checkedDays, Flags = flags };
    }

    /// <summary>Combines the audits' results into the report (flags ordered by ticker, then date).</summary>
    public static FinraReport Merge(IEnumerable<AuditResult> results, PortfolioSummary portfolio, AuditRule rule)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(portfolio);
        var list = results.ToList();
        var flags = list.SelectMany(r => r.Flags).OrderBy(f => f.Ticker, StringComparer.Ordinal).ThenBy(f => f.Date).ToList();
        var days = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (ticker, count) in list.SelectMany(r => r.DaysChecked))
        {
            days[ticker] = days.GetValueOrDefault(ticker) + count;
        }

        var tickers = portfolio.Positions.Select(p => new TickerSummary(
            p.Ticker,
            p.Quantity,
            p.CostBasis,
            days.GetValueOrDefault(p.Ticker),
            flags.Count(f => f.Ticker == p.Ticker),
            days.ContainsKey(p.Ticker))).ToList();
        var daysChecked = days.Values.Sum();
        return new FinraReport
        {
            Rule = rule,
            Tickers = tickers,
            Flags = flags,
            Totals = new FinraTotals(list.Count, daysChecked, flags.Count, tickers.Count, tickers.Count(t => !t.HasMarketData), flags.Sum(f => f.Exposure)),
        };
    }

    private static double Positive(CsvRow row, int column, string name)
    {
        var value = row.Number(column, name);
        return value > 0 ? value : throw row.Error($"{name} {value} is not positive");
    }
}
