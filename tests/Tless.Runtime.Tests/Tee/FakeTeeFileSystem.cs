using System.Text;
using Tless.Runtime.Tee;

namespace Tless.Runtime.Tests.Tee;

/// <summary>
/// An in-memory <see cref="ITeeFileSystem"/> that logs every operation (<c>mkdir</c>, <c>rmdir</c>, <c>read</c>,
/// <c>write</c>) so tests can check the exact sequence, with hooks to play a kernel interface.
/// </summary>
internal sealed class FakeTeeFileSystem : ITeeFileSystem
{
    public List<string> Log { get; } = [];

    public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Computes a file's content on read (null: the stored bytes).</summary>
    public Func<string, byte[]?>? OnRead { get; set; }

    public Action<string, byte[]>? OnWrite { get; set; }

    public Action<string>? OnCreateDirectory { get; set; }

    /// <summary>Thrown by the next mkdir, when set.</summary>
    public Exception? FailCreateDirectory { get; set; }

    public bool DirectoryExists(string path) => Directories.Contains(path);

    public bool FileExists(string path) => Files.ContainsKey(path);

    public void CreateDirectory(string path)
    {
        Log.Add("mkdir " + path);
        if (FailCreateDirectory is { } e)
        {
            throw e;
        }

        if (!Directories.Add(path))
        {
            throw new IOException($"{path} exists");
        }

        OnCreateDirectory?.Invoke(path);
    }

    public void DeleteDirectory(string path)
    {
        Log.Add("rmdir " + path);
        if (!Directories.Remove(path))
        {
            throw new DirectoryNotFoundException(path);
        }

        foreach (var file in Files.Keys.Where(f => f.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
        {
            Files.Remove(file);
        }
    }

    public byte[] ReadFile(string path)
    {
        Log.Add("read " + path);
        if (!Files.TryGetValue(path, out var stored))
        {
            throw new FileNotFoundException(path);
        }

        return OnRead?.Invoke(path) ?? stored;
    }

    public void WriteFile(string path, ReadOnlySpan<byte> data)
    {
        Log.Add($"write {path} {data.Length}");
        if (!Files.ContainsKey(path))
        {
            throw new FileNotFoundException(path);
        }

        Files[path] = data.ToArray();
        OnWrite?.Invoke(path, Files[path]);
    }

    /// <summary>The log with the (random) report entry name replaced by <c>E</c>.</summary>
    public IReadOnlyList<string> NormalizedLog(string root)
    {
        var entry = Log.Select(l => l.Split(' ')[1]).FirstOrDefault(p => p.StartsWith(root + "/tless-", StringComparison.Ordinal));
        return entry is null
            ? Log
            : Log.Select(l => l.Replace(entry, "E", StringComparison.Ordinal)).ToList();
    }

    /// <summary>
    /// A configfs-tsm report directory at <paramref name="root"/>: mkdir makes an entry with provider, generation
    /// (bumped by every write to inblob or privlevel), inblob, privlevel, outblob (computed from inblob by
    /// <paramref name="outBlob"/>) and, when <paramref name="auxBlob"/> is given, auxblob.
    /// </summary>
    public static FakeTeeFileSystem ConfigFs(string root, string provider, Func<byte[], byte[]> outBlob, byte[]? auxBlob = null)
    {
        var fs = new FakeTeeFileSystem();
        fs.Directories.Add(root);
        fs.OnCreateDirectory = entry =>
        {
            fs.Files[entry + "/provider"] = Encoding.ASCII.GetBytes(provider + "\n");
            fs.Files[entry + "/generation"] = "0\n"u8.ToArray();
            fs.Files[entry + "/inblob"] = [];
            fs.Files[entry + "/privlevel"] = "0\n"u8.ToArray();
            fs.Files[entry + "/outblob"] = [];
            if (auxBlob is not null)
            {
                fs.Files[entry + "/auxblob"] = auxBlob;
            }
        };
        fs.OnWrite = (path, _) =>
        {
            if (path.EndsWith("/inblob", StringComparison.Ordinal) || path.EndsWith("/privlevel", StringComparison.Ordinal))
            {
                fs.BumpGeneration(path[..path.LastIndexOf('/')]);
            }
        };
        fs.OnRead = path => path.EndsWith("/outblob", StringComparison.Ordinal)
            ? outBlob(fs.Files[path[..^"outblob".Length] + "inblob"])
            : null;
        return fs;
    }

    /// <summary>What another writer does to an entry: one more generation.</summary>
    public void BumpGeneration(string entry)
    {
        var generation = ulong.Parse(Encoding.ASCII.GetString(Files[entry + "/generation"]).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Files[entry + "/generation"] = Encoding.ASCII.GetBytes((generation + 1) + "\n");
    }

    /// <summary>A copy of <paramref name="blob"/> with <paramref name="reportData"/> written at <paramref name="offset"/>.</summary>
    public static byte[] WithReportData(byte[] blob, int offset, byte[] reportData)
    {
        var copy = (byte[])blob.Clone();
        reportData.CopyTo(copy, offset);
        return copy;
    }
}
