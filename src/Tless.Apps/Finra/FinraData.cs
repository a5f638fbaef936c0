namespace Tless.Apps.Finra;

/// <summary>One trading day of one ticker (public market data).</summary>
public sealed record MarketDay(string Ticker, DateOnly Date, double Open, double High, double Low, double Close, double Volume);

/// <summary>One lot of the user's portfolio (private data).</summary>
public sealed record Holding(string Ticker, double Quantity, double PurchasePrice);

/// <summary>Consecutive days of one ticker sent to an audit; the first day is context only (the previous day of the
/// first checked day), every later day is checked.</summary>
public sealed record MarketSegment
{
    public required string Ticker { get; init; }

    public required IReadOnlyList<MarketDay> Days { get; init; }
}

/// <summary>What fetch-public sends to one audit instance: its distinct slice of the (ticker, day) checks.</summary>
public sealed record MarketSlice
{
    public required int Index { get; init; }

    public required IReadOnlyList<MarketSegment> Segments { get; init; }
}

/// <summary>The held quantity per ticker, sent by fetch-private to every audit instance.</summary>
public sealed record PortfolioSummary
{
    public required IReadOnlyList<Position> Positions { get; init; }
}

/// <summary>The total position in one ticker (all lots summed).</summary>
public sealed record Position(string Ticker, double Quantity, double CostBasis, int Lots);

/// <summary>A flagged day of a held ticker.</summary>
public sealed record AuditFlag
{
    public required string Ticker { get; init; }

    public required DateOnly Date { get; init; }

    public required double PreviousClose { get; init; }

    public required double Close { get; init; }

    /// <summary>(close - previous close) / previous close.</summary>
    public required double Change { get; init; }

    public required double PreviousVolume { get; init; }

    public required double Volume { get; init; }

    public required double QuantityHeld { get; init; }

    /// <summary>Quantity held times the day's close.</summary>
    public required double Exposure { get; init; }
}

/// <summary>What one audit instance found in its slice.</summary>
public sealed record AuditResult
{
    public required int Index { get; init; }

    /// <summary>Days checked per held ticker found in the slice.</summary>
    public required IReadOnlyDictionary<string, int> DaysChecked { get; init; }

    public required IReadOnlyList<AuditFlag> Flags { get; init; }
}

/// <summary>The audit thresholds: flag when volume &gt; VolumeRatio x previous volume and |change| &gt; CloseMove.</summary>
public sealed record AuditRule(double VolumeRatio, double CloseMove)
{
    public static AuditRule Default { get; } = new(1.5, 0.05);
}

/// <summary>The merged audit report.</summary>
public sealed record FinraReport
{
    public required AuditRule Rule { get; init; }

    public required IReadOnlyList<TickerSummary> Tickers { get; init; }

    public required IReadOnlyList<AuditFlag> Flags { get; init; }

    public required FinraTotals Totals { get; init; }
}

/// <summary>Per held ticker: the position, days checked and flags. <c>HasMarketData</c> is false when the market data
/// has no checkable day (at least two trading days) for the ticker.</summary>
public sealed record TickerSummary(string Ticker, double Quantity, double CostBasis, int DaysChecked, int Flags, bool HasMarketData);

/// <summary>Report totals.</summary>
public sealed record FinraTotals(int Audits, int DaysChecked, int FlaggedDays, int TickersHeld, int TickersWithoutMarketData, double FlaggedExposure);
