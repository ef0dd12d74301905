using System.Runtime.InteropServices;
using Fluid.Fuse.Native;

namespace Fluid.Fuse.Tests;

public sealed partial class MountLifecycleTests(MountFixture fixture) : IClassFixture<MountFixture>
{
    [Fact]
    public void Unmount_leaves_the_mount_point_empty_and_not_mounted()
    {
        var mountPoint = Directory.CreateDirectory(Path.Combine(fixture.Cluster.Root, "mnt-unmount")).FullName;
        var fs = new DatasetFileSystem(fixture.Client);

        using (var mount = FuseMount.Mount(mountPoint, fs))
        {
            Assert.True(MountFixture.IsMounted(mountPoint));
            Assert.Equal(777, File.ReadAllBytes(Path.Combine(mountPoint, "odd.bin")).Length);
        }

        Assert.False(MountFixture.IsMounted(mountPoint));
        Assert.Empty(Directory.GetFileSystemEntries(mountPoint));
        Assert.Equal(0, fs.OpenFiles);
    }

    [Fact]
    public void A_stale_mount_left_by_a_crashed_server_is_cleaned_up_at_the_next_mount()
    {
        var mountPoint = Directory.CreateDirectory(Path.Combine(fixture.Cluster.Root, "mnt-stale")).FullName;
        using (var device = File.OpenHandle("/dev/fuse", FileMode.Open, FileAccess.ReadWrite))
        {
            var data = $"fd={device.DangerousGetHandle()},rootmode=40000,user_id=0,group_id=0";
            Assert.True(MountRaw("crashed", mountPoint, "fuse.crashed", 0, data) == 0, $"mount(2) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // The server's /dev/fuse is closed: the mount is left behind, answering ENOTCONN.
        Assert.True(MountFixture.IsMounted(mountPoint));
        Assert.NotEqual(0, LibC.Stat(mountPoint, out _));
        Assert.Equal(LibC.ENOTCONN, Marshal.GetLastPInvokeError());

        using (var mount = FuseMount.Mount(mountPoint, new DatasetFileSystem(fixture.Client)))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Cluster.SourceDir, "a/b/c/deep.bin")), File.ReadAllBytes(Path.Combine(mountPoint, "a/b/c/deep.bin")));
        }

        Assert.False(MountFixture.IsMounted(mountPoint));
    }

    [Fact]
    public void Mounting_over_a_missing_directory_says_so()
    {
        var missing = Path.Combine(fixture.Cluster.Root, "no-such-dir");

        var e = Assert.Throws<DirectoryNotFoundException>(() => FuseMount.Mount(missing, new DatasetFileSystem(fixture.Client)));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MountRaw(string source, string target, string type, ulong flags, string data);
}
