using System.Security.Cryptography;

namespace Fluid.Fuse.Tests;

public sealed class ReadOnlyMountTests(MountFixture fixture) : IClassFixture<MountFixture>
{
    private string Mounted(string name) => Path.Combine(fixture.MountPoint, name);

    private string Source(string name) => Path.Combine(fixture.Cluster.SourceDir, name);

    [Fact]
    public void Find_lists_every_file_and_stat_reports_the_source_sizes()
    {
        var (exit, output, error) = MountFixture.Run("find", fixture.MountPoint, "-type", "f", "-printf", "%P\t%s\n");

        Assert.True(exit == 0, error);
        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var expected = MountFixture.Files.ToDictionary(f => f.Name, f => (long)f.Length);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), listed.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(Directory.Exists(Mounted("empty-dir")));
        Assert.Empty(Directory.GetFileSystemEntries(Mounted("empty-dir")));
    }

    [Fact]
    public void Every_file_has_the_sha256_of_its_source()
    {
        var names = MountFixture.Files.Select(f => f.Name).ToArray();

        var (exit, output, error) = MountFixture.Run("sha256sum", names.Select(Mounted).ToArray());

        Assert.True(exit == 0, error);
        var sums = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..64]).ToArray();
        Assert.Equal(names.Select(n => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Source(n))))), sums);
    }

    [Fact]
    public void Reads_at_odd_offsets_across_block_boundaries_match_the_source()
    {
        var source = File.ReadAllBytes(Source("big.bin"));
        using var stream = new FileStream(Mounted("big.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        foreach (var (offset, length) in new[] { (1L, 1), (4095L, 3), (262_143L, 2), (262_100L, 300_000), (source.Length - 3L, 3), (source.Length - 10L, 100) })
        {
            var buffer = new byte[length];
            stream.Position = offset;
            var read = stream.ReadAtLeast(buffer, length, throwOnEndOfStream: false);
            var expected = source.AsSpan((int)offset, (int)Math.Min(length, source.Length - offset));
            Assert.Equal(expected.ToArray(), buffer.AsSpan(0, read).ToArray());
        }

        var (exit, output, error) = MountFixture.Run("sh", "-c", $"dd if='{Mounted("big.bin")}' bs=1000 skip=261 count=3 status=none | od -An -tx1 -v");
        Assert.True(exit == 0, error);
        var bytes = Convert.FromHexString(string.Concat(output.Where(char.IsAsciiHexDigit)));
        Assert.Equal(source.AsSpan(261_000, 3000).ToArray(), bytes);
    }

    [Theory]
    [InlineData("echo x > '{0}/new.txt'")]
    [InlineData("echo x >> '{0}/odd.bin'")]
    [InlineData("mkdir '{0}/newdir'")]
    [InlineData("rm '{0}/odd.bin'")]
    [InlineData("touch '{0}/odd.bin'")]
    public void Writing_creating_or_removing_fails_with_read_only_file_system(string command)
    {
        var (exit, _, error) = MountFixture.Run("sh", "-c", string.Format(System.Globalization.CultureInfo.InvariantCulture, command, fixture.MountPoint));

        Assert.NotEqual(0, exit);
        Assert.Contains("Read-only file system", error, StringComparison.Ordinal);
        Assert.Equal(777, new FileInfo(Source("odd.bin")).Length);
        Assert.False(File.Exists(Source("new.txt")));
    }

    [Fact]
    public void A_missing_path_gives_no_such_file_and_a_path_below_a_file_not_a_directory()
    {
        var missing = MountFixture.Run("stat", Mounted("a/nope.bin"));
        var belowFile = MountFixture.Run("stat", Mounted("odd.bin/child"));
        var openDirectory = MountFixture.Run("cat", Mounted("a"));

        Assert.Contains("No such file or directory", missing.Error, StringComparison.Ordinal);
        Assert.Contains("Not a directory", belowFile.Error, StringComparison.Ordinal);
        Assert.Contains("Is a directory", openDirectory.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inode_numbers_are_stable_per_path_and_the_root_is_1()
    {
        var first = MountFixture.Run("stat", "-c", "%i", fixture.MountPoint, Mounted("odd.bin"), Mounted("a/b/c/deep.bin"), Mounted("odd.bin")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("1", first[0]);
        Assert.Equal(first[1], first[3]);
        Assert.NotEqual(first[1], first[2]);
        Assert.Equal(first[2], MountFixture.Run("ls", "-i", Mounted("a/b/c")).Out.Trim().Split(' ')[0]);
    }

    [Fact]
    public void Files_advise_128_KiB_io_not_the_cache_block_size()
    {
        // cat and cp size their buffer from st_blksize; the cache block (256 KiB here, 4 MiB by default) made it huge.
        Assert.Equal("131072", MountFixture.Run("stat", "-c", "%o", Mounted("big.bin")).Out.Trim());
        Assert.Equal("131072", MountFixture.Run("stat", "-c", "%o", Mounted("a/exact.bin")).Out.Trim());
    }

    [Fact]
    public void The_mount_is_read_only_fuse_named_after_the_dataset_and_df_answers()
    {
        var line = File.ReadAllLines("/proc/self/mounts").Single(l => l.Split(' ')[1] == fixture.MountPoint).Split(' ');
        var df = MountFixture.Run("df", "-B1", fixture.MountPoint);

        Assert.Equal("fluid:default/demo", line[0]);
        Assert.Equal("fuse.fluid", line[2]);
        Assert.StartsWith("ro,", line[3], StringComparison.Ordinal);
        Assert.True(df.Exit == 0, df.Error);
        Assert.Contains(((64L << 20) / 4096 * 4096).ToString(System.Globalization.CultureInfo.InvariantCulture), df.Out, StringComparison.Ordinal);
    }
}
