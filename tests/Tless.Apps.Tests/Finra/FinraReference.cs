using System.Globalization;

namespace Tless.Apps.Tests.Finra;

/// <summary>An independent single-process audit: plain string splitting of the committed CSV formats and one loop.</summary>
internal static class FinraReference
{
    public static List<(string Ticker, string Date)> Flags(string marketCsv, IReadOnlySet<string> held, double volumeRatio, double closeMove)
    {
        var rows = marketCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Trim().Split(','))
            .Select(f => (Ticker: f[0], Date: f[1], Close: double.Parse(f[5], CultureInfo.InvariantCulture), Volume: double.Parse(f[6], CultureInfo.InvariantCulture)))
            .Where(r => held.Contains(r.Ticker))
            .OrderBy(r => r.Ticker, StringComparer.Ordinal).ThenBy(r => r.Date, StringComparer.Ordinal)
            .ToList();
        var flags = new List<(string, string)>();
        for (var i = 1; i < rows.Count; i++)
        {
            var (prev, day) = (rows[i - 1], rows[i]);
            if (prev.Ticker == day.Ticker && day.Volume > volumeRatio * prev.Volume && Math.Abs(day.Close / prev.Close - 1) > closeMove)
            {
                flags.Add((day.Ticker, day.Date));
            }
        }

        return flags;
    }
}
