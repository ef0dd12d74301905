using System.Text;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

public sealed class LocalUfsTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TestDirectory _root = new();
    private readonly TestDirectory _outside = new();

    public void Dispose()
    {
        _root.Dispose();
        _outside.Dispose();
    }

    private IUnderFileSystem Open() => new LocalUfsProvider().Open(UfsMount.Of("local://" + _root.Path));

    [Fact]
    public async Task Stat_and_list_show_files_and_directories_with_sizes()
    {
        _root.Write("a.bin", TestData.Pattern(1000));
        _root.Write("sub/b.txt", "hello");
        Directory.CreateDirectory(Path.Join(_root.Path, "empty"));
        await using var ufs = Open();

        var a = await ufs.StatAsync("/a.bin", None);
        Assert.NotNull(a);
        Assert.Equal(("a.bin", false, 1000L), (a.Path, a.IsDirectory, a.Size));
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Join(_root.Path, "a.bin")), a.ModifiedTime.UtcDateTime);

        var root = await ufs.StatAsync("", None);
        Assert.True(root!.IsDirectory);
        Assert.Null(await ufs.StatAsync("missing", None));
        Assert.Null(await ufs.StatAsync("a.bin/below-a-file", None));

        var listed = await ufs.ListAll("");
        Assert.Equal(["a.bin", "empty", "sub"], listed.Select(e => e.Path));
        Assert.Equal([false, true, true], listed.Select(e => e.IsDirectory));
        Assert.Equal(a.Version, listed[0].Version);
        Assert.Equal(["sub/b.txt"], (await ufs.ListAll("sub")).Select(e => e.Path));
        Assert.Empty(await ufs.ListAll("empty"));
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(333, 101)]
    [InlineData(4093, 4099)]
    [InlineData(9995, 50)]
    [InlineData(10000, 10)]
    [InlineData(20000, 10)]
    public async Task Reads_at_any_offset_return_the_bytes_there_and_stop_at_the_end(long offset, int length)
    {
        var content = TestData.Pattern(10000);
        _root.Write("data.bin", content);
        await using var ufs = Open();
        var version = (await ufs.StatAsync("data.bin", None))!.Version;

        Assert.Equal(content.Slice(offset, length), await ufs.Read("data.bin", offset, length));
        Assert.Equal(content.Slice(offset, length), await ufs.Read("data.bin", offset, length, version));
    }

    [Fact]
    public async Task A_replaced_or_rewritten_file_gets_a_new_version_and_reads_of_the_old_version_fail()
    {
        var path = _root.Write("model.bin", TestData.Pattern(4096));
        await using var ufs = Open();
        var first = (await ufs.StatAsync("model.bin", None))!.Version;

        // Same size, same mtime, but another file renamed over it: only the inode tells.
        var mtime = File.GetLastWriteTimeUtc(path);
        var replacement = _root.Write("replacement.tmp", TestData.Pattern(4096, seed: 7));
        File.SetLastWriteTimeUtc(replacement, mtime);
        File.Move(replacement, path, overwrite: true);
        var second = (await ufs.StatAsync("model.bin", None))!.Version;
        Assert.NotEqual(first, second);

        var stale = await Assert.ThrowsAsync<UfsVersionChangedException>(() => ufs.Read("model.bin", 0, 10, first));
        Assert.Equal((first, second), (stale.ExpectedVersion, stale.ActualVersion));
        Assert.Contains("model.bin", stale.Message, StringComparison.Ordinal);
        Assert.Equal(TestData.Pattern(4096, seed: 7)[..10], await ufs.Read("model.bin", 0, 10, second));

        // Rewritten in place: the size and mtime change.
        await File.AppendAllTextAsync(path, "more");
        File.SetLastWriteTimeUtc(path, mtime.AddSeconds(5));
        var third = (await ufs.StatAsync("model.bin", None))!.Version;
        Assert.NotEqual(second, third);
        await Assert.ThrowsAsync<UfsVersionChangedException>(() => ufs.Read("model.bin", 0, 10, second));
    }

    [Fact]
    public async Task A_symlink_that_leads_out_of_the_root_is_refused_and_one_inside_is_followed()
    {
        _outside.Write("secret.txt", "not yours");
        _root.Write("real/inside.txt", "fine");
        File.CreateSymbolicLink(Path.Join(_root.Path, "escape.txt"), Path.Join(_outside.Path, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Join(_root.Path, "escape-dir"), _outside.Path);
        File.CreateSymbolicLink(Path.Join(_root.Path, "alias.txt"), "real/inside.txt");
        await using var ufs = Open();

        var stat = await Assert.ThrowsAsync<UfsException>(() => ufs.StatAsync("escape.txt", None));
        Assert.Contains("leads outside the mount's root", stat.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UfsException>(() => ufs.Read("escape.txt", 0, 10));
        await Assert.ThrowsAsync<UfsException>(() => ufs.Read("escape-dir/secret.txt", 0, 10));
        await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll("escape-dir"));
        await Assert.ThrowsAsync<UfsException>(() => ufs.WriteFileAsync("escape-dir/planted.txt", new MemoryStream([1]), None));
        await Assert.ThrowsAsync<UfsException>(() => ufs.CreateDirectoryAsync("escape-dir/new", None));
        Assert.False(File.Exists(Path.Join(_outside.Path, "planted.txt")));
        Assert.False(Directory.Exists(Path.Join(_outside.Path, "new")));

        Assert.Equal(["alias.txt", "real"], (await ufs.ListAll("")).Select(e => e.Path));
        Assert.Equal("fine"u8.ToArray(), await ufs.Read("alias.txt", 0, 100));

        // Deleting the link removes the link, never what it points at.
        await ufs.DeleteAsync("escape.txt", None);
        Assert.False(File.Exists(Path.Join(_root.Path, "escape.txt")));
        Assert.True(File.Exists(Path.Join(_outside.Path, "secret.txt")));
    }

    [Fact]
    public async Task A_pvc_mount_reads_the_directory_the_node_keeps_the_claim_in()
    {
        _root.Write("datasets/imagenet/train.txt", "cat");
        var provider = new LocalUfsProvider(claim => claim == "imagenet-pvc" ? _root.Path : null);
        await using var ufs = provider.Open(UfsMount.Of("pvc://imagenet-pvc/datasets/imagenet"));

        Assert.Equal(["train.txt"], (await ufs.ListAll("")).Select(e => e.Path));
        Assert.Equal("cat"u8.ToArray(), await ufs.Read("train.txt", 0, 10));

        var unknown = Assert.Throws<UfsException>(() => provider.Open(UfsMount.Of("pvc://other-pvc/x")));
        Assert.Contains("claim 'other-pvc' is not known on this node", unknown.Message, StringComparison.Ordinal);
        var noResolver = Assert.Throws<UfsException>(() => new LocalUfsProvider().Open(UfsMount.Of("pvc://imagenet-pvc/")));
        Assert.Contains("not known on this node", noResolver.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_a_missing_directory_or_a_host_says_what_is_wrong()
    {
        var missing = Assert.Throws<UfsException>(() => new LocalUfsProvider().Open(UfsMount.Of("local://" + _root.Path + "/nope")));
        Assert.Contains($"directory '{_root.Path}/nope' does not exist on this node", missing.Message, StringComparison.Ordinal);

        var host = Assert.Throws<UfsException>(() => new LocalUfsProvider().Open(UfsMount.Of("local://data/sets")));
        Assert.Contains("write local:///data/sets", host.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_replace_whole_files_create_parents_and_leave_no_temporary_files()
    {
        await using var ufs = Open();
        Assert.True(ufs.CanWrite);

        await ufs.WriteFileAsync("out/deep/result.txt", new MemoryStream("first"u8.ToArray()), None);
        var first = (await ufs.StatAsync("out/deep/result.txt", None))!;
        await ufs.WriteFileAsync("out/deep/result.txt", new MemoryStream("second!"u8.ToArray()), None);
        var second = (await ufs.StatAsync("out/deep/result.txt", None))!;

        Assert.Equal("second!", await File.ReadAllTextAsync(Path.Join(_root.Path, "out/deep/result.txt")));
        Assert.Equal(7, second.Size);
        Assert.NotEqual(first.Version, second.Version);
        Assert.Equal(["result.txt"], Directory.GetFileSystemEntries(Path.Join(_root.Path, "out/deep")).Select(Path.GetFileName));

        var onDirectory = await Assert.ThrowsAsync<UfsException>(() => ufs.WriteFileAsync("out/deep", new MemoryStream([1]), None));
        Assert.Contains("is a directory", onDirectory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        _root.Write("keep.txt", "old");
        await using var ufs = Open();

        var failed = await Assert.ThrowsAsync<UfsException>(() => ufs.WriteFileAsync("keep.txt", new FailingStream(), None));
        Assert.Contains("cannot write '/keep.txt': the source broke off", failed.Message, StringComparison.Ordinal);

        Assert.Equal("old", await File.ReadAllTextAsync(Path.Join(_root.Path, "keep.txt")));
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(_root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Rename_replaces_the_target_and_delete_removes_files_and_empty_directories()
    {
        _root.Write("a.txt", "A");
        _root.Write("b.txt", "B");
        _root.Write("full/x.txt", "X");
        await using var ufs = Open();

        await ufs.RenameAsync("a.txt", "b.txt", None);
        Assert.False(File.Exists(Path.Join(_root.Path, "a.txt")));
        Assert.Equal("A", await File.ReadAllTextAsync(Path.Join(_root.Path, "b.txt")));

        await ufs.RenameAsync("full", "moved/full", None);
        Assert.True(File.Exists(Path.Join(_root.Path, "moved/full/x.txt")));
        var missing = await Assert.ThrowsAsync<UfsException>(() => ufs.RenameAsync("nope.txt", "c.txt", None));
        Assert.Contains("'/nope.txt': does not exist", missing.Message, StringComparison.Ordinal);

        var notEmpty = await Assert.ThrowsAsync<UfsException>(() => ufs.DeleteAsync("moved/full", None));
        Assert.Contains("not empty", notEmpty.Message, StringComparison.Ordinal);
        await ufs.DeleteAsync("moved/full/x.txt", None);
        await ufs.DeleteAsync("moved/full", None);
        await ufs.DeleteAsync("never-was.txt", None);
        Assert.False(Directory.Exists(Path.Join(_root.Path, "moved/full")));

        await ufs.CreateDirectoryAsync("new/nested/dir", None);
        Assert.True((await ufs.StatAsync("new/nested/dir", None))!.IsDirectory);
        await ufs.CreateDirectoryAsync("new/nested/dir", None);
        var onFile = await Assert.ThrowsAsync<UfsException>(() => ufs.CreateDirectoryAsync("b.txt/sub", None));
        Assert.Contains("'/b.txt': is a file, not a directory", onFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_name_the_mount_and_the_path_and_carry_no_stack_trace()
    {
        Directory.CreateDirectory(Path.Join(_root.Path, "dir"));
        await using var ufs = Open();

        var missing = await Assert.ThrowsAsync<UfsException>(() => ufs.Read("no/such.bin", 0, 10));
        Assert.Equal($"local://{_root.Path}: cannot read '/no/such.bin': does not exist", missing.Message);
        var directory = await Assert.ThrowsAsync<UfsException>(() => ufs.Read("dir", 0, 10));
        Assert.Equal($"local://{_root.Path}: cannot read '/dir': is a directory", directory.Message);
        var list = await Assert.ThrowsAsync<UfsException>(() => ufs.ListAll("no"));
        Assert.DoesNotContain("   at ", list.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UfsException>(() => ufs.StatAsync("../etc/passwd", None));
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("the source broke off");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public class UfsPathEscapeTests
{
    [Fact]
    public async Task Names_with_spaces_and_unicode_survive_a_round_trip()
    {
        using var root = new TestDirectory();
        root.Write("with space/grüße #1.txt", Encoding.UTF8.GetBytes("hi"));
        await using var ufs = new LocalUfsProvider().Open(UfsMount.Of("local://" + root.Path));

        Assert.Equal(["with space/grüße #1.txt"], (await ufs.ListAll("with space")).Select(e => e.Path));
        Assert.Equal("hi"u8.ToArray(), await ufs.Read("with space/grüße #1.txt", 0, 10));
    }
}
