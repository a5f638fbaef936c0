using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tless.Attestation;
using Tless.Attestation.Sim;

namespace Tless.Cli.Commands;

/// <summary>
/// <c>tless attest ...</c>: verify TEE evidence offline (<c>verify</c>) and drive the simulated TEE
/// (<c>sim-key</c>, <c>sim-evidence</c>) on machines without TEE hardware.
/// </summary>
internal static class AttestCommand
{
    /// <summary>Exit code for evidence that was checked and found invalid.</summary>
    public const int ExitInvalid = 1;

    /// <summary>Exit code for unusable input (missing file, malformed collateral, bad option).</summary>
    public const int ExitUsage = 2;

    private const string InsecureBanner = "*** INSECURE: simulated TEE evidence; it proves nothing about where the code runs ***";

    public static Command Create()
    {
        var attest = new Command("attest", "Verify TEE evidence (SEV-SNP, SGX, TDX, simulated) and use the simulated TEE.");
        attest.Subcommands.Add(CreateVerify());
        attest.Subcommands.Add(CreateSimKey());
        attest.Subcommands.Add(CreateSimEvidence());
        return attest;
    }

    private static Command CreateVerify()
    {
        var tee = new Option<string>("--tee") { Description = "The TEE: snp, sgx, tdx or sim.", Required = true };
        tee.AcceptOnlyFromAmong("snp", "sgx", "tdx", "sim");
        var evidence = new Option<FileInfo>("--evidence") { Description = "The evidence file (SNP report or Azure HCL report, DCAP quote, sim evidence).", Required = true };
        var cert = new Option<FileInfo[]>("--cert") { Description = "SNP: the VCEK or VLEK certificate (PEM or DER); repeatable.", AllowMultipleArgumentsPerToken = true };
        var chain = new Option<FileInfo[]>("--chain") { Description = "SNP: the ASK/ASVK + ARK chain (PEM); repeatable.", AllowMultipleArgumentsPerToken = true };
        var collateral = new Option<DirectoryInfo>("--collateral") { Description = "SNP: certificate cache directory; SGX/TDX: DCAP collateral directory." };
        var simKey = new Option<FileInfo[]>("--sim-key") { Description = "sim: a trusted simulation public key (PEM or DER); repeatable.", AllowMultipleArgumentsPerToken = true };
        var at = new Option<string>("--at") { Description = "Verify as of this time (ISO 8601, e.g. 2025-06-01T00:00:00Z) instead of now." };
        var allowDebug = new Option<bool>("--allow-debug") { Description = "Accept evidence from debug environments." };
        var minTcb = new Option<string>("--min-tcb") { Description = "SNP: refuse reports below this TCB, e.g. \"bl=3 tee=0 snp=8 ucode=115\"." };
        var json = new Option<bool>("--json") { Description = "Print the verdict and claims as JSON." };
        var repeat = new Option<int>("--repeat") { Description = "Measure: verify the evidence this many more times with the same verifier and print the mean time." };

        var cmd = new Command("verify", "Verify evidence offline and print the verdict and claims; exits 0 only when valid.");
        foreach (var o in new Option[] { tee, evidence, cert, chain, collateral, simKey, at, allowDebug, minTcb, json, repeat })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction((parseResult, ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var kind = EvidenceVerifiers.ParseTee(parseResult.GetValue(tee)!);
                TimeProvider time = TimeProvider.System;
                if (parseResult.GetValue(at) is { } atText)
                {
                    if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
                    {
                        throw new ArgumentException($"--at: '{atText}' is not a date and time (use ISO 8601, e.g. 2025-06-01T00:00:00Z)");
                    }

                    time = new FixedTimeProvider(instant);
                }

                var options = new EvidenceVerifierOptions
                {
                    Time = time,
                    Policy = new VerifierPolicy
                    {
                        AllowDebug = parseResult.GetValue(allowDebug),
                        MinimumSnpTcb = parseResult.GetValue(minTcb) is { } floor ? Tless.Attestation.Snp.SnpTcbFloor.Parse(floor) : null,
                    },
                    SimTrustedKeys = [.. (parseResult.GetValue(simKey) ?? []).Select(f => ReadFile(f, "--sim-key"))],
                    CertificateFiles = [.. (parseResult.GetValue(cert) ?? []).Concat(parseResult.GetValue(chain) ?? []).Select(f => RequireFile(f))],
                    CollateralDirectory = parseResult.GetValue(collateral)?.FullName,
                };
                if (kind == TeeKind.Sim && options.SimTrustedKeys.Count == 0)
                {
                    throw new ArgumentException("--tee sim needs at least one --sim-key (the simulated platform's public key)");
                }

                var bytes = ReadFile(parseResult.GetValue(evidence)!, "--evidence");
                var verifier = EvidenceVerifiers.Create(kind, options);
                ct.ThrowIfCancellationRequested();
                var result = verifier.Verify(bytes);
                if (parseResult.GetValue(json))
                {
                    output.WriteLine(ToJson(kind, result));
                }
                else
                {
                    WriteText(output, kind, result);
                }

                var n = parseResult.GetValue(repeat);
                if (n < 0)
                {
                    throw new ArgumentException("--repeat must not be negative");
                }

                if (n > 0)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    for (var i = 0; i < n; i++)
                    {
                        ct.ThrowIfCancellationRequested();
                        verifier.Verify(bytes);
                    }

                    var us = watch.Elapsed.TotalMicroseconds / n;
                    error.WriteLine(string.Create(
                        CultureInfo.InvariantCulture, $"timing: {n} verifications, mean {us:F1} us each ({1e6 / us:F0} per second, one thread)"));
                }

                return Task.FromResult(result.IsValid ? 0 : ExitInvalid);
            }
            catch (Exception ex) when (ex is ArgumentException or TlessException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                error.WriteLine($"error: {ex.Message}");
                return Task.FromResult(ExitUsage);
            }
        });
        return cmd;
    }

    private static Command CreateSimKey()
    {
        var outDir = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory for sim-platform.key (PKCS#8 PEM, secret) and sim-platform.pub (public key PEM, the trust anchor).",
            DefaultValueFactory = _ => new DirectoryInfo("."),
        };
        var cmd = new Command("sim-key", "Create a simulated TEE platform key pair (INSECURE; development only).");
        cmd.Options.Add(outDir);
        cmd.SetAction((parseResult, ct) =>
        {
            var dir = parseResult.GetValue(outDir)!;
            dir.Create();
            using var tee = SimulatedTee.Create();
            var keyPath = Path.Combine(dir.FullName, "sim-platform.key");
            var pubPath = Path.Combine(dir.FullName, "sim-platform.pub");
            File.WriteAllText(keyPath, tee.ExportPrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(pubPath, tee.ExportPublicKeyPem());
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(InsecureBanner);
            output.WriteLine($"key id    {Convert.ToHexStringLower(tee.KeyId)}");
            output.WriteLine($"private   {keyPath}");
            output.WriteLine($"public    {pubPath}");
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static Command CreateSimEvidence()
    {
        var key = new Option<FileInfo>("--key") { Description = "The simulated platform's private key (from sim-key).", Required = true };
        var image = new Option<FileInfo>("--image") { Description = "Host image or code file; measurement = SHA-384 of its bytes." };
        var measurement = new Option<string>("--measurement") { Description = "The measurement as 96 hex digits (instead of --image)." };
        var reportData = new Option<string>("--report-data") { Description = "Report data: up to 128 hex digits (zero-padded to 64 bytes).", DefaultValueFactory = _ => string.Empty };
        var debug = new Option<bool>("--debug") { Description = "Mark the evidence as coming from a debug environment." };
        var outFile = new Option<FileInfo>("--out") { Description = "Evidence file to write.", Required = true };
        var cmd = new Command("sim-evidence", "Produce simulated TEE evidence (INSECURE; development only).");
        foreach (var o in new Option[] { key, image, measurement, reportData, debug, outFile })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction((parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                using var tee = SimulatedTee.ImportPrivateKeyPem(Encoding.ASCII.GetString(ReadFile(parseResult.GetValue(key)!, "--key")));
                byte[] m;
                if (parseResult.GetValue(image) is { } img)
                {
                    m = SimulatedTee.Measure(ReadFile(img, "--image"));
                }
                else if (parseResult.GetValue(measurement) is { } hex)
                {
                    m = ParseHex(hex, "--measurement", 48, exact: true);
                }
                else
                {
                    throw new ArgumentException("give --image or --measurement");
                }

                var rd = ParseHex(parseResult.GetValue(reportData) ?? string.Empty, "--report-data", 64, exact: false);
                var evidence = tee.CreateEvidence(m, rd, parseResult.GetValue(debug));
                var path = parseResult.GetValue(outFile)!.FullName;
                File.WriteAllBytes(path, evidence);
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(InsecureBanner);
                output.WriteLine($"measurement {Convert.ToHexStringLower(m)}");
                output.WriteLine($"wrote       {path} ({evidence.Length} bytes)");
                return Task.FromResult(0);
            }
            catch (Exception ex) when (ex is ArgumentException or TlessException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: {ex.Message}");
                return Task.FromResult(ExitUsage);
            }
        });
        return cmd;
    }

    private static void WriteText(TextWriter o, TeeKind tee, VerificationResult result)
    {
        var insecure = tee == TeeKind.Sim || result.Claims?.Insecure == true;
        if (insecure)
        {
            o.WriteLine(InsecureBanner);
        }

        o.WriteLine(result.IsValid
            ? insecure ? "VALID (INSECURE)" : "VALID"
            : $"INVALID: {result.FailedCheck}: {result.Detail}");
        if (result.Claims is not { } c)
        {
            return;
        }

        o.WriteLine();
        void Line(string name, string? value) => o.WriteLine($"  {name,-20} {value}");
        Line("tee", c.Tee.ToString().ToLowerInvariant());
        Line("measurement", c.Measurement);
        Line("report_data", Convert.ToHexStringLower(c.ReportData.AsSpan()));
        Line("chip_id", c.ChipId ?? "-");
        Line("tcb", c.Tcb ?? "-");
        Line("status", c.Status);
        Line("debug", c.Debug ? "true" : "false");
        Line("insecure", c.Insecure ? "TRUE" : "false");
        if (!c.Advisories.IsDefaultOrEmpty)
        {
            Line("advisories", string.Join(", ", c.Advisories));
        }

        foreach (var (k, v) in c.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Line(k, v.Length > 200 ? v[..200] + "..." : v);
        }
    }

    internal static string ToJson(TeeKind tee, VerificationResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("tee", tee.ToString().ToLowerInvariant());
            w.WriteBoolean("valid", result.IsValid);
            w.WriteString("verdict", result.IsValid ? "VALID" : "INVALID");
            w.WriteBoolean("insecure", tee == TeeKind.Sim || result.Claims?.Insecure == true);
            if (result.FailedCheck is not null)
            {
                w.WriteString("failed_check", result.FailedCheck);
                w.WriteString("detail", result.Detail);
            }

            if (result.Claims is { } c)
            {
                w.WriteStartObject("claims");
                w.WriteString("tee", c.Tee.ToString().ToLowerInvariant());
                w.WriteString("measurement", c.Measurement);
                w.WriteString("report_data", Convert.ToHexStringLower(c.ReportData.AsSpan()));
                w.WriteString("chip_id", c.ChipId);
                w.WriteString("tcb", c.Tcb);
                w.WriteString("status", c.Status);
                w.WriteBoolean("debug", c.Debug);
                w.WriteBoolean("insecure", c.Insecure);
                w.WriteStartArray("advisories");
                foreach (var a in c.Advisories.IsDefault ? [] : c.Advisories)
                {
                    w.WriteStringValue(a);
                }

                w.WriteEndArray();
                w.WriteStartObject("extra");
                foreach (var (k, v) in c.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string RequireFile(FileInfo f) =>
        f.Exists ? f.FullName : throw new ArgumentException($"file not found: {f.FullName}");

    private static byte[] ReadFile(FileInfo f, string option) =>
        f.Exists ? File.ReadAllBytes(f.FullName) : throw new ArgumentException($"{option}: file not found: {f.FullName}");

    private static byte[] ParseHex(string hex, string option, int size, bool exact)
    {
        hex = hex.Trim();
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex[2..];
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option}: not hex");
        }

        if (exact ? bytes.Length != size : bytes.Length > size)
        {
            throw new ArgumentException($"{option}: {bytes.Length} bytes, expected {(exact ? "exactly" : "at most")} {size}");
        }

        var result = new byte[size];
        bytes.CopyTo(result, 0);
        return result;
    }

    /// <summary>A clock stopped at one instant, for <c>--at</c>.</summary>
    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
