using System.Net;
using System.Runtime.InteropServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Tless.Runtime.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> over the S3 API (AWS S3, MinIO, s3rver, ...), opened from
/// <c>s3://bucket[/prefix]?endpoint=...&amp;region=...&amp;path_style=true</c> (see <see cref="S3StoreOptions"/>).
/// Object key <c>k</c> is stored as <c>prefix/k</c>. The bucket is created on first use when it does not exist.
/// Each put is one PUT request (S3 makes it atomic: readers see the old or the new object); objects are limited to
/// S3's single-PUT size of 5 GiB. Built on AWSSDK.S3 (the MinIO .NET SDK silently lists nothing from servers whose
/// XML namespace differs from AWS's, as s3rver's does).
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client client;
    private readonly S3StoreOptions options;
    private readonly string keyPrefix;
    private readonly SemaphoreSlim bucketLock = new(1, 1);
    private volatile bool bucketReady;

    /// <summary>Opens a store (no network traffic until the first operation).</summary>
    public S3ObjectStore(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (S3StoreOptions.BucketProblem(options.Bucket) is { } problem)
        {
            throw new ArgumentException($"bucket '{options.Bucket}' {problem}", nameof(options));
        }

        if (options.Prefix.Length > 0)
        {
            ObjectKey.Validate(options.Prefix, nameof(options));
        }

        ArgumentException.ThrowIfNullOrEmpty(options.AccessKey, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.SecretKey, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        this.options = options;
        keyPrefix = options.Prefix.Length == 0 ? string.Empty : options.Prefix + "/";
        Url = options.DisplayUrl;

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.PathStyle,

            // Checksums in trailers need aws-chunked uploads, which S3-compatible servers often lack.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = options.MaxRetries,
            Timeout = TimeSpan.FromSeconds(100),
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.GetLeftPart(UriPartial.Authority);
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        AWSCredentials credentials = options.SessionToken is { } token
            ? new SessionAWSCredentials(options.AccessKey, options.SecretKey, token)
            : new BasicAWSCredentials(options.AccessKey, options.SecretKey);
        client = new AmazonS3Client(credentials, config);
    }

    /// <summary>Opens the store named by an <c>s3://</c> URL; throws <see cref="ObjectStoreException"/> for a bad URL.</summary>
    public static S3ObjectStore Open(string url, Func<string, string?>? environment = null) =>
        new(S3StoreOptions.Parse(url, environment));

    /// <inheritdoc/>
    /// <remarks>Never contains credentials.</remarks>
    public string Url { get; }

    /// <summary>The bucket.</summary>
    public string Bucket => options.Bucket;

    /// <summary>Keys asked for per listing request (S3 answers at most 1000); small values exercise paging in tests.</summary>
    internal int ListPageSize { get; init; } = 1000;

    /// <inheritdoc/>
    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var s3Key = S3Key(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var stream = MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
        await using (stream.ConfigureAwait(false))
        {
            var request = new PutObjectRequest
            {
                BucketName = options.Bucket,
                Key = s3Key,
                InputStream = stream,
                AutoCloseStream = false,
                UseChunkEncoding = false,
                ContentType = "application/octet-stream",
            };
            await Call("write", key, () => client.PutObjectAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        var s3Key = S3Key(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        using var response = await Call("read", key, () => client.GetObjectAsync(options.Bucket, s3Key, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var length = response.ContentLength;
        using var buffer = length is >= 0 and <= int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
        try
        {
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ObjectStoreException($"cannot read object '{key}' from {Url}: the download broke off ({e.Message})", e);
        }

        if (length >= 0 && buffer.Length != length)
        {
            throw new ObjectStoreException($"cannot read object '{key}' from {Url}: got {buffer.Length} bytes, expected {length}");
        }

        return buffer.ToArray();
    }

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        var s3Key = S3Key(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        return await ExistsCoreAsync(key, s3Key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();

        // ListObjects (v1) with markers: v2's continuation tokens are not implemented by every S3-compatible server
        // (s3rver's need a cipher that OpenSSL 3 no longer offers).
        var request = new ListObjectsRequest { BucketName = options.Bucket, Prefix = keyPrefix + prefix, MaxKeys = ListPageSize };
        while (true)
        {
            var page = await Call("list", prefix, () => client.ListObjectsAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            var objects = page.S3Objects ?? [];
            foreach (var item in objects)
            {
                // Objects written by others under the same prefix may not be valid keys: they are not ours to show.
                if (item.Key.StartsWith(keyPrefix, StringComparison.Ordinal) && ObjectKey.IsValid(item.Key[keyPrefix.Length..]))
                {
                    keys.Add(item.Key[keyPrefix.Length..]);
                }
            }

            if (page.IsTruncated != true)
            {
                break;
            }

            var marker = string.IsNullOrEmpty(page.NextMarker) ? objects.LastOrDefault()?.Key : page.NextMarker;
            if (string.IsNullOrEmpty(marker) || string.CompareOrdinal(marker, request.Marker) <= 0)
            {
                throw new ObjectStoreException($"cannot list '{prefix}' in {Url}: the server said the listing is truncated but the listing does not advance");
            }

            request.Marker = marker;
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <inheritdoc/>
    /// <remarks>S3 deletes are idempotent and do not say whether the object existed, so this checks first.</remarks>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var s3Key = S3Key(key);
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        if (!await ExistsCoreAsync(key, s3Key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await Call("delete", key, () => client.DeleteObjectAsync(options.Bucket, s3Key, cancellationToken), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        client.Dispose();
        bucketLock.Dispose();
    }

    /// <summary>Creates the bucket unless it exists; done once per store (a failure is retried on the next call).</summary>
    internal async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (bucketReady)
        {
            return;
        }

        await bucketLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (bucketReady)
            {
                return;
            }

            if (!await BucketExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                var request = new PutBucketRequest { BucketName = options.Bucket };
                if (options.Endpoint is null && options.Region != "us-east-1")
                {
                    request.BucketRegionName = options.Region;
                }

                try
                {
                    await client.PutBucketAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                    // Created concurrently by another process: fine. (A bucket owned by someone else fails on first use.)
                }
                catch (Exception e) when (IsStoreFailure(e, cancellationToken))
                {
                    throw Wrap(e, $"cannot create bucket '{options.Bucket}' at {Url}");
                }
            }

            bucketReady = true;
        }
        finally
        {
            bucketLock.Release();
        }
    }

    private async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.ListObjectsAsync(new ListObjectsRequest { BucketName = options.Bucket, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchBucket" or "NotFound")
        {
            return false;
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            throw Wrap(e, $"cannot open bucket '{options.Bucket}' at {Url}");
        }
    }

    private async Task<bool> ExistsCoreAsync(string key, string s3Key, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetObjectMetadataAsync(options.Bucket, s3Key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            throw Wrap(e, $"cannot check object '{key}' in {Url}");
        }
    }

    private async Task<T> Call<T>(string operation, string key, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (operation == "read" && e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound")
        {
            throw new ObjectNotFoundException(key, Url);
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            var what = operation == "list" ? $"cannot list '{key}' in {Url}" : $"cannot {operation} object '{key}' in {Url}";
            throw Wrap(e, what);
        }
    }

    private static bool IsStoreFailure(Exception e, CancellationToken cancellationToken) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested); // an HTTP timeout

    private static ObjectStoreException Wrap(Exception e, string what) => e switch
    {
        AmazonS3Exception s3 when s3.ErrorCode == "NoSuchBucket" =>
            new ObjectStoreException($"{what}: the bucket does not exist (it was deleted after the store opened it)", e),
        AmazonServiceException service =>
            new ObjectStoreException($"{what}: the server answered {(int)service.StatusCode} {service.ErrorCode ?? service.StatusCode.ToString()}: {service.Message}", e),
        OperationCanceledException => new ObjectStoreException($"{what}: the request timed out", e),
        _ => new ObjectStoreException($"{what}: {Innermost(e).Message}", e),
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private string S3Key(string key)
    {
        ObjectKey.Validate(key);
        return keyPrefix + key;
    }
}
