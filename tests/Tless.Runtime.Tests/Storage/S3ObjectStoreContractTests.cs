using Tless.Runtime.Storage;

namespace Tless.Runtime.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IObjectStore"/> must have; run over the directory store and over the S3 store against
/// a real S3 API server (s3rver).
/// </summary>
public abstract class ObjectStoreContractTests
{
    /// <summary>A fresh, empty store.</summary>
    protected abstract IObjectStore NewStore();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutGet_RoundTrip_ReturnsSameBytes()
    {
        var store = NewStore();
        await store.PutAsync("a/b/c.bin", new byte[] { 1, 2, 3 }, Ct);
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.GetAsync("a/b/c.bin", Ct));
    }

    [Fact]
    public async Task Put_Overwrite_GetReturnsNewBytes()
    {
        var store = NewStore();
        await store.PutAsync("k", new byte[] { 1, 1, 1, 1 }, Ct);
        await store.PutAsync("k", new byte[] { 2 }, Ct);
        Assert.Equal(new byte[] { 2 }, await store.GetAsync("k", Ct));
        Assert.Equal(["k"], await store.ListAsync("", Ct));
    }

    [Fact]
    public async Task Put_EmptyObject_RoundTrips()
    {
        var store = NewStore();
        await store.PutAsync("empty", ReadOnlyMemory<byte>.Empty, Ct);
        Assert.Empty(await store.GetAsync("empty", Ct));
        Assert.True(await store.ExistsAsync("empty", Ct));
    }

    [Fact]
    public async Task Put_SliceOfLargerArray_StoresOnlyTheSlice()
    {
        var store = NewStore();
        var buffer = new byte[] { 9, 9, 1, 2, 3, 9 };
        await store.PutAsync("slice", buffer.AsMemory(2, 3), Ct);
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.GetAsync("slice", Ct));
    }

    [Fact]
    public async Task Put_LargeObject_RoundTrips()
    {
        var store = NewStore();
        var data = new byte[6 * 1024 * 1024 + 123];
        new Random(7).NextBytes(data);
        await store.PutAsync("big/object.bin", data, Ct);
        var back = await store.GetAsync("big/object.bin", Ct);
        Assert.Equal(data.Length, back.Length);
        Assert.True(back.AsSpan().SequenceEqual(data));
    }

    [Fact]
    public async Task Get_Missing_ThrowsNotFoundNamingKey()
    {
        var store = NewStore();
        await store.PutAsync("present", new byte[] { 1 }, Ct);
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync("runs/w/missing.bin", Ct));
        Assert.Equal("runs/w/missing.bin", e.Key);
        Assert.Contains("'runs/w/missing.bin'", e.Message, StringComparison.Ordinal);
        Assert.Contains(store.Url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exists_BeforePutAfterPutAfterDelete_Tracks()
    {
        var store = NewStore();
        Assert.False(await store.ExistsAsync("x/y", Ct));
        await store.PutAsync("x/y", new byte[] { 5 }, Ct);
        Assert.True(await store.ExistsAsync("x/y", Ct));
        Assert.False(await store.ExistsAsync("x", Ct));
        await store.DeleteAsync("x/y", Ct);
        Assert.False(await store.ExistsAsync("x/y", Ct));
    }

    [Fact]
    public async Task List_KeysWithSlashes_ReturnsSortedPrefixMatchesOnly()
    {
        var store = NewStore();
        foreach (var key in new[] { "runs/w/r2/x", "runs/w/r1/b", "runs/w/r1/a", "runs/w/r10/z", "wf/w/code", "runs/v/q" })
        {
            await store.PutAsync(key, new byte[] { 0 }, Ct);
        }

        Assert.Equal(["runs/w/r1/a", "runs/w/r1/b"], await store.ListAsync("runs/w/r1/", Ct));
        Assert.Equal(["runs/w/r1/a", "runs/w/r1/b", "runs/w/r10/z"], await store.ListAsync("runs/w/r1", Ct));
        Assert.Equal(["runs/v/q", "runs/w/r1/a", "runs/w/r1/b", "runs/w/r10/z", "runs/w/r2/x"], await store.ListAsync("runs/", Ct));
        Assert.Equal(["runs/v/q", "runs/w/r1/a", "runs/w/r1/b", "runs/w/r10/z", "runs/w/r2/x", "wf/w/code"], await store.ListAsync("", Ct));
        Assert.Empty(await store.ListAsync("nothing/", Ct));
    }

    [Fact]
    public async Task List_EmptyStore_ReturnsEmpty()
    {
        var store = NewStore();
        Assert.Empty(await store.ListAsync("", Ct));
    }

    [Fact]
    public async Task Delete_ExistingAndMissing_ReportsWhetherDeleted()
    {
        var store = NewStore();
        await store.PutAsync("d/1", new byte[] { 1 }, Ct);
        await store.PutAsync("d/2", new byte[] { 2 }, Ct);
        Assert.True(await store.DeleteAsync("d/1", Ct));
        Assert.False(await store.DeleteAsync("d/1", Ct));
        Assert.False(await store.DeleteAsync("never", Ct));
        Assert.Equal(["d/2"], await store.ListAsync("d/", Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync("d/1", Ct));
    }

    [Fact]
    public async Task Put_ManyConcurrently_AllReadBack()
    {
        var store = NewStore();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => store.PutAsync($"par/{i:D2}", new[] { (byte)i }, Ct)));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"par/{i:D2}"), await store.ListAsync("par/", Ct));
        var back = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => store.GetAsync($"par/{i:D2}", Ct)));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i), back.Select(b => Assert.Single(b)));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/../b", "'..'")]
    [InlineData("/abs", "empty segment")]
    [InlineData("sp ace", "character ' '")]
    [InlineData("a\\b", "character '\\'")]
    public async Task Put_BadKey_ThrowsArgumentExceptionSayingWhy(string key, string expected)
    {
        var store = NewStore();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new byte[] { 1 }, Ct));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key, Ct));
    }

    [Fact]
    public async Task List_BadPrefix_ThrowsArgumentException()
    {
        var store = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync("../", Ct));
    }
}

/// <summary>The contract over <see cref="FileObjectStore"/>.</summary>
public sealed class FileObjectStoreContractTests : ObjectStoreContractTests, IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("tless-store-contract-");

    public void Dispose() => root.Delete(recursive: true);

    protected override IObjectStore NewStore() => new FileObjectStore(Path.Combine(root.FullName, Guid.NewGuid().ToString("N")));
}

/// <summary>The contract over <see cref="S3ObjectStore"/>, against s3rver (a fresh bucket per test).</summary>
public sealed class S3ObjectStoreContractTests(S3rverFixture server) : ObjectStoreContractTests, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly List<S3ObjectStore> stores = [];

    public void Dispose()
    {
        foreach (var store in stores)
        {
            store.Dispose();
        }
    }

    protected override IObjectStore NewStore()
    {
        server.Require();
        var store = S3ObjectStore.Open(server.NewStoreUrl());
        stores.Add(store);
        return store;
    }
}
