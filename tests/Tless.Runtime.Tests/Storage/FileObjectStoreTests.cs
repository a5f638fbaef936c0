using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Runtime.Storage;

namespace Tless.Runtime.Tests.Storage;

public sealed class FileObjectStoreTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("tless-store-test-");

    public void Dispose() => root.Delete(recursive: true);

    private FileObjectStore NewStore() => new(root.FullName);

    [Fact]
    public async Task PutGet_RoundTrip_ReturnsSameBytes()
    {
        var store = NewStore();
        await store.PutAsync("a/b/c.bin", new byte[] { 1, 2, 3 }, TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.GetAsync("a/b/c.bin", TestContext.Current.CancellationToken));
        Assert.True(await store.ExistsAsync("a/b/c.bin", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Put_Overwrite_ReplacesAndLeavesNoTemporaryFiles()
    {
        var store = NewStore();
        await store.PutAsync("k", new byte[] { 1 }, TestContext.Current.CancellationToken);
        await store.PutAsync("k", new byte[] { 2, 2 }, TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 2, 2 }, await store.GetAsync("k", TestContext.Current.CancellationToken));
        Assert.Single(Directory.GetFiles(root.FullName, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Get_Missing_ThrowsNotFoundNamingKey()
    {
        var store = NewStore();
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetAsync("no/such", TestContext.Current.CancellationToken));
        Assert.Equal("no/such", e.Key);
        Assert.Contains("no/such", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Prefix_ReturnsSortedMatchesOnly()
    {
        var store = NewStore();
        foreach (var key in new[] { "runs/w/r2/x", "runs/w/r1/b", "runs/w/r1/a", "wf/w/code" })
        {
            await store.PutAsync(key, new byte[] { 0 }, TestContext.Current.CancellationToken);
        }

        // A stray temporary file (a crashed writer) is never listed.
        File.WriteAllBytes(Path.Combine(root.FullName, "runs", "w", "r1", "~tmp-123"), [9]);
        Assert.Equal(["runs/w/r1/a", "runs/w/r1/b"], await store.ListAsync("runs/w/r1/", TestContext.Current.CancellationToken));
        Assert.Equal(["runs/w/r1/a", "runs/w/r1/b", "runs/w/r2/x"], await store.ListAsync("runs/w/r", TestContext.Current.CancellationToken));
        Assert.Equal(4, (await store.ListAsync("", TestContext.Current.CancellationToken)).Count);
        Assert.Empty(await store.ListAsync("nothing/", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_ExistingAndMissing_ReportsWhetherDeleted()
    {
        var store = NewStore();
        await store.PutAsync("x", new byte[] { 0 }, TestContext.Current.CancellationToken);
        Assert.True(await store.DeleteAsync("x", TestContext.Current.CancellationToken));
        Assert.False(await store.DeleteAsync("x", TestContext.Current.CancellationToken));
        Assert.False(await store.ExistsAsync("x", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("../etc/passwd", "'..'")]
    [InlineData("a//b", "empty segment")]
    [InlineData("/abs", "empty segment")]
    [InlineData("a/./b", "'.'")]
    [InlineData("a\\b", "'\\'")]
    [InlineData("a b", "' '")]
    [InlineData("tmp~x", "'~'")]
    public async Task Put_BadKey_ThrowsArgumentExceptionSayingWhy(string key, string expected)
    {
        var store = NewStore();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new byte[] { 0 }, TestContext.Current.CancellationToken));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(root.FullName));
    }

    [Fact]
    public async Task Put_KeyBelowExistingObject_ThrowsStoreErrorNamingKey()
    {
        var store = NewStore();
        await store.PutAsync("a/b", new byte[] { 1 }, TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync("a/b/c", new byte[] { 2 }, TestContext.Current.CancellationToken));
        Assert.Contains("'a/b/c'", e.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 1 }, await store.GetAsync("a/b", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task List_BadPrefix_Throws()
    {
        var store = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync("../", TestContext.Current.CancellationToken));
    }

    [Property(MaxTest = 50)]
    public Property PutGet_RandomKeysAndData_RoundTrip()
    {
        var segment = Gen.Elements("a", "b", "node-1", "x.y", "r_2", "=v").ArrayOf().Where(a => a.Length is > 0 and < 5);
        var gen = from segs in segment
                  from data in ArbMap.Default.GeneratorFor<byte[]>()
                  select (Key: string.Join('/', segs), Data: data);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            // A fresh store per case: in a directory store "a" and "a/b" cannot both be objects.
            var store = new FileObjectStore(Path.Combine(root.FullName, Guid.NewGuid().ToString("N")));
            store.PutAsync(c.Key, c.Data, CancellationToken.None).GetAwaiter().GetResult();
            var back = store.GetAsync(c.Key, CancellationToken.None).GetAwaiter().GetResult();
            return back.AsSpan().SequenceEqual(c.Data);
        });
    }

    [Fact]
    public void Factory_FileUrlAndBarePath_OpenFileStores()
    {
        var byUrl = ObjectStoreFactory.Open(new Uri(root.FullName).AbsoluteUri);
        var byPath = ObjectStoreFactory.Open(root.FullName);
        Assert.Equal(root.FullName, ((FileObjectStore)byUrl).Root);
        Assert.Equal(root.FullName, ((FileObjectStore)byPath).Root);
        Assert.StartsWith("file://", byUrl.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://host/x", "scheme 'ftp' is not supported")]
    [InlineData("file://remotehost/x", "local path")]
    [InlineData("http://[bad", "not a valid URL")]
    public void Factory_Unsupported_ThrowsClearError(string url, string expected)
    {
        var e = Assert.Throws<ObjectStoreException>(() => ObjectStoreFactory.Open(url));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
