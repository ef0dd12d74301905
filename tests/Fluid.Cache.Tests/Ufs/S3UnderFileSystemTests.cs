using System.Security.Cryptography;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

[Collection(RadosgwCollection.Name)]
public sealed class S3UnderFileSystemTests(RadosgwFixture rgw)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Stat_reports_an_objects_size_and_etag_and_a_key_prefix_as_a_directory()
    {
        var bucket = await rgw.CreateBucketAsync();
        var etag = await rgw.PutAsync(bucket, "data/a.bin", Bytes(100, 1));
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}"));

        var file = await s3.StatAsync("data/a.bin", None);
        Assert.NotNull(file);
        Assert.Equal(("data/a.bin", false, 100L, etag), (file.Path, file.IsDirectory, file.Size, file.Version));
        Assert.InRange(file.ModifiedTime, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.True((await s3.StatAsync("/data/", None))?.IsDirectory);
        Assert.True((await s3.StatAsync("", None))?.IsDirectory);
        Assert.Null(await s3.StatAsync("dat", None));
        Assert.Null(await s3.StatAsync("data/a.bin/x", None));
        Assert.Null(await s3.StatAsync("missing", None));
    }

    [Fact]
    public async Task List_pages_through_a_directory_and_returns_only_its_direct_children()
    {
        var bucket = await rgw.CreateBucketAsync();
        for (var i = 0; i < 7; i++)
        {
            await rgw.PutAsync(bucket, $"dir/f{i}", Bytes(i + 1, i));
        }

        await rgw.PutAsync(bucket, "dir/sub1/x", Bytes(1, 0));
        await rgw.PutAsync(bucket, "dir/sub2/deep/y", Bytes(1, 0));
        await rgw.PutAsync(bucket, "dirx/w", Bytes(1, 0));
        await rgw.PutAsync(bucket, "top", Bytes(3, 0));
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}", new() { ["list-page-size"] = "2" }));

        var children = await ListAsync(s3, "dir");
        Assert.Equal(
            ["dir/f0", "dir/f1", "dir/f2", "dir/f3", "dir/f4", "dir/f5", "dir/f6", "dir/sub1/", "dir/sub2/"],
            children.Select(e => e.IsDirectory ? e.Path + "/" : e.Path));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), children.Where(e => !e.IsDirectory).Select(e => e.Size));
        Assert.All(children.Where(e => !e.IsDirectory), e => Assert.StartsWith("\"", e.Version, StringComparison.Ordinal));

        Assert.Equal(["dir/", "dirx/", "top"], (await ListAsync(s3, "")).Select(e => e.IsDirectory ? e.Path + "/" : e.Path));
        Assert.Equal(["dir/sub2/deep/"], (await ListAsync(s3, "dir/sub2")).Select(e => e.Path + "/"));
    }

    [Fact]
    public async Task A_created_directory_is_a_marker_that_stat_and_list_show_while_it_is_empty()
    {
        var bucket = await rgw.CreateBucketAsync();
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}"));

        await s3.CreateDirectoryAsync("empty/inner", None);

        Assert.True((await s3.StatAsync("empty/inner", None))?.IsDirectory);
        Assert.True((await s3.StatAsync("empty", None))?.IsDirectory);
        Assert.Equal(["empty/inner"], (await ListAsync(s3, "empty")).Select(e => e.Path));
        Assert.Empty(await ListAsync(s3, "empty/inner"));

        await s3.WriteFileAsync("empty/inner/f", new MemoryStream(Bytes(5, 5)), None);
        var notEmpty = await Assert.ThrowsAsync<UfsException>(() => s3.DeleteAsync("empty/inner", None));
        Assert.Contains("not empty", notEmpty.Message, StringComparison.Ordinal);

        await s3.DeleteAsync("empty/inner/f", None);
        await s3.DeleteAsync("empty/inner", None);
        Assert.Null(await s3.StatAsync("empty/inner", None));
    }

    [Fact]
    public async Task Ranged_reads_at_odd_offsets_return_the_stored_bytes()
    {
        var bucket = await rgw.CreateBucketAsync();
        var content = Bytes(1_000_003, 7);
        await rgw.PutAsync(bucket, "big.bin", content);
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}"));

        foreach (var (offset, length) in new[] { (0L, 7), (1L, 4093), (65_537L, 300_001), (999_999L, 4) })
        {
            var buffer = new byte[length];
            Assert.Equal(length, await s3.ReadAsync("big.bin", offset, buffer, None));
            Assert.Equal(content.AsSpan((int)offset, length).ToArray(), buffer);
        }

        var tail = new byte[100];
        Assert.Equal(4, await s3.ReadAsync("big.bin", 999_999, tail, None));
        Assert.Equal(content.AsSpan(999_999).ToArray(), tail.AsSpan(0, 4).ToArray());
        Assert.Equal(0, await s3.ReadAsync("big.bin", 1_000_003, tail, None));
        Assert.Equal(0, await s3.ReadAsync("big.bin", 5_000_000, tail, None));
    }

    [Fact]
    public async Task A_read_expecting_an_old_version_fails_once_the_object_changed()
    {
        var bucket = await rgw.CreateBucketAsync();
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}"));
        await s3.WriteFileAsync("f", new MemoryStream(Bytes(4096, 1)), None);
        var first = (await s3.StatAsync("f", None))!.Version;
        var buffer = new byte[100];
        Assert.Equal(100, await s3.ReadAsync("f", 17, buffer, first, None));

        var second = Bytes(4096, 2);
        await s3.WriteFileAsync("f", new MemoryStream(second), None);

        var changed = await Assert.ThrowsAsync<UfsVersionChangedException>(async () => await s3.ReadAsync("f", 17, buffer, first, None));
        Assert.Contains("'f'", changed.Message, StringComparison.Ordinal);
        var current = (await s3.StatAsync("f", None))!.Version;
        Assert.NotEqual(first, current);
        Assert.Equal(100, await s3.ReadAsync("f", 17, buffer, current, None));
        Assert.Equal(second.AsSpan(17, 100).ToArray(), buffer);
    }

    [Fact]
    public async Task Write_rename_and_delete_change_what_stat_list_and_read_see()
    {
        var bucket = await rgw.CreateBucketAsync();
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}"));
        var content = Bytes(300_000, 3);

        await s3.WriteFileAsync("w/a.bin", new MemoryStream(content), None);
        Assert.Equal(300_000, (await s3.StatAsync("w/a.bin", None))?.Size);

        await s3.RenameAsync("w/a.bin", "w/b.bin", None);
        Assert.Null(await s3.StatAsync("w/a.bin", None));
        Assert.Equal(["w/b.bin"], (await ListAsync(s3, "w")).Select(e => e.Path));
        var back = new byte[content.Length];
        Assert.Equal(content.Length, await s3.ReadAsync("w/b.bin", 0, back, None));
        Assert.Equal(content, back);

        var missing = await Assert.ThrowsAsync<UfsException>(() => s3.RenameAsync("w/a.bin", "w/c.bin", None));
        Assert.Contains("'w/a.bin'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        await s3.DeleteAsync("w/b.bin", None);
        Assert.Null(await s3.StatAsync("w/b.bin", None));
        Assert.Null(await s3.StatAsync("w", None));
        await Assert.ThrowsAsync<UfsException>(() => s3.DeleteAsync("w/b.bin", None));
    }

    [Fact]
    public async Task A_70_MiB_file_is_uploaded_in_parts_and_reads_back_intact()
    {
        var bucket = await rgw.CreateBucketAsync();
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}"));
        var content = Bytes(70 << 20, 70);

        await s3.WriteFileAsync("large.bin", new NonSeekableStream(content), None);

        var entry = await s3.StatAsync("large.bin", None);
        Assert.Equal(70L << 20, entry?.Size);
        Assert.EndsWith("-5\"", entry?.Version, StringComparison.Ordinal); // 4 buffered parts of 16 MiB and one of 6 MiB
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[8 << 20];
        long offset = 0;
        int n;
        while ((n = await s3.ReadAsync("large.bin", offset, buffer, entry!.Version, None)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            offset += n;
        }

        Assert.Equal(SHA256.HashData(content), hash.GetHashAndReset());
    }

    [Fact]
    public async Task A_wrong_secret_key_is_reported_as_an_access_key_problem_without_the_secret()
    {
        var bucket = await rgw.CreateBucketAsync();
        var wrongSecret = "wrong" + Guid.NewGuid().ToString("N");
        await using var s3 = new S3UnderFileSystem(rgw.Mount(
            $"s3://{bucket}",
            secrets: new() { ["aws.accessKeyId"] = new(RadosgwFixture.AccessKey), ["aws.secretKey"] = new(wrongSecret) }));

        var statFailure = await Assert.ThrowsAsync<UfsException>(() => s3.StatAsync("a", None));
        var listFailure = await Assert.ThrowsAsync<UfsException>(async () => await ListAsync(s3, ""));

        foreach (var failure in new[] { statFailure, listFailure })
        {
            Assert.Contains("check the access key in encryptOptions", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongSecret, failure.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(rgw.SecretKey, failure.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("SignatureDoesNotMatch", listFailure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_credentials_a_private_bucket_asks_for_an_access_key()
    {
        var bucket = await rgw.CreateBucketAsync();
        await using var s3 = new S3UnderFileSystem(rgw.Mount($"s3://{bucket}", secrets: []));

        var failure = await Assert.ThrowsAsync<UfsException>(async () => await ListAsync(s3, ""));

        Assert.Contains("no credentials were given", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bucket_is_named_with_the_endpoint()
    {
        await using var s3 = new S3UnderFileSystem(rgw.Mount("s3://no-such-bucket-here/data"));

        var failure = await Assert.ThrowsAsync<UfsException>(() => s3.StatAsync("a.bin", None));

        Assert.Contains($"bucket 'no-such-bucket-here' does not exist at {rgw.Endpoint}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_nobody_listens_on_is_reported_as_unreachable()
    {
        var endpoint = $"http://127.0.0.1:{TestPorts.Free()}";
        await using var s3 = new S3UnderFileSystem(rgw.Mount("s3://bucket", new() { ["endpoint"] = endpoint }));

        var failure = await Assert.ThrowsAsync<UfsException>(() => s3.StatAsync("a", None));

        Assert.Contains($"cannot reach {endpoint}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oss_mount_with_fs_oss_options_reads_and_writes_like_s3()
    {
        var bucket = await rgw.CreateBucketAsync();
        await rgw.PutAsync(bucket, "datasets/imagenet/a", Bytes(10, 1));
        var mount = new UfsMount(
            new Uri($"oss://{bucket}/datasets"),
            new Dictionary<string, string> { ["fs.oss.endpoint"] = rgw.Endpoint },
            new Dictionary<string, SecretValue>
            {
                ["fs.oss.accessKeyId"] = new(RadosgwFixture.AccessKey),
                ["fs.oss.accessKeySecret"] = new(rgw.SecretKey),
            });
        await using var oss = new UfsRegistry().AddBuiltInConnectors().Open(mount);

        Assert.IsType<S3UnderFileSystem>(oss);
        Assert.Equal(["imagenet/"], (await ListAsync(oss, "")).Select(e => e.Path + "/"));
        await oss.WriteFileAsync("imagenet/b", new MemoryStream(Bytes(20, 2)), None);
        Assert.Equal(["imagenet/a", "imagenet/b"], (await ListAsync(oss, "imagenet")).Select(e => e.Path));
        var buffer = new byte[5];
        Assert.Equal(5, await oss.ReadAsync("imagenet/b", 3, buffer, None));
        Assert.Equal(Bytes(20, 2).AsSpan(3, 5).ToArray(), buffer);
    }

    [Fact]
    public async Task Alluxio_option_names_and_a_key_prefix_confine_the_mount_to_the_prefix()
    {
        var bucket = await rgw.CreateBucketAsync();
        await rgw.PutAsync(bucket, "p/q/a", Bytes(4, 1));
        await rgw.PutAsync(bucket, "other", Bytes(4, 1));
        var mount = new UfsMount(
            new Uri($"s3://{bucket}/p"),
            new Dictionary<string, string>
            {
                ["alluxio.underfs.s3.endpoint"] = rgw.Endpoint,
                ["alluxio.underfs.s3.endpoint.region"] = "default",
                ["alluxio.underfs.s3.disable.dns.buckets"] = "true",
            },
            new Dictionary<string, SecretValue> { ["aws.accessKeyId"] = new(RadosgwFixture.AccessKey), ["aws.secretKey"] = new(rgw.SecretKey) });
        await using var s3 = new S3UnderFileSystem(mount);

        Assert.Equal(4, (await s3.StatAsync("q/a", None))?.Size);
        Assert.Null(await s3.StatAsync("other", None));
        Assert.Equal(["q/"], (await ListAsync(s3, "")).Select(e => e.Path + "/"));

        await s3.WriteFileAsync("new", new MemoryStream(Bytes(1, 1)), None);
        Assert.Equal(["other", "p/new", "p/q/a"], await rgw.KeysAsync(bucket));
    }

    [Fact]
    public async Task The_default_profile_of_a_credentials_file_is_used_with_hadoop_option_names()
    {
        var bucket = await rgw.CreateBucketAsync();
        await rgw.PutAsync(bucket, "a", Bytes(9, 1));
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(
                file,
                $"[other]\naws_access_key_id = nobody\naws_secret_access_key = nothing\n\n[default]\naws_access_key_id = {RadosgwFixture.AccessKey}\naws_secret_access_key = {rgw.SecretKey}\n");
            var mount = new UfsMount(
                new Uri($"s3://{bucket}"),
                new Dictionary<string, string>
                {
                    ["fs.s3a.endpoint"] = rgw.Endpoint,
                    ["fs.s3a.path.style.access"] = "true",
                    ["credentials-file"] = file,
                },
                new Dictionary<string, SecretValue>());
            await using var s3 = new S3UnderFileSystem(mount);

            Assert.Equal(9, (await s3.StatAsync("a", None))?.Size);
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static async Task<List<UfsEntry>> ListAsync(IUnderFileSystem ufs, string directory)
    {
        var entries = new List<UfsEntry>();
        await foreach (var entry in ufs.ListAsync(directory, None))
        {
            entries.Add(entry);
        }

        return entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>A stream that hides its length, as a network upload would.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
