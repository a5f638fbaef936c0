using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tless.Crypto.Abe;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless bench abe</c>: the policy encryption/decryption experiment over n authorities, each contributing the clause
/// <c>(asN.wf:W &amp; asN.node:N)</c>, joined by AND or by OR.
/// </summary>
internal static class BenchAbeCommand
{
    private static readonly int[] AuthorityCounts = [1, 2, 4, 8, 12, 16];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the rows as a JSON array instead of a table." };
        var output = new Option<FileInfo>("--out")
        {
            Description = "CSV file to write.",
            DefaultValueFactory = _ => new FileInfo("bench-abe.csv"),
        };
        var iterations = new Option<int>("--iterations")
        {
            Description = "Timed repetitions per cell (the median is reported).",
            DefaultValueFactory = _ => 11,
        };
        var authorities = new Option<int[]>("--authorities")
        {
            Description = "Authority counts to run (default 1 2 4 8 12 16).",
            DefaultValueFactory = _ => AuthorityCounts,
            AllowMultipleArgumentsPerToken = true,
        };

        var cpu = new Option<bool>("--cpu-time")
        {
            Description = "Measure process CPU time instead of wall-clock time (steadier on a loaded machine).",
        };

        var cmd = new Command("abe", "CP-ABE encrypt/decrypt/keygen medians for AND and OR policies over n authorities.");
        cmd.Options.Add(json);
        cmd.Options.Add(output);
        cmd.Options.Add(iterations);
        cmd.Options.Add(authorities);
        cmd.Options.Add(cpu);
        cmd.SetAction(async (parseResult, ct) =>
        {
            var k = parseResult.GetValue(iterations);
            var counts = parseResult.GetValue(authorities) ?? AuthorityCounts;
            if (k < 1 || counts.Length == 0 || counts.Any(n => n is < 1 or > 64))
            {
                await Console.Error.WriteLineAsync("--iterations must be >= 1 and --authorities values in 1..64.").ConfigureAwait(false);
                return 2;
            }

            // Warm up so that the JIT has tiered up the field arithmetic before anything is timed.
            var clock = parseResult.GetValue(cpu) ? Clock.Cpu : Clock.Wall;
            Measure(2, "and", 3, clock, ct);
            var rows = new List<AbeBenchRow>();
            if (!parseResult.GetValue(json))
            {
                Console.WriteLine($"{"authorities",11} {"shape",5} {"encrypt_ms",10} {"decrypt_ms",10} {"keygen_ms",9} {"pairings",8}");
            }

            foreach (var n in counts)
            {
                foreach (var shape in (string[])["and", "or"])
                {
                    ct.ThrowIfCancellationRequested();
                    var row = Measure(n, shape, k, clock, ct);
                    rows.Add(row);
                    if (!parseResult.GetValue(json))
                    {
                        Console.WriteLine(FormattableString.Invariant(
                            $"{row.Authorities,11} {row.Shape,5} {row.EncryptMs,10:F2} {row.DecryptMs,10:F2} {row.KeygenMs,9:F2} {row.Pairings,8}"));
                    }
                }
            }

            var file = parseResult.GetValue(output)!;
            await File.WriteAllTextAsync(file.FullName, ToCsv(rows), ct).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, JsonOptions));
            }
            else
            {
                Console.WriteLine($"{(clock == Clock.Cpu ? "CPU-time" : "wall-clock")} medians over {k} iterations; pairings = Miller loops per decryption (one final exponentiation); CSV: {file.FullName}");
            }

            return 0;
        });
        return cmd;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static string ToCsv(IEnumerable<AbeBenchRow> rows)
    {
        var sb = new StringBuilder("authorities,shape,encrypt_ms,decrypt_ms,keygen_ms\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Authorities},{r.Shape},{r.EncryptMs:F3},{r.DecryptMs:F3},{r.KeygenMs:F3}\n");
        }

        return sb.ToString();
    }

    private const int MinWarmupRounds = 3;

    private static readonly TimeSpan WarmupTime = TimeSpan.FromMilliseconds(500);

    private enum Clock
    {
        Wall,
        Cpu,
    }

    private static double Now(Clock clock) => clock == Clock.Cpu
        ? Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds
        : Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

    private static AbeBenchRow Measure(int n, string shape, int iterations, Clock clock, CancellationToken ct)
    {
        var ids = Enumerable.Range(1, n).Select(i => $"as{i}").ToArray();
        var msks = ids.Select(AuthorityMasterKey.Generate).ToArray();
        try
        {
            var pks = msks.Select(m => m.PublicKey).ToArray();
            var clauses = ids.Select(id => Policy.And(Policy.Attribute(id, "wf", "W"), Policy.Attribute(id, "node", "N")));
            var policy = shape == "and" ? Policy.And(clauses) : Policy.Or(clauses);
            var payload = new byte[1024];
            var ad = AbeHybrid.AssociatedData("bench/object", "W", "N");
            string[] Attrs(string id) => [$"{id}.wf:W", $"{id}.node:N", $"{id}.anc:P"];

            var keys = msks.Select(m => CpAbe.KeyGen(m, "bench-gid", Attrs(m.AuthorityId))).ToList();
            var sample = AbeHybrid.Encrypt(pks, policy, payload, ad);
            if (!AbeHybrid.TryDecrypt(keys, sample, ad, out _))
            {
                throw new InvalidOperationException("benchmark decryption failed");
            }

            // Untimed warm-up (at least MinWarmupRounds rounds and WarmupTime): JIT tiering, which runs on background
            // threads that --cpu-time counts, and the lazily built tables (attribute points, e(g,g)^alpha, the key
            // parts' prepared points) would otherwise land in the first timed samples.
            var warmupStart = Stopwatch.GetTimestamp();
            for (var i = 0; i < MinWarmupRounds || Stopwatch.GetElapsedTime(warmupStart) < WarmupTime; i++)
            {
                ct.ThrowIfCancellationRequested();
                var c = AbeHybrid.Encrypt(pks, policy, payload, ad);
                AbeHybrid.TryDecrypt(keys, c, ad, out _);
                CpAbe.KeyGen(msks[i % n], "bench-warmup-" + i.ToString(CultureInfo.InvariantCulture), Attrs(msks[i % n].AuthorityId)).Dispose();
            }

            var enc = new double[iterations];
            var dec = new double[iterations];
            var kg = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                ct.ThrowIfCancellationRequested();
                var t0 = Now(clock);
                var c = AbeHybrid.Encrypt(pks, policy, payload, ad);
                var t1 = Now(clock);
                AbeHybrid.TryDecrypt(keys, c, ad, out _);
                var t2 = Now(clock);
                using var part = CpAbe.KeyGen(msks[i % n], "bench-gid-" + i.ToString(CultureInfo.InvariantCulture), Attrs(msks[i % n].AuthorityId));
                var t3 = Now(clock);
                enc[i] = t1 - t0;
                dec[i] = t2 - t1;
                kg[i] = t3 - t2;
            }

            // rows used: two per clause for AND over all clauses, one clause for OR; 2 Miller loops per row + 1 for H(GID)
            var usedRows = shape == "and" ? 2 * n : 2;
            foreach (var key in keys)
            {
                key.Dispose();
            }

            return new AbeBenchRow(n, shape, Median(enc), Median(dec), Median(kg), 2 * usedRows + 1);
        }
        finally
        {
            foreach (var m in msks)
            {
                m.Dispose();
            }
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>One cell of the ABE experiment (medians in milliseconds).</summary>
internal sealed record AbeBenchRow(int Authorities, string Shape, double EncryptMs, double DecryptMs, double KeygenMs, [property: JsonIgnore] int Pairings);
