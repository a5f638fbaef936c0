using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tless.Attestation;
using Tless.Attestation.Dcap;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless bench dcap</c>: median microseconds to load DCAP collateral, build a verifier (parse it) and verify one
/// SGX or TDX quote with the full QVL-style checks, at a given time (the fixtures' collateral has expired).
/// </summary>
internal static class BenchDcapCommand
{
    public static Command Create()
    {
        var tee = new Option<string>("--tee") { Description = "sgx or tdx.", Required = true };
        var quote = new Option<FileInfo>("--quote") { Description = "The quote file (binary).", Required = true };
        var collateral = new Option<DirectoryInfo>("--collateral") { Description = "The DCAP collateral directory (docs/attestation-dcap.md).", Required = true };
        var at = new Option<DateTimeOffset?>("--at") { Description = "Verify as of this time (ISO 8601); default: now." };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs per step (median reported).", DefaultValueFactory = _ => 101 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };

        var cmd = new Command("dcap", "Median microseconds of DCAP collateral loading, verifier construction and quote verification.");
        foreach (var o in new Option[] { tee, quote, collateral, at, iterations, json })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction((parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var n = parseResult.GetValue(iterations);
            if (n is < 1 or > 100_000)
            {
                error.WriteLine("--iterations must be between 1 and 100000.");
                return Task.FromResult(2);
            }

            var kind = parseResult.GetValue(tee)?.Trim().ToUpperInvariant() switch
            {
                "SGX" => TeeKind.Sgx,
                "TDX" => TeeKind.Tdx,
                _ => (TeeKind?)null,
            };
            if (kind is null)
            {
                error.WriteLine("--tee must be sgx or tdx.");
                return Task.FromResult(2);
            }

            byte[] evidence;
            DcapCollateral loaded;
            var dir = parseResult.GetValue(collateral)!.FullName;
            try
            {
                evidence = File.ReadAllBytes(parseResult.GetValue(quote)!.FullName);
                loaded = DcapCollateral.LoadDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TlessFormatException)
            {
                error.WriteLine(e.Message);
                return Task.FromResult(2);
            }

            var time = new FixedTime(parseResult.GetValue(at) ?? TimeProvider.System.GetUtcNow());
            var verifier = new DcapVerifier(kind.Value, loaded, time);
            var result = verifier.Verify(evidence);
            if (!result.IsValid)
            {
                error.WriteLine($"the quote does not verify: {result.FailedCheck}: {result.Detail}");
                return Task.FromResult(1);
            }

            var medians = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["load_collateral"] = Median(() => DcapCollateral.LoadDirectory(dir), n, ct),
                ["new_verifier"] = Median(() => new DcapVerifier(kind.Value, loaded, time), n, ct),
                ["verify"] = Median(() => verifier.Verify(evidence), n, ct),
            };
            if (parseResult.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new { tee = kind.Value.ToString(), status = result.Claims!.Status, runs = n, median_us = medians }));
            }
            else
            {
                output.WriteLine($"{kind.Value} quote: {result.Claims!.Status}; {n} runs per step");
                output.WriteLine($"{"step",-18} {"median_us",12}");
                foreach (var (step, us) in medians)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,-18} {us,12:F1}"));
                }
            }

            return Task.FromResult(0);
        });
        return cmd;
    }

    private static double Median(Action run, int n, CancellationToken ct)
    {
        for (var i = 0; i < Math.Min(5, n); i++)
        {
            run(); // warm-up
        }

        var samples = new double[n];
        for (var i = 0; i < n; i++)
        {
            ct.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            run();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return Math.Round(samples[n / 2], 1);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
