using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tless.Crypto.Bls12381;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless bench crypto</c>: median microseconds of the BLS12-381 primitives (like <c>openssl speed</c>), with random
/// 255-bit scalars and the constant-time multiplication.
/// </summary>
internal static class BenchCryptoCommand
{
    private static readonly string[] Keys =
    [
        "pairing", "miller_loop", "final_exp", "g1_mul", "g2_mul", "hash_to_g1", "hash_to_g2",
        "g1_decompress_subgroup", "g2_decompress_subgroup",
    ];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object (values in microseconds) instead of a table." };
        var iterations = new Option<int>("--iterations")
        {
            Description = "Timed runs per operation (the median is reported); a few warm-up runs come first.",
            DefaultValueFactory = _ => 31,
        };
        var clock = new Option<string>("--clock")
        {
            Description = "wall (Stopwatch, default) or thread (the thread's CPU time, Linux only; steadier on a loaded machine).",
            DefaultValueFactory = _ => "wall",
        };
        var only = new Option<string[]>("--only")
        {
            Description = "Measure only these operations (names as in the table).",
            AllowMultipleArgumentsPerToken = true,
        };

        var cmd = new Command("crypto", "Median microseconds of pairing, Miller loop, final exponentiation, G1/G2 mul, hashing, decompression.");
        cmd.Options.Add(json);
        cmd.Options.Add(iterations);
        cmd.Options.Add(clock);
        cmd.Options.Add(only);
        cmd.SetAction((parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            int n = parseResult.GetValue(iterations);
            var selected = parseResult.GetValue(only) is { Length: > 0 } o ? o : Keys;
            var unknown = selected.Where(s => !Keys.Contains(s, StringComparer.Ordinal)).ToArray();
            if (n < 1 || n > 100_000)
            {
                error.WriteLine("--iterations must be between 1 and 100000.");
                return Task.FromResult(2);
            }

            var clockName = parseResult.GetValue(clock);
            if (clockName is not ("wall" or "thread") || (clockName == "thread" && !OperatingSystem.IsLinux()))
            {
                error.WriteLine("--clock must be 'wall' or (on Linux) 'thread'.");
                return Task.FromResult(2);
            }

            Func<long> now = clockName == "thread" ? ThreadCpuClock.Nanoseconds : WallNanoseconds;
            if (unknown.Length > 0)
            {
                error.WriteLine($"unknown operation(s): {string.Join(", ", unknown)}; known: {string.Join(", ", Keys)}");
                return Task.FromResult(2);
            }

            var results = new Dictionary<string, double>(StringComparer.Ordinal);
            var ops = Operations();
            bool asJson = parseResult.GetValue(json);
            if (!asJson)
            {
                output.WriteLine($"{"operation",-24} {"median_us",12} {"runs",6}");
            }

            var chosen = Keys.Where(k => selected.Contains(k, StringComparer.Ordinal)).ToArray();

            // warm every operation first: the pairing shares code with the others, and the JIT promotes hot code late
            foreach (var key in chosen)
            {
                Warm(ops[key], ct);
            }

            foreach (var key in chosen)
            {
                ct.ThrowIfCancellationRequested();
                double median = MedianMicroseconds(ops[key], n, now, ct);
                results[key] = Math.Round(median, 1);
                if (!asJson)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-24} {median,12:F1} {n,6}"));
                }
            }

            if (asJson)
            {
                output.WriteLine(JsonSerializer.Serialize(results));
            }

            return Task.FromResult(0);
        });
        return cmd;
    }

    /// <summary>Each operation: a setup that prepares fresh random inputs, returning the timed action.</summary>
    private static Dictionary<string, Func<Action>> Operations()
    {
        var dst = "TLESS-BENCH-V01-CS01"u8.ToArray();
        return new Dictionary<string, Func<Action>>(StringComparer.Ordinal)
        {
            ["pairing"] = () =>
            {
                var p = G1.Generator * Scalar.Random();
                var q = G2.Generator * Scalar.Random();
                return () => Pairing.Pair(p, q);
            },
            ["miller_loop"] = () =>
            {
                var p = G1.Generator * Scalar.Random();
                var q = G2.Generator * Scalar.Random();
                return () => Pairing.MillerLoop(p, q);
            },
            ["final_exp"] = () =>
            {
                var m = Pairing.MillerLoop(G1.Generator * Scalar.Random(), G2.Generator);
                return () => Pairing.FinalExponentiation(m);
            },
            ["g1_mul"] = () =>
            {
                var p = G1.Generator * Scalar.Random();
                var k = Scalar.Random();
                return () => _ = p * k;
            },
            ["g2_mul"] = () =>
            {
                var p = G2.Generator * Scalar.Random();
                var k = Scalar.Random();
                return () => _ = p * k;
            },
            ["hash_to_g1"] = () =>
            {
                var msg = Scalar.Random().ToBytes();
                return () => G1.HashToCurve(msg, dst);
            },
            ["hash_to_g2"] = () =>
            {
                var msg = Scalar.Random().ToBytes();
                return () => G2.HashToCurve(msg, dst);
            },
            ["g1_decompress_subgroup"] = () =>
            {
                var b = (G1.Generator * Scalar.Random()).ToCompressed();
                return () => G1.FromCompressed(b);
            },
            ["g2_decompress_subgroup"] = () =>
            {
                var b = (G2.Generator * Scalar.Random()).ToCompressed();
                return () => G2.FromCompressed(b);
            },
        };
    }

    private static long WallNanoseconds() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    /// <summary>Runs an operation for at least three runs and 300 ms, so that the JIT has promoted the hot paths.</summary>
    private static void Warm(Func<Action> setup, CancellationToken ct)
    {
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < 3 || Stopwatch.GetElapsedTime(warmStart).TotalMilliseconds < 300; i++)
        {
            ct.ThrowIfCancellationRequested();
            setup()();
        }
    }

    private static double MedianMicroseconds(Func<Action> setup, int n, Func<long> now, CancellationToken ct)
    {
        for (int i = 0; i < 3; i++)
        {
            setup()();
        }

        var samples = new double[n];
        for (int i = 0; i < n; i++)
        {
            ct.ThrowIfCancellationRequested();
            var action = setup();
            long start = now();
            action();
            samples[i] = (now() - start) / 1000.0;
        }

        Array.Sort(samples);
        return n % 2 == 1 ? samples[n / 2] : (samples[(n / 2) - 1] + samples[n / 2]) / 2;
    }
}

/// <summary>CLOCK_THREAD_CPUTIME_ID: CPU time of the calling thread, excluding time spent waiting for a core.</summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static long Nanoseconds()
    {
        _ = ClockGetTime(ClockThreadCpuTimeId, out var ts);
        return (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clockId, out Timespec ts);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
