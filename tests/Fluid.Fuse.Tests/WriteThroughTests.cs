using System.Security.Cryptography;
using Amazon.S3.Model;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Client;
using Fluid.Cache.Namespace;
using Fluid.Cache.Tests.Ufs;
using Fluid.Cache.Ufs;

namespace Fluid.Fuse.Tests;

/// <summary>A ReadWriteMany dataset mounted read-write: changes made with ordinary tools reach the source.</summary>
[Collection(RadosgwCollection.Name)]
public sealed class WriteThroughTests(RadosgwFixture rgw)
{
    [Fact]
    public async Task Files_created_written_renamed_and_removed_with_shell_tools_change_a_local_source()
    {
        await using var mounted = await MountedAsync(source => Spec(new Mount { MountPoint = "local://" + source, Name = "data", Path = "/" }));
        var mnt = mounted.MountPoint;
        var source = mounted.Cluster.SourceDir;
        var big = RandomNumberGenerator.GetBytes((3 << 20) + 123);
        File.WriteAllBytes(Path.Combine(mounted.Cluster.Root, "big.bin"), big);
        mounted.Cluster.WriteSource("old.txt", 100);

        Shell($"""
            set -e
            echo hello > {mnt}/hello.txt
            mkdir {mnt}/dir
            cp {mounted.Cluster.Root}/big.bin {mnt}/dir/big.bin
            mv {mnt}/hello.txt {mnt}/dir/renamed.txt
            printf 'more' >> {mnt}/dir/renamed.txt
            truncate -s 10 {mnt}/old.txt
            mkdir {mnt}/gone && rmdir {mnt}/gone
            """);

        Assert.Equal("hello\nmore", File.ReadAllText(Path.Combine(source, "dir", "renamed.txt")));
        Assert.False(File.Exists(Path.Combine(source, "hello.txt")));
        Assert.True(big.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(source, "dir", "big.bin"))));
        Assert.Equal(10, new FileInfo(Path.Combine(source, "old.txt")).Length);
        Assert.False(Directory.Exists(Path.Combine(source, "gone")));
        // Read back through the mount after the kernel's caches are gone: the new versions, from the cache.
        Assert.Equal("hello\nmore", Shell($"dd if={mnt}/dir/renamed.txt iflag=nocache status=none").Out);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), Shell($"sha256sum {mnt}/dir/big.bin").Out[..64]);
        Assert.Contains("10 ", Shell($"stat -c '%s ' {mnt}/old.txt").Out, StringComparison.Ordinal);

        Shell($"rm {mnt}/dir/renamed.txt");
        Assert.False(File.Exists(Path.Combine(source, "dir", "renamed.txt")));
        Assert.Contains("Directory not empty", Shell($"rmdir {mnt}/dir", expectFailure: true).Error, StringComparison.Ordinal);
        Assert.Contains("File exists", Shell($"mkdir {mnt}/dir", expectFailure: true).Error, StringComparison.Ordinal);
        Assert.Contains("No such file", Shell($"rm {mnt}/nothing", expectFailure: true).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_mount_refuses_writes_with_erofs_and_mv_between_two_sources_copies()
    {
        var other = Directory.CreateTempSubdirectory("fluid-fuse-ro-").FullName;
        var second = Directory.CreateTempSubdirectory("fluid-fuse-rw2-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(other, "keep.txt"), "keep");
            await using var mounted = await MountedAsync(source => Spec(
                new Mount { MountPoint = "local://" + source, Name = "rw" },
                new Mount { MountPoint = "local://" + second, Name = "rw2" },
                new Mount { MountPoint = "local://" + other, Name = "ro", ReadOnly = true }));
            var mnt = mounted.MountPoint;

            Shell($"echo x > {mnt}/rw/x.txt");
            Assert.Contains("Read-only file system", Shell($"echo x > {mnt}/ro/x.txt", expectFailure: true).Error, StringComparison.Ordinal);
            Assert.Contains("Read-only file system", Shell($"rm {mnt}/ro/keep.txt", expectFailure: true).Error, StringComparison.Ordinal);
            // rename(2) between two sources fails with EXDEV, and mv copies instead, as across two file systems.
            Shell($"mv {mnt}/rw/x.txt {mnt}/rw2/x.txt");
            Assert.Equal("x\n", File.ReadAllText(Path.Combine(second, "x.txt")));
            Assert.False(File.Exists(Path.Combine(mounted.Cluster.SourceDir, "x.txt")));
            Assert.Equal("keep", File.ReadAllText(Path.Combine(other, "keep.txt")));
            Assert.False(File.Exists(Path.Combine(other, "x.txt")));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public async Task Files_written_renamed_and_removed_through_the_mount_change_an_s3_bucket()
    {
        var bucket = await rgw.CreateBucketAsync();
        await rgw.PutAsync(bucket, "data/seed.txt", "seed"u8.ToArray());
        await using var mounted = await MountedAsync(source =>
        {
            var secrets = Path.Combine(Path.GetDirectoryName(source)!, "secrets", "default", "s3-keys");
            Directory.CreateDirectory(secrets);
            File.WriteAllText(Path.Combine(secrets, "access-key"), RadosgwFixture.AccessKey);
            File.WriteAllText(Path.Combine(secrets, "secret-key"), rgw.SecretKey);
            return Spec(new Mount
            {
                MountPoint = $"s3://{bucket}/data",
                Name = "s3",
                Path = "/",
                Options = new() { ["endpoint"] = rgw.Endpoint },
                EncryptOptions =
                [
                    new EncryptOption { Name = "access-key", ValueFrom = new EncryptOptionSource { SecretKeyRef = new SecretKeySelector { Name = "s3-keys", Key = "access-key" } } },
                    new EncryptOption { Name = "secret-key", ValueFrom = new EncryptOptionSource { SecretKeyRef = new SecretKeySelector { Name = "s3-keys", Key = "secret-key" } } },
                ],
            });
        });
        var mnt = mounted.MountPoint;
        var big = RandomNumberGenerator.GetBytes((2 << 20) + 5);
        File.WriteAllBytes(Path.Combine(mounted.Cluster.Root, "big.bin"), big);

        Shell($"""
            set -e
            cp {mounted.Cluster.Root}/big.bin {mnt}/big.bin
            echo one > {mnt}/a.txt
            mv {mnt}/a.txt {mnt}/b.txt
            rm {mnt}/seed.txt
            """);

        Assert.Equal(["data/b.txt", "data/big.bin"], await rgw.KeysAsync(bucket));
        using var s3 = rgw.AdminClient();
        using (var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "data/big.bin" }))
        using (var copy = new MemoryStream())
        {
            await response.ResponseStream.CopyToAsync(copy);
            Assert.True(big.AsSpan().SequenceEqual(copy.ToArray()), "the object differs from what was written through the mount");
        }

        Assert.Equal("one\n", Shell($"cat {mnt}/b.txt").Out);
        Assert.DoesNotContain(rgw.SecretKey, mounted.Log.ToString(), StringComparison.Ordinal);
    }

    private static DatasetSpec Spec(params Mount[] mounts) => new() { Mounts = [.. mounts], AccessModes = [AccessModes.ReadWriteMany] };

    private static async Task<Mounted> MountedAsync(Func<string, DatasetSpec> dataset)
    {
        var cluster = await TestCluster.StartAsync(dataset: dataset);
        var client = await cluster.ClientAsync();
        var writer = await SourceWriter.OpenAsync(client, new UfsRegistry().AddBuiltInConnectors(), new DirectorySecretSource(cluster.SecretsDir), CancellationToken.None);
        var log = new StringWriter();
        var mountPoint = Path.Combine(cluster.Root, "mnt");
        Directory.CreateDirectory(mountPoint);
        var mount = FuseMount.Mount(mountPoint, new DatasetFileSystem(client, new DatasetFileSystemOptions { Log = TextWriter.Synchronized(log) }, writer));
        return new Mounted(cluster, client, writer, mount, log);
    }

    private static (string Out, string Error) Shell(string script, bool expectFailure = false)
    {
        var (exit, output, error) = MountFixture.Run("bash", "-c", script);
        Assert.True(expectFailure ? exit != 0 : exit == 0, $"bash exited {exit}: {error}");
        return (output, error);
    }

    private sealed record Mounted(TestCluster Cluster, CacheClient Client, SourceWriter Writer, FuseMount Mount, StringWriter Log) : IAsyncDisposable
    {
        public string MountPoint => Mount.Mountpoint;

        public async ValueTask DisposeAsync()
        {
            Mount.Dispose();
            await Writer.DisposeAsync();
            await Client.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }
}
