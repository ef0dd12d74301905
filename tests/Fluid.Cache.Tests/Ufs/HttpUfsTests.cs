using System.Net;
using System.Net.Sockets;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

public sealed class HttpUfsTests(NginxFixture nginx) : IClassFixture<NginxFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static IUnderFileSystem Open(string url, Dictionary<string, string>? options = null, Dictionary<string, SecretValue>? secrets = null) =>
        new HttpUfsProvider().Open(TestData.Mount(url, options, secrets));

    [Fact]
    public async Task Stat_reports_size_time_and_the_ETag_as_version_and_null_for_a_missing_file()
    {
        using var dir = nginx.NewDirectory();
        var file = dir.Write("weights.bin", TestData.Pattern(12345));
        File.SetLastWriteTimeUtc(file, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        dir.Write("sub/x.txt", "x");
        await using var ufs = Open(nginx.Url("json", dir.Name));

        var entry = await ufs.StatAsync("weights.bin", None);
        Assert.NotNull(entry);
        Assert.Equal(("weights.bin", false, 12345L), (entry.Path, entry.IsDirectory, entry.Size));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), entry.ModifiedTime);
        Assert.Matches("^\"[0-9a-f]+-[0-9a-f]+\"$", entry.Version);

        Assert.True((await ufs.StatAsync("sub", None))!.IsDirectory);
        Assert.True((await ufs.StatAsync("", None))!.IsDirectory);
        Assert.Null(await ufs.StatAsync("missing.bin", None));
        Assert.Null(await ufs.StatAsync("sub/missing/deeper", None));
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 1)]
    [InlineData(333, 101)]
    [InlineData(4093, 8191)]
    [InlineData(12340, 100)]
    [InlineData(12345, 10)]
    [InlineData(99999, 10)]
    public async Task Reads_at_odd_offsets_return_the_bytes_there_and_stop_at_the_end(long offset, int length)
    {
        using var dir = nginx.NewDirectory();
        var content = TestData.Pattern(12345);
        dir.Write("data.bin", content);
        await using var ufs = Open(nginx.Url("json", dir.Name));
        var version = (await ufs.StatAsync("data.bin", None))!.Version;

        Assert.Equal(content.Slice(offset, length), await ufs.Read("data.bin", offset, length));
        Assert.Equal(content.Slice(offset, length), await ufs.Read("data.bin", offset, length, version));
    }

    [Fact]
    public async Task A_file_replaced_on_the_server_gets_a_new_version_and_reading_the_old_version_is_detected()
    {
        using var dir = nginx.NewDirectory();
        var path = dir.Write("model.bin", TestData.Pattern(5000));
        await using var ufs = Open(nginx.Url("json", dir.Name));
        var old = (await ufs.StatAsync("model.bin", None))!.Version;
        Assert.Equal(TestData.Pattern(5000).Slice(100, 10), await ufs.Read("model.bin", 100, 10, old));

        var replacement = dir.Write("model.tmp", TestData.Pattern(6000, seed: 3));
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(path).AddSeconds(10));
        File.Move(replacement, path, overwrite: true);
        var current = (await ufs.StatAsync("model.bin", None))!.Version;

        Assert.NotEqual(old, current);
        var changed = await Assert.ThrowsAsync<UfsVersionChangedException>(() => ufs.Read("model.bin", 100, 10, old));
        Assert.Equal(old, changed.ExpectedVersion);
        Assert.Contains("'/model.bin' changed while being read", changed.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UfsVersionChangedException>(() => ufs.Read("model.bin", 99999, 10, old));
        Assert.Equal(TestData.Pattern(6000, seed: 3).Slice(5990, 100), await ufs.Read("model.bin", 5990, 100, current));

        File.Delete(path);
        await Assert.ThrowsAsync<UfsVersionChangedException>(() => ufs.Read("model.bin", 0, 10, current));
    }

    [Fact]
    public async Task A_missing_file_or_directory_is_reported_as_such()
    {
        using var dir = nginx.NewDirectory();
        await using var ufs = Open(nginx.Url("json", dir.Name));

        var read = await Assert.ThrowsAsync<UfsException>(() => ufs.Read("gone.bin", 0, 10));
        Assert.Equal($"{nginx.Url("json", dir.Name)}: cannot read '/gone.bin': does not exist", read.Message);
        var list = await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll("nowhere"));
        Assert.Contains("cannot list '/nowhere': does not exist", list.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_nginx_json_autoindex_with_the_versions_stat_gives()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("a.bin", TestData.Pattern(10));
        dir.Write("b c.txt", "spaced");
        dir.Write("sub/deeper/d.txt", "d");
        Directory.CreateDirectory(Path.Join(dir.Path, "empty"));
        await using var ufs = Open(nginx.Url("json", dir.Name));

        var root = await ufs.ListAll("");
        Assert.Equal(["a.bin", "b c.txt", "empty", "sub"], root.Select(e => e.Path));
        Assert.Equal([false, false, true, true], root.Select(e => e.IsDirectory));
        Assert.Equal([10L, 6L, 0L, 0L], root.Select(e => e.Size));
        Assert.Equal((await ufs.StatAsync("b c.txt", None))!.Version, root[1].Version);
        Assert.Equal(["sub/deeper"], (await ufs.ListAll("sub")).Select(e => e.Path));
        Assert.Equal(["sub/deeper/d.txt"], (await ufs.ListAll("/sub/deeper/")).Select(e => e.Path));
        Assert.Empty(await ufs.ListAll("empty"));
    }

    [Fact]
    public async Task Lists_an_html_autoindex_with_sizes_from_HEAD()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("plain.txt", "12345");
        dir.Write("with space & more.txt", "1234567");
        dir.Write("colon:name.txt", "123");
        dir.Write("grüße.txt", "1");
        dir.Write("sub/x.bin", TestData.Pattern(3000));
        await using var ufs = Open(nginx.Url("html", dir.Name));

        var root = await ufs.ListAll("");
        Assert.Equal(["colon:name.txt", "grüße.txt", "plain.txt", "sub", "with space & more.txt"], root.Select(e => e.Path));
        Assert.Equal([3L, 1L, 5L, 0L, 7L], root.Select(e => e.Size));
        Assert.Equal((await ufs.StatAsync("plain.txt", None))!.Version, root[2].Version);
        Assert.Equal([("sub/x.bin", 3000L)], (await ufs.ListAll("sub")).Select(e => (e.Path, e.Size)));
        Assert.Equal("1234567"u8.ToArray(), await ufs.Read("with space & more.txt", 0, 100));
    }

    [Fact]
    public async Task Lists_from_a_manifest_when_the_server_lists_nothing()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("train/0001.jpg", TestData.Pattern(100));
        dir.Write("train/0002.jpg", TestData.Pattern(200));
        dir.Write("labels.csv", "a,b");
        dir.Write("manifest.tsv", "# files of this dataset\ntrain/0001.jpg\t100\ntrain/0002.jpg\t200\n\nlabels.csv\t3\n");
        var options = new Dictionary<string, string> { ["manifest"] = "manifest.tsv" };
        await using var ufs = Open(nginx.Url("plain", dir.Name), options);

        var root = await ufs.ListAll("");
        Assert.Equal([("labels.csv", false, 3L), ("train", true, 0L)], root.Select(e => (e.Path, e.IsDirectory, e.Size)));
        var train = await ufs.ListAll("train");
        Assert.Equal([("train/0001.jpg", 100L), ("train/0002.jpg", 200L)], train.Select(e => (e.Path, e.Size)));
        Assert.Equal((await ufs.StatAsync("train/0002.jpg", None))!.Version, train[1].Version);
        Assert.True((await ufs.StatAsync("train", None))!.IsDirectory);
        Assert.Null(await ufs.StatAsync("test", None));
        var missing = await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll("test"));
        Assert.Contains("not in the manifest 'manifest.tsv'", missing.Message, StringComparison.Ordinal);

        // The manifest is fetched again when it changes.
        dir.Write("labels-v2.csv", "c");
        dir.Write("manifest.tsv", "labels-v2.csv\t1\ntrain/0001.jpg\t100\n");
        File.SetLastWriteTimeUtc(Path.Join(dir.Path, "manifest.tsv"), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(["labels-v2.csv", "train"], (await ufs.ListAll("")).Select(e => e.Path));

        using var broken = nginx.NewDirectory();
        broken.Write("m.tsv", "ok.txt\t1\nbad.txt\tlots\n");
        await using var badUfs = Open(nginx.Url("plain", broken.Name), new Dictionary<string, string> { ["manifest"] = "m.tsv" });
        var bad = await Assert.ThrowsAsync<UfsException>(() => badUfs.ListAll(""));
        Assert.Contains("manifest 'm.tsv' line 2: expected 'relative/path<TAB>size in bytes'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_without_listing_and_without_manifest_says_how_to_list_it()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("a.txt", "a");
        await using var ufs = Open(nginx.Url("plain", dir.Name));

        var error = await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll(""));
        Assert.Contains("does not list this directory (403)", error.Message, StringComparison.Ordinal);
        Assert.Contains("option 'manifest'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_ignores_range_requests_is_detected()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("big.bin", TestData.Pattern(10000));
        await using var ufs = Open(nginx.Url("norange", dir.Name));

        var error = await Assert.ThrowsAsync<UfsException>(() => ufs.Read("big.bin", 4096, 100));
        Assert.Contains("the server ignores Range requests", error.Message, StringComparison.Ordinal);
        Assert.Equal(TestData.Pattern(10000)[..100], await ufs.Read("big.bin", 0, 100));
    }

    [Fact]
    public async Task A_server_that_refuses_HEAD_is_stated_with_a_one_byte_GET()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("file.bin", TestData.Pattern(777));
        dir.Write("empty.bin", []);
        await using var ufs = Open(nginx.Url("nohead", dir.Name));
        await using var reference = Open(nginx.Url("json", dir.Name));

        var entry = await ufs.StatAsync("file.bin", None);
        Assert.Equal(777, entry!.Size);
        Assert.Equal((await reference.StatAsync("file.bin", None))!.Version, entry.Version);
        Assert.Equal(0, (await ufs.StatAsync("empty.bin", None))!.Size);
        Assert.Null(await ufs.StatAsync("none.bin", None));
    }

    [Fact]
    public async Task Basic_auth_uses_the_secrets_and_never_shows_the_password()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("private.bin", TestData.Pattern(64));
        var url = nginx.Url("private", dir.Name);

        await using (var anonymous = Open(url))
        {
            var error = await Assert.ThrowsAsync<UfsException>(() => anonymous.StatAsync("private.bin", None));
            Assert.Contains("asks for credentials (401); set the secrets 'username' and 'password'", error.Message, StringComparison.Ordinal);
        }

        var wrong = new Dictionary<string, SecretValue> { ["username"] = new(NginxFixture.User), ["password"] = new("not-it") };
        await using (var refused = Open(url, secrets: wrong))
        {
            var error = await Assert.ThrowsAsync<UfsException>(() => refused.Read("private.bin", 0, 10));
            Assert.Contains("refused the username and password (401)", error.Message, StringComparison.Ordinal);
        }

        var secrets = new Dictionary<string, SecretValue> { ["username"] = new(NginxFixture.User), ["password"] = new(NginxFixture.Password) };
        var mount = TestData.Mount(url, secrets: secrets);
        await using var ufs = new HttpUfsProvider().Open(mount);
        Assert.Equal(64, (await ufs.StatAsync("private.bin", None))!.Size);
        Assert.Equal(TestData.Pattern(64)[10..20], await ufs.Read("private.bin", 10, 10));
        Assert.Equal(["private.bin"], (await ufs.ListAll("")).Select(e => e.Path));

        var missing = await Assert.ThrowsAsync<UfsException>(() => ufs.Read("nope", 0, 1));
        Assert.DoesNotContain(NginxFixture.Password, missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(NginxFixture.Password, mount.ToString(), StringComparison.Ordinal);

        var half = Assert.Throws<UfsException>(() => Open(url, secrets: new() { ["username"] = new("x") }));
        Assert.Contains("needs both secrets 'username' and 'password'; only 'username' is set", half.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirects_are_followed_with_credentials_only_within_the_mounts_origin()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("f.bin", TestData.Pattern(300));
        dir.Write("sub/g.txt", "g");
        var secrets = new Dictionary<string, SecretValue> { ["username"] = new(NginxFixture.User), ["password"] = new(NginxFixture.Password) };

        await using var moved = Open(nginx.Url("moved", dir.Name), secrets: secrets);
        Assert.Equal(300, (await moved.StatAsync("f.bin", None))!.Size);
        Assert.True((await moved.StatAsync("sub", None))!.IsDirectory);
        Assert.Equal(TestData.Pattern(300).Slice(250, 100), await moved.Read("f.bin", 250, 100));

        // The other port is another origin: it gets no credentials, so it refuses.
        await using var away = Open(nginx.Url("away", dir.Name), secrets: secrets);
        var error = await Assert.ThrowsAsync<UfsException>(() => away.Read("f.bin", 0, 10));
        Assert.Contains("(401)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_options_are_sent_with_every_request()
    {
        using var dir = nginx.NewDirectory();
        dir.Write("f.txt", "header ok");

        await using var without = Open(nginx.Url("header", dir.Name));
        await Assert.ThrowsAsync<UfsException>(() => without.StatAsync("f.txt", None));

        await using var with = Open(nginx.Url("header", dir.Name), new() { ["header.X-Fluid-Test"] = "yes" });
        Assert.Equal("header ok"u8.ToArray(), await with.Read("f.txt", 0, 100));
    }

    [Fact]
    public async Task Writes_are_refused_because_http_sources_are_read_only()
    {
        await using var ufs = Open(nginx.Url("json"));
        Assert.False(ufs.CanWrite);

        var error = await Assert.ThrowsAsync<UfsException>(() => ufs.WriteFileAsync("x.txt", new MemoryStream([1]), None));
        Assert.Contains("is read-only", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UfsException>(() => ufs.DeleteAsync("x.txt", None));
        await Assert.ThrowsAsync<UfsException>(() => ufs.RenameAsync("x.txt", "y.txt", None));
        await Assert.ThrowsAsync<UfsException>(() => ufs.CreateDirectoryAsync("d", None));
    }

    [Fact]
    public async Task An_unreachable_server_and_bad_options_give_actionable_errors()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var ufs = Open($"http://127.0.0.1:{port}/data/");
        var error = await Assert.ThrowsAsync<UfsException>(() => ufs.StatAsync("a", None));
        Assert.Contains($"cannot reach 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);

        var timeout = Assert.Throws<UfsException>(() => Open(nginx.Url("json"), new() { ["timeout"] = "soon" }));
        Assert.Contains("option 'timeout' is 'soon'", timeout.Message, StringComparison.Ordinal);
        var userInfo = Assert.Throws<UfsException>(() => Open($"http://me:secret@127.0.0.1:{port}/"));
        Assert.Contains("put them in the secrets", userInfo.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret@", userInfo.Message, StringComparison.Ordinal);
    }
}
