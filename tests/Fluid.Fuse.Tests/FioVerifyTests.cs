namespace Fluid.Fuse.Tests;

/// <summary>fio writes a file with crc32c headers into the source; a read job through the mount verifies every block.</summary>
public sealed class FioVerifyTests(MountFixture fixture) : IClassFixture<MountFixture>
{
    [Theory]
    [InlineData("read", "64k")]
    [InlineData("randread", "4k")]
    public void A_file_written_by_fio_verifies_when_read_through_the_mount(string mode, string blockSize)
    {
        var name = $"fio-{mode}.bin";
        var source = Path.Combine(fixture.Cluster.SourceDir, name);
        var mounted = Path.Combine(fixture.MountPoint, name);
        var write = MountFixture.Run("fio", "--name=w", $"--filename={source}", "--rw=write", $"--bs={blockSize}", "--size=8M", "--ioengine=psync", "--verify=crc32c", "--do_verify=0");
        Assert.True(write.Exit == 0, write.Out + write.Error);
        // The new file shows up once the listing cached by the master and the client expires.
        for (var i = 0; i < 100 && !File.Exists(mounted); i++)
        {
            Thread.Sleep(100);
        }

        var read = MountFixture.Run("fio", "--name=r", $"--filename={mounted}", $"--rw={mode}", $"--bs={blockSize}", "--size=8M", "--ioengine=psync", "--readonly", "--verify=crc32c", "--verify_fatal=1");

        Assert.True(read.Exit == 0, read.Out + read.Error);
        Assert.DoesNotContain("verify failed", read.Out + read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_block_in_the_source_fails_fio_verify_through_the_mount()
    {
        var name = "fio-corrupt.bin";
        var source = Path.Combine(fixture.Cluster.SourceDir, name);
        var mounted = Path.Combine(fixture.MountPoint, name);
        var write = MountFixture.Run("fio", "--name=w", $"--filename={source}", "--rw=write", "--bs=64k", "--size=2M", "--ioengine=psync", "--verify=crc32c", "--do_verify=0");
        Assert.True(write.Exit == 0, write.Out + write.Error);
        using (var file = new FileStream(source, FileMode.Open, FileAccess.Write))
        {
            file.Position = 1_000_000;
            file.Write("corrupt"u8);
        }

        for (var i = 0; i < 100 && !File.Exists(mounted); i++)
        {
            Thread.Sleep(100);
        }

        var read = MountFixture.Run("fio", "--name=r", $"--filename={mounted}", "--rw=read", "--bs=64k", "--size=2M", "--ioengine=psync", "--readonly", "--verify=crc32c");

        Assert.NotEqual(0, read.Exit);
        Assert.Contains("verify failed", read.Out + read.Error, StringComparison.Ordinal);
    }
}
