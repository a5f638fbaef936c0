namespace Tless.Runtime.Storage;

/// <summary>Opens an <see cref="IObjectStore"/> from a URL.</summary>
public static class ObjectStoreFactory
{
    /// <summary>The URL schemes this build understands.</summary>
    public static IReadOnlyList<string> SupportedSchemes { get; } = ["file", "s3"];

    /// <summary>
    /// Opens the store named by <paramref name="url"/>: <c>file:///abs/dir</c>, or a plain directory path (relative
    /// paths are taken from the current directory). Throws <see cref="ObjectStoreException"/> for a scheme that is
    /// not supported.
    /// </summary>
    public static IObjectStore Open(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);

        // A bare path ("store", "/tmp/x", "C:\x") is a local directory.
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            return new FileObjectStore(url);
        }

        // s3:// before Uri parsing, whose error would echo a secret_key.
        if (url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return S3ObjectStore.Open(url);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ObjectStoreException($"store URL '{url}' is not a valid URL");
        }

        return uri.Scheme switch
        {
            "file" when !string.IsNullOrEmpty(uri.Host) && uri.Host != "localhost" =>
                throw new ObjectStoreException($"store URL '{url}': file URLs must name a local path (file:///dir), not host '{uri.Host}'"),
            "file" => new FileObjectStore(Uri.UnescapeDataString(uri.AbsolutePath)),
            _ => throw new ObjectStoreException(
                $"store URL '{url}': scheme '{uri.Scheme}' is not supported (supported: {string.Join(", ", SupportedSchemes.Select(s => s + "://"))})"),
        };
    }
}
