using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

public sealed class WebHdfsFixture : IAsyncLifetime
{
    private readonly TestDirectory _root = new();

    public WebHdfsTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await WebHdfsTestServer.StartAsync(_root.Path);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _root.Dispose();
    }

    /// <summary>A fresh directory of the served HDFS, the root of one test's mount.</summary>
    public TestDirectory NewDirectory() => new(_root.Path);
}

public sealed class WebHdfsUfsTests(WebHdfsFixture hdfs) : IClassFixture<WebHdfsFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private WebHdfsTestServer Server => hdfs.Server;

    private IUnderFileSystem Open(TestDirectory dir, string user = "alice") =>
        new WebHdfsUfsProvider().Open(TestData.Mount(
            $"hdfs://namenode.example:8020/{dir.Name}",
            new() { ["webhdfs.address"] = Server.HostAndPort, ["hdfs.user"] = user }));

    [Fact]
    public async Task Stat_list_and_read_go_through_the_namenode_and_the_datanode_redirect()
    {
        using var dir = hdfs.NewDirectory();
        var content = TestData.Pattern(70000);
        var file = dir.Write("part-00000", content);
        File.SetLastWriteTimeUtc(file, new DateTime(2026, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc));
        dir.Write("logs/app.log", "log");
        await using var ufs = Open(dir);

        var entry = await ufs.StatAsync("part-00000", None);
        Assert.NotNull(entry);
        Assert.Equal(("part-00000", false, 70000L), (entry.Path, entry.IsDirectory, entry.Size));
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero), entry.ModifiedTime);
        Assert.Matches("^1772600767890-70000-[0-9]+$", entry.Version);
        Assert.True((await ufs.StatAsync("", None))!.IsDirectory);
        Assert.True((await ufs.StatAsync("logs", None))!.IsDirectory);
        Assert.Null(await ufs.StatAsync("nope", None));

        var listed = await ufs.ListAll("");
        Assert.Equal([("logs", true), ("part-00000", false)], listed.Select(e => (e.Path, e.IsDirectory)));
        Assert.Equal(entry.Version, listed[1].Version);
        Assert.Equal(["logs/app.log"], (await ufs.ListAll("logs")).Select(e => e.Path));

        Server.Requests.Clear();
        Assert.Equal(content.Slice(12345, 54321), await ufs.Read("part-00000", 12345, 54321));
        Assert.Equal(content.Slice(69990, 100), await ufs.Read("part-00000", 69990, 100, entry.Version));
        Assert.Empty(await ufs.Read("part-00000", 70000, 100));
        Assert.Empty(await ufs.Read("part-00000", 80000, 100, entry.Version));

        var requests = Server.Requests.ToArray();
        Assert.Contains(requests, r => r.StartsWith($"GET /webhdfs/v1/{dir.Name}/part-00000?op=OPEN&user.name=alice&offset=12345&length=54321", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.StartsWith($"GET /datanode/webhdfs/v1/{dir.Name}/part-00000?op=OPEN", StringComparison.Ordinal) && r.Contains("offset=12345", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_listing_pages_through_LISTSTATUS_BATCH()
    {
        using var dir = hdfs.NewDirectory();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            dir.Write(name, name);
        }

        await using var ufs = Open(dir);
        Server.BatchSize = 2;
        try
        {
            Server.Requests.Clear();
            Assert.Equal(["a", "b", "c", "d", "e"], (await ufs.ListAll("")).Select(e => e.Path));
            Assert.Equal(3, Server.Requests.Count(r => r.Contains("op=LISTSTATUS_BATCH", StringComparison.Ordinal)));
            Assert.Contains(Server.Requests, r => r.Contains("startAfter=d", StringComparison.Ordinal));
        }
        finally
        {
            Server.BatchSize = 1000;
        }
    }

    [Fact]
    public async Task A_namenode_without_LISTSTATUS_BATCH_is_listed_with_LISTSTATUS()
    {
        using var dir = hdfs.NewDirectory();
        dir.Write("x", "x");
        dir.Write("y/z", "z");
        await using var ufs = Open(dir);
        Server.ListBatchSupported = false;
        try
        {
            Server.Requests.Clear();
            Assert.Equal([("x", false), ("y", true)], (await ufs.ListAll("")).Select(e => (e.Path, e.IsDirectory)));
            Assert.Contains(Server.Requests, r => r.Contains("op=LISTSTATUS&", StringComparison.Ordinal));
        }
        finally
        {
            Server.ListBatchSupported = true;
        }
    }

    [Fact]
    public async Task Writes_send_the_data_to_the_datanode_and_replace_the_file_with_a_new_version()
    {
        using var dir = hdfs.NewDirectory();
        await using var ufs = Open(dir);
        Assert.True(ufs.CanWrite);

        await ufs.WriteFileAsync("out/run-1/result.bin", new MemoryStream(TestData.Pattern(100000)), None);
        Assert.Equal(TestData.Pattern(100000), await File.ReadAllBytesAsync(Path.Join(dir.Path, "out/run-1/result.bin")));
        var first = (await ufs.StatAsync("out/run-1/result.bin", None))!;
        Assert.Contains(Server.Requests, r => r.StartsWith($"PUT /datanode/webhdfs/v1/{dir.Name}/out/run-1/result.bin?op=CREATE", StringComparison.Ordinal));

        var stream = new MemoryStream("second"u8.ToArray());
        await ufs.WriteFileAsync("out/run-1/result.bin", stream, None);
        Assert.True(stream.CanRead, "the caller's stream is the caller's to dispose");
        var second = (await ufs.StatAsync("out/run-1/result.bin", None))!;
        Assert.Equal(6, second.Size);
        Assert.NotEqual(first.Version, second.Version);

        var stale = await Assert.ThrowsAsync<UfsVersionChangedException>(() => ufs.Read("out/run-1/result.bin", 0, 6, first.Version));
        Assert.Equal(second.Version, stale.ActualVersion);
        Assert.Equal("second"u8.ToArray(), await ufs.Read("out/run-1/result.bin", 0, 6, second.Version));
    }

    [Fact]
    public async Task Rename_delete_and_mkdirs_change_the_namespace()
    {
        using var dir = hdfs.NewDirectory();
        dir.Write("a.txt", "A");
        dir.Write("b.txt", "B");
        await using var ufs = Open(dir);

        await ufs.CreateDirectoryAsync("x/y/z", None);
        Assert.True(Directory.Exists(Path.Join(dir.Path, "x/y/z")));

        await ufs.RenameAsync("a.txt", "b.txt", None);
        Assert.Equal("A", await File.ReadAllTextAsync(Path.Join(dir.Path, "b.txt")));
        Assert.False(File.Exists(Path.Join(dir.Path, "a.txt")));
        await ufs.RenameAsync("b.txt", "archive/2026/b.txt", None);
        Assert.True(File.Exists(Path.Join(dir.Path, "archive/2026/b.txt")));

        await ufs.DeleteAsync("x/y/z", None);
        Assert.False(Directory.Exists(Path.Join(dir.Path, "x/y/z")));
        await ufs.DeleteAsync("never-existed", None);
        await ufs.DeleteAsync("archive/2026/b.txt", None);
        Assert.Empty(await ufs.ListAll("archive/2026"));
    }

    [Fact]
    public async Task Errors_carry_the_message_of_the_RemoteException()
    {
        using var dir = hdfs.NewDirectory();
        dir.Write("full/f.txt", "f");
        dir.Write("file.txt", "f");
        await using var ufs = Open(dir);

        var list = await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll("missing"));
        Assert.Equal($"hdfs://namenode.example:8020/{dir.Name}: cannot list '/missing': File /{dir.Name}/missing does not exist. (FileNotFoundException)", list.Message);

        var delete = await Assert.ThrowsAsync<UfsException>(() => ufs.DeleteAsync("full", None));
        Assert.Contains($"`/{dir.Name}/full is non empty': Directory is not empty (PathIsNotEmptyDirectoryException)", delete.Message, StringComparison.Ordinal);

        var read = await Assert.ThrowsAsync<UfsException>(() => ufs.Read("missing.bin", 0, 10));
        Assert.Contains($"cannot read '/missing.bin': File does not exist: /{dir.Name}/missing.bin (FileNotFoundException)", read.Message, StringComparison.Ordinal);

        var mkdir = await Assert.ThrowsAsync<UfsException>(() => ufs.CreateDirectoryAsync("file.txt/sub", None));
        Assert.Contains("Parent path is not a directory", mkdir.Message, StringComparison.Ordinal);

        var notDirectory = await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll("file.txt"));
        Assert.Contains("is a file, not a directory", notDirectory.Message, StringComparison.Ordinal);

        var rename = await Assert.ThrowsAsync<UfsException>(() => ufs.RenameAsync("ghost.txt", "other.txt", None));
        Assert.Contains($"rename source /{dir.Name}/ghost.txt is not found.", rename.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_http_address_defaults_to_the_namenode_host_on_port_9870_and_can_be_set()
    {
        await using var byDefault = (WebHdfsUnderFileSystem)new WebHdfsUfsProvider().Open(UfsMount.Of("hdfs://nn.example:8020/data"));
        Assert.Equal(new Uri("http://nn.example:9870/"), byDefault.NamenodeAddress);

        await using var webhdfs = (WebHdfsUnderFileSystem)new WebHdfsUfsProvider().Open(UfsMount.Of("webhdfs://nn.example:50070/data"));
        Assert.Equal(new Uri("http://nn.example:50070/"), webhdfs.NamenodeAddress);

        await using var set = (WebHdfsUnderFileSystem)new WebHdfsUfsProvider().Open(
            TestData.Mount("hdfs://nn.example:8020/data", new() { ["webhdfs.address"] = "https://gateway.example:14000" }));
        Assert.Equal(new Uri("https://gateway.example:14000/"), set.NamenodeAddress);

        var bad = Assert.Throws<UfsException>(() => new WebHdfsUfsProvider().Open(
            TestData.Mount("hdfs://nn.example:8020/data", new() { ["webhdfs.address"] = "nn:port/x" })));
        Assert.Contains("option 'webhdfs.address' is 'nn:port/x'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_user_option_is_sent_as_user_name()
    {
        using var dir = hdfs.NewDirectory();
        dir.Write("f", "f");
        await using var ufs = new WebHdfsUfsProvider().Open(TestData.Mount(
            $"hdfs://127.0.0.1/{dir.Name}", new() { ["webhdfs.address"] = Server.HostAndPort, ["user"] = "bob" }));

        Server.Requests.Clear();
        await ufs.StatAsync("f", None);
        Assert.Contains(Server.Requests, r => r.Contains("op=GETFILESTATUS&user.name=bob", StringComparison.Ordinal));
    }
}
