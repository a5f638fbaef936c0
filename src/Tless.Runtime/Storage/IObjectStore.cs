namespace Tless.Runtime.Storage;

/// <summary>
/// An untrusted store of named objects (ciphertext in modes tee and tless). Keys are <c>/</c>-separated paths of
/// segments made of letters, digits, <c>.</c>, <c>_</c>, <c>-</c> and <c>=</c> (see <see cref="ObjectKey"/>).
/// Writes are atomic: a reader sees the old object or the new one, never a torn one.
/// </summary>
public interface IObjectStore
{
    /// <summary>The URL this store was opened with (for messages and the run record).</summary>
    string Url { get; }

    /// <summary>Creates or replaces the object <paramref name="key"/>.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Reads the object <paramref name="key"/>; throws <see cref="ObjectNotFoundException"/> when it does not exist.</summary>
    Task<byte[]> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>True when the object exists.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>The keys that start with <paramref name="prefix"/> (empty for all), in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>The store could not do what was asked (I/O failure, unsupported URL, bad configuration).</summary>
public class ObjectStoreException : TlessException
{
    public ObjectStoreException(string message)
        : base(message)
    {
    }

    public ObjectStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The object does not exist.</summary>
public sealed class ObjectNotFoundException : ObjectStoreException
{
    public ObjectNotFoundException(string key, string storeUrl)
        : base($"object '{key}' not found in store {storeUrl}")
    {
        Key = key;
    }

    /// <summary>The key that was asked for.</summary>
    public string Key { get; }
}
