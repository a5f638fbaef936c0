using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Tless.Runtime.Tests.Storage;

/// <summary>
/// Runs a real S3 API server (npm s3rver from tools/s3rver, installed by .ci/setup.d/s3rver.sh) on a free loopback
/// port for the tests of one class, and stops it afterwards. When s3rver or node is missing, tests calling
/// <see cref="Require"/> skip locally but fail under CI (CI=true).
/// </summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    /// <summary>The credentials s3rver accepts.</summary>
    public const string AccessKey = "S3RVER";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo data = Directory.CreateTempSubdirectory("tless-s3rver-");
    private Process? process;
    private string? unavailable;

    /// <summary>The server's endpoint, like <c>http://127.0.0.1:40123</c>.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>A store URL for a fresh bucket of its own (created by the store on first use).</summary>
    public string NewStoreUrl(string? prefix = null) =>
        $"s3://tless-{Guid.NewGuid():N}"[..26] + (prefix is null ? string.Empty : "/" + prefix) +
        $"?endpoint={Endpoint}&region=us-east-1&path_style=true&access_key={AccessKey}&secret_key={AccessKey}";

    /// <summary>Skips the test (fails it under CI) when no server could be started.</summary>
    public void Require()
    {
        if (unavailable is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(unavailable);
        }

        Assert.Skip(unavailable);
    }

    public async ValueTask InitializeAsync()
    {
        var root = RepositoryRoot();
        var script = root is null ? null : Path.Combine(root, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (script is null || !File.Exists(script))
        {
            unavailable = $"s3rver is not installed ({script ?? "repository root not found"}); run .ci/setup.d/s3rver.sh";
            return;
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "--directory", data.FullName, "--address", "127.0.0.1", "--port", "0", "--silent" })
        {
            start.ArgumentList.Add(arg);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            unavailable = $"node is not installed: {e.Message}";
            return;
        }

        // s3rver prints "S3rver listening on 127.0.0.1:PORT" even when silent; with --port 0 that is how we learn the port.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningLine().Match(e.Data) is { Success: true } m)
            {
                listening.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"s3rver exited early: {stderr}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var port = await listening.Task.WaitAsync(StartTimeout, TestContext.Current.CancellationToken).ConfigureAwait(false);
        Endpoint = $"http://127.0.0.1:{port}";

        // The line comes after listen(); still, make sure the port takes connections before any test runs.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            process.Dispose();
        }

        try
        {
            data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temporary directory is cleaned by the OS eventually.
        }
    }

    /// <summary>The repository root recorded at build time (Directory.Build.targets), else a walk up from the binary.</summary>
    internal static string? RepositoryRoot()
    {
        var recorded = typeof(S3rverFixture).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TlessRepositoryRoot")?.Value;
        if (!string.IsNullOrEmpty(recorded) && File.Exists(Path.Combine(recorded, "TLess.slnx")))
        {
            return Path.GetFullPath(recorded);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TLess.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    [GeneratedRegex(@"listening on [^\s:]+:(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex ListeningLine();
}
