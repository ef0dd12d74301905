using System.Globalization;

namespace Fluid.Fuse.Tests;

/// <summary>Real tools over the whole mount: du and tar see the same tree as the source.</summary>
public sealed class ToolTests(MountFixture fixture) : IClassFixture<MountFixture>
{
    // tar of a tree where only names and contents count: the mount serves 0444/0555 and mtimes of its own.
    private const string TarOptions = "--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u=rX,g=rX,o=rX";

    [Fact]
    public void Du_counts_the_bytes_of_the_source()
    {
        var (exit, output, error) = MountFixture.Run("du", "-sb", fixture.MountPoint);

        Assert.True(exit == 0, error);
        // du -b adds the apparent size of each directory: the mount reports 4096, as ext4 does.
        var directories = Directory.GetDirectories(fixture.Cluster.SourceDir, "*", SearchOption.AllDirectories).Length + 1;
        var expected = MountFixture.Files.Sum(f => (long)f.Length) + (4096L * directories);
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), output.Split('\t')[0]);
    }

    [Fact]
    public void Tar_of_the_mount_has_the_sha256_of_the_same_tar_of_the_source()
    {
        var mounted = TarSha256(fixture.MountPoint);
        var source = TarSha256(fixture.Cluster.SourceDir);

        Assert.Equal(source, mounted);
    }

    [Fact]
    public void Tar_lists_every_file_and_directory_of_the_source()
    {
        var (exit, output, error) = MountFixture.Run("bash", "-c", $"set -o pipefail; tar -cf - {TarOptions} -C '{fixture.MountPoint}' . | tar -tf -");

        Assert.True(exit == 0, error);
        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.EndsWith('/')).Select(l => l[2..]).Order(StringComparer.Ordinal);
        Assert.Equal(MountFixture.Files.Select(f => f.Name).Order(StringComparer.Ordinal), listed);
    }

    private static string TarSha256(string directory)
    {
        var (exit, output, error) = MountFixture.Run("bash", "-c", $"set -o pipefail; tar -cf - {TarOptions} -C '{directory}' . | sha256sum");
        Assert.True(exit == 0, error);
        return output[..64];
    }
}
