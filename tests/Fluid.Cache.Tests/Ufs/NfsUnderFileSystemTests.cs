using System.Diagnostics;
using System.Globalization;
using Fluid.Cache.Ufs;
using static Fluid.Cache.Tests.Ufs.S3UnderFileSystemTests;

namespace Fluid.Cache.Tests.Ufs;

[Collection(GaneshaCollection.Name)]
public sealed class NfsUnderFileSystemTests(GaneshaFixture nfs)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Stat_and_list_show_files_written_on_disk_with_size_time_and_inode()
    {
        var (disk, mount) = nfs.NewDirectory();
        await File.WriteAllBytesAsync(Path.Combine(disk, "a.bin"), Bytes(1234, 1));
        Directory.CreateDirectory(Path.Combine(disk, "sub", "deeper"));
        Directory.CreateDirectory(Path.Combine(disk, "empty"));
        await File.WriteAllTextAsync(Path.Combine(disk, "sub", "b.txt"), "hello");
        await using var ufs = new NfsUnderFileSystem(mount);

        var file = await ufs.StatAsync("a.bin", None);
        Assert.NotNull(file);
        Assert.Equal(("a.bin", false, 1234L), (file.Path, file.IsDirectory, file.Size));
        var (inode, mtimeNs) = DiskStat(Path.Combine(disk, "a.bin"));
        Assert.Equal($"1234-{mtimeNs}-{inode}", file.Version);
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(disk, "a.bin")), file.ModifiedTime.UtcDateTime);
        Assert.True((await ufs.StatAsync("sub", None))?.IsDirectory);
        Assert.True((await ufs.StatAsync("", None))?.IsDirectory);

        var root = await ListAsync(ufs, "");
        Assert.Equal(["a.bin", "empty/", "sub/"], root.Select(e => e.IsDirectory ? e.Path + "/" : e.Path));
        Assert.Equal(file, root[0]);
        Assert.Equal(["sub/b.txt", "sub/deeper/"], (await ListAsync(ufs, "sub")).Select(e => e.IsDirectory ? e.Path + "/" : e.Path));
        Assert.Empty(await ListAsync(ufs, "empty"));
    }

    [Fact]
    public async Task Reads_at_odd_offsets_return_the_bytes_on_disk()
    {
        var (disk, mount) = nfs.NewDirectory();
        var content = Bytes((3 << 20) + 17, 3);
        await File.WriteAllBytesAsync(Path.Combine(disk, "big.bin"), content);
        await using var ufs = new NfsUnderFileSystem(mount);

        foreach (var (offset, length) in new[] { (0L, 7), (1L, 4093), (65_537L, 300_001), (5L, content.Length - 5) })
        {
            var buffer = new byte[length];
            Assert.Equal(length, await ufs.ReadAsync("big.bin", offset, buffer, None));
            Assert.Equal(content.AsSpan((int)offset, length).ToArray(), buffer);
        }

        var tail = new byte[100];
        Assert.Equal(4, await ufs.ReadAsync("big.bin", content.Length - 4, tail, None));
        Assert.Equal(content.AsSpan(content.Length - 4).ToArray(), tail.AsSpan(0, 4).ToArray());
        Assert.Equal(0, await ufs.ReadAsync("big.bin", content.Length, tail, None));
        Assert.Equal(0, await ufs.ReadAsync("big.bin", content.Length + 1000, tail, None));
    }

    [Fact]
    public async Task Writes_renames_and_deletes_through_nfs_show_on_disk()
    {
        var (disk, mount) = nfs.NewDirectory();
        await using var ufs = new NfsUnderFileSystem(mount);
        var content = Bytes((5 << 19) + 3, 5);

        await ufs.WriteFileAsync("w/x/a.bin", new MemoryStream(content), None);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(disk, "w", "x", "a.bin")));
        Assert.Equal(["a.bin"], Directory.GetFileSystemEntries(Path.Combine(disk, "w", "x")).Select(Path.GetFileName));

        await ufs.WriteFileAsync("w/x/a.bin", new MemoryStream(Bytes(10, 6)), None);
        Assert.Equal(Bytes(10, 6), await File.ReadAllBytesAsync(Path.Combine(disk, "w", "x", "a.bin")));

        await ufs.RenameAsync("w/x/a.bin", "w/b.bin", None);
        Assert.False(File.Exists(Path.Combine(disk, "w", "x", "a.bin")));
        Assert.Equal(Bytes(10, 6), await File.ReadAllBytesAsync(Path.Combine(disk, "w", "b.bin")));

        await ufs.CreateDirectoryAsync("w/d1/d2", None);
        Assert.True(Directory.Exists(Path.Combine(disk, "w", "d1", "d2")));
        await ufs.CreateDirectoryAsync("w/d1", None);

        var notEmpty = await Assert.ThrowsAsync<UfsException>(() => ufs.DeleteAsync("w/d1", None));
        Assert.Contains("not empty", notEmpty.Message, StringComparison.Ordinal);
        await ufs.DeleteAsync("w/d1/d2", None);
        await ufs.DeleteAsync("w/d1", None);
        await ufs.DeleteAsync("w/b.bin", None);
        await ufs.DeleteAsync("w/x", None);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(disk, "w")));

        var missing = await Assert.ThrowsAsync<UfsException>(() => ufs.DeleteAsync("w/b.bin", None));
        Assert.Contains("'w/b.bin'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eight_tasks_reading_in_parallel_get_the_right_bytes()
    {
        var (disk, mount) = nfs.NewDirectory();
        var files = Enumerable.Range(0, 8).Select(i => Bytes((1 << 20) + (i * 4099), 100 + i)).ToArray();
        for (var i = 0; i < files.Length; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(disk, $"f{i}"), files[i]);
        }

        await using var ufs = new NfsUnderFileSystem(mount);

        var readers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var copy = new byte[files[i].Length];
            for (var offset = 0; offset < copy.Length;)
            {
                var length = Math.Min(copy.Length - offset, 65_536 + (i * 1_001));
                offset += await ufs.ReadAsync($"f{i}", offset, copy.AsMemory(offset, length), None);
            }

            return copy;
        }));
        var copies = await Task.WhenAll(readers);

        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(files[i], copies[i]);
        }
    }

    [Fact]
    public async Task A_missing_path_stats_as_null()
    {
        var (disk, mount) = nfs.NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(disk, "a"), "x");
        await using var ufs = new NfsUnderFileSystem(mount);

        Assert.Null(await ufs.StatAsync("nope", None));
        Assert.Null(await ufs.StatAsync("nope/deeper", None));
        Assert.Null(await ufs.StatAsync("a/below-a-file", None));
        var failure = await Assert.ThrowsAsync<UfsException>(async () => await ListAsync(ufs, "nope"));
        Assert.Contains("'nope'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_expecting_an_old_version_fails_after_the_file_is_replaced_with_the_same_size_and_time()
    {
        var (disk, mount) = nfs.NewDirectory();
        var path = Path.Combine(disk, "model.bin");
        await File.WriteAllBytesAsync(path, Bytes(5000, 1));
        await using var ufs = new NfsUnderFileSystem(mount);
        var first = (await ufs.StatAsync("model.bin", None))!.Version;
        var buffer = new byte[64];
        Assert.Equal(64, await ufs.ReadAsync("model.bin", 11, buffer, first, None));

        // What rsync or `mv` does: a new file with the old size and modification time takes the name.
        var replacement = Path.Combine(disk, "model.bin.new");
        await File.WriteAllBytesAsync(replacement, Bytes(5000, 2));
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(path));
        File.Move(replacement, path, overwrite: true);

        await Assert.ThrowsAsync<UfsVersionChangedException>(async () => await ufs.ReadAsync("model.bin", 11, buffer, first, None));
        var current = (await ufs.StatAsync("model.bin", None))!.Version;
        Assert.NotEqual(first, current);
        Assert.Equal(64, await ufs.ReadAsync("model.bin", 11, buffer, current, None));
        Assert.Equal(Bytes(5000, 2).AsSpan(11, 64).ToArray(), buffer);
    }

    [Fact]
    public async Task Option_export_and_libnfs_query_arguments_choose_the_export_and_the_port()
    {
        var (disk, mount) = nfs.NewDirectory();
        Directory.CreateDirectory(Path.Combine(disk, "inner"));
        await File.WriteAllTextAsync(Path.Combine(disk, "inner", "f"), "12345");
        var uri = new Uri($"{mount.MountPoint}/inner?version=4&nfsport={nfs.Port}");
        await using var ufs = new UfsRegistry().AddBuiltInConnectors()
            .Open(new UfsMount(uri, new Dictionary<string, string> { ["export"] = "/export", ["connections"] = "1" }, new Dictionary<string, SecretValue>()));

        Assert.IsType<NfsUnderFileSystem>(ufs);
        Assert.Equal(5, (await ufs.StatAsync("f", None))?.Size);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_with_its_address()
    {
        var port = TestPorts.Free();
        await using var ufs = new NfsUnderFileSystem(new UfsMount(
            new Uri("nfs://127.0.0.1/export/data"),
            new Dictionary<string, string> { ["nfsport"] = port.ToString(CultureInfo.InvariantCulture) },
            new Dictionary<string, SecretValue>()));

        var failure = await Assert.ThrowsAsync<UfsException>(() => ufs.StatAsync("a", None));

        Assert.Contains($"cannot reach NFS server 127.0.0.1:{port}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_export_is_reported_by_name()
    {
        await using var ufs = new NfsUnderFileSystem(new UfsMount(
            new Uri($"nfs://127.0.0.1/no-such-export/data?nfsport={nfs.Port}"),
            new Dictionary<string, string>(),
            new Dictionary<string, SecretValue>()));

        var failure = await Assert.ThrowsAsync<UfsException>(() => ufs.StatAsync("a", None));

        Assert.Contains("has no export '/no-such-export'", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The inode and the modification time in nanoseconds, as the local file system reports them.</summary>
    private static (string Inode, string MtimeNs) DiskStat(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("--format=%i %Y %y");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var fields = process.StandardOutput.ReadToEnd().Trim().Split(' ');
        process.WaitForExit();

        // %y is "2026-11-22 19:35:41.123456789 +0000": the nanoseconds are the fraction of its time field.
        var nanoseconds = fields[3].Split('.')[1];
        return (fields[0], fields[1] + nanoseconds.PadRight(9, '0'));
    }
}
