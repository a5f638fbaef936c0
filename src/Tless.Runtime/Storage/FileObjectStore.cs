namespace Tless.Runtime.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> over a local directory (<c>file:///path</c>). Each key is a relative path under the
/// root. A put writes a temporary file in the target directory, flushes it to disk (fsync), then renames it over the
/// target, so a crash leaves either the old or the new object. Temporary files carry a <c>~</c> in their name, which
/// no key may contain, so listings never show them.
/// </summary>
public sealed class FileObjectStore : IObjectStore
{
    private const string TempMarker = "~tmp-";

    /// <summary>Opens (and creates when missing) a store rooted at <paramref name="rootDirectory"/>.</summary>
    public FileObjectStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        Root = Path.GetFullPath(rootDirectory);
        try
        {
            Directory.CreateDirectory(Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"cannot create the store directory {Root}: {e.Message}", e);
        }

        Url = new Uri(Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar).AbsoluteUri;
    }

    /// <summary>The absolute root directory.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Url { get; }

    /// <inheritdoc/>
    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, TempMarker + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(directory);
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ObjectStoreException($"cannot write object '{key}' to {Url}: {e.Message}", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, Url);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"cannot read object '{key}' from {Url}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(PathOf(key)));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();

        // Walk only the deepest directory the prefix names completely.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? Root : Path.Combine(Root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        var keys = new List<string>();
        if (Directory.Exists(start))
        {
            try
            {
                foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
                {
                    var key = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
                    if (key.StartsWith(prefix, StringComparison.Ordinal) && ObjectKey.IsValid(key))
                    {
                        keys.Add(key);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ObjectStoreException($"cannot list '{prefix}' in {Url}: {e.Message}", e);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (!File.Exists(path))
            {
                return Task.FromResult(false);
            }

            File.Delete(path);
            return Task.FromResult(true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectStoreException($"cannot delete object '{key}' from {Url}: {e.Message}", e);
        }
    }

    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary file is invisible to readers.
        }
    }
}
