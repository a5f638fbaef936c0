using System.Net;
using System.Net.Sockets;
using System.Text;
using Tless.Runtime.Hosting;
using Tless.Runtime.Inproc;
using Tless.Runtime.Owner;
using Tless.Runtime.Packaging;
using Tless.Runtime.Storage;

namespace Tless.Runtime.Tests.Storage;

/// <summary>S3-specific behaviour, against a real S3 API server (s3rver).</summary>
public sealed class S3ObjectStoreTests(S3rverFixture server) : IClassFixture<S3rverFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prefix_SameBucket_StoresAreIsolatedAndKeysAreUnderPrefix()
    {
        server.Require();
        var url = server.NewStoreUrl();
        var bucketUrl = url[..url.IndexOf('?', StringComparison.Ordinal)];
        var query = url[url.IndexOf('?', StringComparison.Ordinal)..];
        using var root = S3ObjectStore.Open(url);
        using var a = S3ObjectStore.Open(bucketUrl + "/tenant-a/v1" + query);
        using var b = S3ObjectStore.Open(bucketUrl + "/tenant-b" + query);

        await a.PutAsync("k/1", new byte[] { 1 }, Ct);
        await b.PutAsync("k/1", new byte[] { 2 }, Ct);

        Assert.Equal(new byte[] { 1 }, await a.GetAsync("k/1", Ct));
        Assert.Equal(new byte[] { 2 }, await b.GetAsync("k/1", Ct));
        Assert.Equal(["k/1"], await a.ListAsync("", Ct));
        Assert.Equal(["tenant-a/v1/k/1", "tenant-b/k/1"], await root.ListAsync("", Ct));
        Assert.True(await a.DeleteAsync("k/1", Ct));
        Assert.Equal(new byte[] { 2 }, await b.GetAsync("k/1", Ct));
    }

    [Fact]
    public async Task InprocRun_OverS3Store_WritesResultAndRunRecord()
    {
        server.Require();
        using var h = new RuntimeHarness();
        using var store = S3ObjectStore.Open(server.NewStoreUrl("tless"));
        var packages = new Dictionary<string, FunctionPackage> { [TestPackages.Name] = TestPackages.Functions };
        var manifest = await WorkflowUploader.UploadAsync(h.Spec, packages, OwnerSealer.Plain, store, Ct);
        await using var host = FunctionHost.CreatePlain(new FunctionHostOptions { Store = store });

        var report = (await new InprocRuntime(host, store).RunAsync(h.Request(manifest, "s3run"), Ct)).EnsureSucceeded();

        var joined = Encoding.UTF8.GetString(await store.GetAsync(Assert.Single(report.Results), Ct));
        Assert.StartsWith("inputs=3\n", joined, StringComparison.Ordinal);
        Assert.Contains("ALPHA BRAVO", joined, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, (await InprocRuntime.ReadReportAsync(store, "chain", "s3run", Ct)).Status);
    }

    [Fact]
    public async Task Open_BucketMissing_CreatesItOnFirstUse()
    {
        server.Require();
        var url = server.NewStoreUrl();
        using (var first = S3ObjectStore.Open(url))
        {
            Assert.Empty(await first.ListAsync("", Ct));
            await first.PutAsync("x", new byte[] { 7 }, Ct);
        }

        // A second store over the existing bucket finds the data and does not recreate the bucket.
        using var second = S3ObjectStore.Open(url);
        Assert.Equal(new byte[] { 7 }, await second.GetAsync("x", Ct));
    }

    [Fact]
    public async Task Open_TwoStoresCreateSameBucketConcurrently_BothWork()
    {
        server.Require();
        var url = server.NewStoreUrl();
        using var one = S3ObjectStore.Open(url);
        using var two = S3ObjectStore.Open(url);
        await Task.WhenAll(one.PutAsync("one", new byte[] { 1 }, Ct), two.PutAsync("two", new byte[] { 2 }, Ct));
        Assert.Equal(["one", "two"], await one.ListAsync("", Ct));
    }

    [Fact]
    public async Task List_MoreKeysThanOnePage_FollowsContinuation()
    {
        server.Require();
        using var store = new S3ObjectStore(S3StoreOptions.Parse(server.NewStoreUrl())) { ListPageSize = 2 };
        var keys = Enumerable.Range(0, 7).Select(i => $"page/{i}").ToArray();
        foreach (var key in keys)
        {
            await store.PutAsync(key, new byte[] { 1 }, Ct);
        }

        Assert.Equal(keys, await store.ListAsync("page/", Ct));
    }

    [Fact]
    public async Task List_ForeignObjectsWithInvalidKeys_AreNotListed()
    {
        server.Require();
        var url = server.NewStoreUrl();
        using var store = S3ObjectStore.Open(url);
        await store.PutAsync("ok", new byte[] { 1 }, Ct);

        // Another S3 client wrote a name that is not a TLess key (space): listing skips it instead of failing.
        using var raw = RawClient(S3StoreOptions.Parse(url));
        await raw.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = store.Bucket, Key = "has space", ContentBody = "x", UseChunkEncoding = false }, Ct);
        Assert.Equal(["ok"], await store.ListAsync("", Ct));
    }

    [Fact]
    public async Task Get_WrongCredentials_ThrowsStoreErrorWithServerAnswer()
    {
        server.Require();
        var url = server.NewStoreUrl().Replace($"access_key={S3rverFixture.AccessKey}", "access_key=WRONG", StringComparison.Ordinal);
        using var store = S3ObjectStore.Open(url);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("x", Ct));
        Assert.IsNotType<ObjectNotFoundException>(e);
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidAccessKeyId", e.Message, StringComparison.Ordinal);
        Assert.Contains(store.Bucket, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret_key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnreachableEndpoint_ThrowsStoreErrorNamingStore()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var options = S3StoreOptions.Parse($"s3://tless-nowhere?endpoint=http://127.0.0.1:{port}&access_key=a&secret_key=b") with { MaxRetries = 0 };
        using var store = new S3ObjectStore(options);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.GetAsync("k", Ct));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("tless-nowhere", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Cancelled_ThrowsOperationCanceled()
    {
        server.Require();
        using var store = S3ObjectStore.Open(server.NewStoreUrl());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("k", cts.Token));
    }

    [Fact]
    public async Task Get_BucketDeletedBehindStore_ThrowsStoreErrorSayingSo()
    {
        server.Require();
        var url = server.NewStoreUrl();
        using var store = S3ObjectStore.Open(url);
        await store.PutAsync("k", new byte[] { 1 }, Ct);
        using var raw = RawClient(S3StoreOptions.Parse(url));
        await raw.DeleteObjectAsync(store.Bucket, "k", Ct);
        await raw.DeleteBucketAsync(store.Bucket, Ct);

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.ListAsync("", Ct));
        Assert.Contains("bucket does not exist", e.Message, StringComparison.Ordinal);
    }

    private static Amazon.S3.AmazonS3Client RawClient(S3StoreOptions o) => new(
        new Amazon.Runtime.BasicAWSCredentials(o.AccessKey, o.SecretKey),
        new Amazon.S3.AmazonS3Config
        {
            ServiceURL = o.Endpoint!.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = o.Region,
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
        });
}
