using System.Text;
using Tless.Apps.Datasets;
using Tless.Apps.Finra;
using Tless.Apps.Tests.Infrastructure;

namespace Tless.Apps.Tests.Datasets;

public sealed class DatasetFetcherTests
{
    [Fact]
    public void ConvertVegaSp500_KeepsValuesAndAddsSymbol()
    {
        var vega = "date,open,high,low,close,adjclose,volume\n2000-01-03,1469.250000,1478.000000,1438.359985,1455.219971,1455.219971,931800000\n"u8;
        var converted = Encoding.UTF8.GetString(DatasetFetcher.ConvertVegaSp500(vega, "sp500-2000.csv"));
        Assert.Equal("symbol,date,open,high,low,close,volume\nSPX,2000-01-03,1469.250000,1478.000000,1438.359985,1455.219971,931800000\n", converted);
    }

    [Fact]
    public void ConvertVegaSp500_CommittedSampleHeadRoundTrips()
    {
        // The committed market.csv is the conversion of vega-datasets' file: converting it back and forth is stable.
        var market = File.ReadAllLines(RepoFiles.Data("finra", "market.csv"));
        var vega = "date,open,high,low,close,adjclose,volume\n" + string.Join('\n', market.Skip(1).Take(50).Select(l =>
        {
            var f = l.Split(',');
            return string.Join(',', f[1], f[2], f[3], f[4], f[5], f[5], f[6]);
        }));
        var converted = Encoding.UTF8.GetString(DatasetFetcher.ConvertVegaSp500(Encoding.UTF8.GetBytes(vega), "v"));
        Assert.Equal(string.Join('\n', market.Take(51)) + "\n", converted);
        Assert.Equal(50, FinraAudit.ParseMarket(Encoding.UTF8.GetBytes(converted), "v").Count);
    }

    [Fact]
    public void ConvertVegaSp500_BadRow_NamesLine()
    {
        var e = Assert.Throws<AppDataException>(() => DatasetFetcher.ConvertVegaSp500("date,open,high,low,close,adjclose,volume\n2000-01-03,1,2,3,x,4,5\n"u8, "sp500-2000.csv"));
        Assert.Equal(("sp500-2000.csv", 2), (e.Input, e.Line));
    }

    [Fact]
    public async Task Fetch_ToolsMissing_SaysWhichBeforeDoingAnything()
    {
        var empty = Directory.CreateTempSubdirectory("tless-nopath-");
        try
        {
            var fetcher = new DatasetFetcher(empty.FullName);
            var target = Path.Combine(empty.FullName, "out");
            var e = await Assert.ThrowsAsync<DatasetToolException>(() => fetcher.FetchAsync(target, ["sotu", "fashion-mnist"], _ => { }, TestContext.Current.CancellationToken));
            Assert.Contains("npm and apt-get and dpkg not found", e.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(target));
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Fetch_UnknownSet_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new DatasetFetcher().FetchAsync("x", ["imagenet"], _ => { }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void FindTool_LooksOnlyOnTheGivenPath()
    {
        var dir = Directory.CreateTempSubdirectory("tless-path-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "npm"), "");
            var fetcher = new DatasetFetcher(dir.FullName);
            Assert.Equal(Path.Combine(dir.FullName, "npm"), fetcher.FindTool("npm"));
            Assert.Null(fetcher.FindTool("dpkg"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
