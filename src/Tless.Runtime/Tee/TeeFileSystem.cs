using System.Text;

namespace Tless.Runtime.Tee;

/// <summary>
/// The few file operations the hardware TEE providers need (configfs-tsm, Gramine's /dev/attestation), behind an
/// interface so that tests can check the exact sequence against a fake. Implementations throw
/// <see cref="IOException"/> (or <see cref="UnauthorizedAccessException"/>) on failure.
/// </summary>
internal interface ITeeFileSystem
{
    bool DirectoryExists(string path);

    bool FileExists(string path);

    /// <summary>Creates one directory level (mkdir; on configfs this creates a report entry).</summary>
    void CreateDirectory(string path);

    /// <summary>Removes an empty directory (rmdir; on configfs this releases a report entry).</summary>
    void DeleteDirectory(string path);

    /// <summary>Reads a file to its end (pseudo files report no useful length).</summary>
    byte[] ReadFile(string path);

    /// <summary>Writes <paramref name="data"/> to an existing file in one write call.</summary>
    void WriteFile(string path, ReadOnlySpan<byte> data);
}

/// <summary>The real file system.</summary>
internal sealed class TeeFileSystem : ITeeFileSystem
{
    public static TeeFileSystem Instance { get; } = new();

    private TeeFileSystem()
    {
    }

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public bool FileExists(string path) => File.Exists(path);

    public void CreateDirectory(string path)
    {
        // Directory.CreateDirectory succeeds silently on an existing directory; an entry must be fresh.
        if (Directory.Exists(path))
        {
            throw new IOException($"{path} already exists");
        }

        Directory.CreateDirectory(path);
    }

    public void DeleteDirectory(string path) => Directory.Delete(path, recursive: false);

    public byte[] ReadFile(string path)
    {
        // File.ReadAllBytes trusts the reported length, which sysfs/configfs set to a page (or 0): read to EOF instead.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    public void WriteFile(string path, ReadOnlySpan<byte> data)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        stream.Write(data);
    }
}

/// <summary>Helpers shared by the TEE providers.</summary>
internal static class TeeFiles
{
    /// <summary>Reads a one-line text attribute, trimmed of whitespace and NULs.</summary>
    public static string ReadText(ITeeFileSystem fs, string path) =>
        Encoding.ASCII.GetString(fs.ReadFile(path)).Trim().TrimEnd('\0');

    /// <summary>Runs a file operation, turning I/O failures into a <see cref="TeeException"/> that names the file.</summary>
    public static T Io<T>(string what, string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TeeException($"cannot {what} {path}: {e.Message}", e);
        }
    }

    /// <inheritdoc cref="Io{T}(string, string, Func{T})"/>
    public static void Io(string what, string path, Action action) => Io(what, path, () =>
    {
        action();
        return true;
    });

    /// <summary>Checks the report data length (misuse is an <see cref="ArgumentException"/>).</summary>
    public static void CheckReportData(ReadOnlyMemory<byte> reportData)
    {
        if (reportData.Length != ITeeProvider.ReportDataLength)
        {
            throw new ArgumentException($"report data must be {ITeeProvider.ReportDataLength} bytes, got {reportData.Length}", nameof(reportData));
        }
    }

    /// <summary>Throws when the evidence does not carry the report data that was asked for.</summary>
    public static void CheckEcho(string tee, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new TeeException($"{tee} evidence carries report data {Convert.ToHexStringLower(actual[..8])}..., not the {Convert.ToHexStringLower(expected[..8])}... that was asked for");
        }
    }
}
