using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Fluid.Cache.Ufs;

/// <summary>Opens <see cref="S3UnderFileSystem"/> for <c>s3://</c> and <c>oss://</c> (which speaks the S3 API).</summary>
public sealed class S3UfsProvider : IUfsProvider
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> Schemes { get; } = ["s3", "oss"];

    /// <inheritdoc/>
    public IUnderFileSystem Open(UfsMount mount) => new S3UnderFileSystem(mount);
}

/// <summary>
/// A bucket (or a prefix of one) reached through the S3 API: AWS, radosgw, MinIO, Aliyun OSS.
/// Directories are key prefixes; an empty directory is a zero-byte "dir/" marker object.
/// A file's version is its ETag, and a versioned read sends it as If-Match.
/// </summary>
public sealed class S3UnderFileSystem : IUnderFileSystem, IVersionedReader
{
    /// <summary>Files larger than this are uploaded in parts.</summary>
    public const long MultipartThreshold = 64L << 20;

    /// <summary>The size of each part of a multipart upload.</summary>
    public const int PartSize = 16 << 20;

    private readonly S3Settings _settings;
    private readonly AmazonS3Client _client;

    /// <summary>Opens a connector; throws <see cref="UfsException"/> when the options or secrets are incomplete.</summary>
    public S3UnderFileSystem(UfsMount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        Mount = mount;
        _settings = S3Settings.Read(mount);
        var config = new AmazonS3Config
        {
            // radosgw and most S3-compatible stores reject the newer default checksum headers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            ForcePathStyle = _settings.PathStyle,
            IgnoreConfiguredEndpointUrls = true,
            MaxErrorRetry = 2,
        };
        if (_settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = _settings.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(_settings.Region);
        }

        _client = new AmazonS3Client(_settings.Credentials, config);
    }

    /// <inheritdoc/>
    public UfsMount Mount { get; }

    /// <inheritdoc/>
    public bool CanWrite => true;

    /// <inheritdoc/>
    public async Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        if (path.Length > 0)
        {
            try
            {
                var head = await _client.GetObjectMetadataAsync(
                    new GetObjectMetadataRequest { BucketName = _settings.Bucket, Key = Key(path) }, cancellationToken);
                return new UfsEntry(path, false, head.ContentLength, Time(head.LastModified), head.ETag ?? "");
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Not an object: it may still be a directory, which the listing below tells.
            }
            catch (Exception e) when (IsServiceFailure(e, cancellationToken))
            {
                throw Failure(e, "stat", path);
            }
        }

        // The mount's root always exists once the bucket does; listing it surfaces NoSuchBucket.
        var page = await ListPageAsync(DirectoryPrefix(path), null, 1, delimiter: false, path, cancellationToken);
        var first = page.S3Objects?.FirstOrDefault();
        if (path.Length > 0 && first is null)
        {
            return null;
        }

        return new UfsEntry(path, true, 0, Time(first?.LastModified), "");
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<UfsEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        directory = UfsPath.Normalize(directory);
        var prefix = DirectoryPrefix(directory);
        string? token = null;
        do
        {
            var page = await ListPageAsync(prefix, token, _settings.ListPageSize, delimiter: true, directory, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                // The directory's own marker object is not a child.
                if (ChildName(item.Key, prefix) is { } name)
                {
                    yield return new UfsEntry(UfsPath.Combine(directory, name), false, item.Size ?? 0, Time(item.LastModified), item.ETag ?? "");
                }
            }

            foreach (var common in page.CommonPrefixes ?? [])
            {
                if (ChildName(common.TrimEnd('/'), prefix) is { } name)
                {
                    yield return new UfsEntry(UfsPath.Combine(directory, name), true, 0, DateTimeOffset.UnixEpoch, "");
                }
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        ReadRangeAsync(path, null, offset, buffer, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedVersion);
        return ReadRangeAsync(path, expectedVersion, offset, buffer, ct);
    }

    private async ValueTask<int> ReadRangeAsync(string path, string? expectedVersion, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        path = UfsPath.Normalize(path);
        if (buffer.Length == 0)
        {
            return 0;
        }

        var request = new GetObjectRequest
        {
            BucketName = _settings.Bucket,
            Key = Key(path),
            ByteRange = new ByteRange(offset, offset + buffer.Length - 1),
            EtagToMatch = expectedVersion,
        };
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken);
            return await response.ResponseStream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return 0; // the offset is at or past the end of the object
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw VersionedReads.Changed(Mount, path, expectedVersion ?? "", null);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "read", path);
        }
    }

    /// <inheritdoc/>
    public async Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        path = RequireFilePath(path);

        // Buffer up to the threshold: a smaller file goes up in one PUT, a larger one in parts.
        var buffer = new byte[(int)Math.Min(MultipartThreshold, 1 << 20)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length == MultipartThreshold)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(MultipartThreshold, buffer.Length * 4L));
            }

            var n = await content.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        var next = new byte[1];
        if (length < MultipartThreshold || await content.ReadAsync(next, cancellationToken) == 0)
        {
            try
            {
                using var body = new MemoryStream(buffer, 0, length, writable: false);
                await _client.PutObjectAsync(
                    new PutObjectRequest { BucketName = _settings.Bucket, Key = Key(path), InputStream = body, AutoCloseStream = false, UseChunkEncoding = false },
                    cancellationToken);
                return;
            }
            catch (Exception e) when (IsServiceFailure(e, cancellationToken))
            {
                throw Failure(e, "write", path);
            }
        }

        await WriteInPartsAsync(path, buffer, next[0], content, cancellationToken);
    }

    /// <summary>
    /// Uploads the buffered first <see cref="MultipartThreshold"/> bytes as parts, then the rest of the
    /// stream (starting with the byte already read past the buffer) one part at a time.
    /// </summary>
    private async Task WriteInPartsAsync(string path, byte[] buffer, byte nextByte, Stream content, CancellationToken cancellationToken)
    {
        var key = Key(path);
        string uploadId;
        try
        {
            uploadId = (await _client.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest { BucketName = _settings.Bucket, Key = key }, cancellationToken)).UploadId;
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "write", path);
        }

        var parts = new List<PartETag>();
        try
        {
            for (var offset = 0; offset < buffer.Length; offset += PartSize)
            {
                await UploadPartAsync(key, uploadId, parts, buffer.AsMemory(offset, PartSize), cancellationToken);
            }

            buffer[0] = nextByte;
            var length = 1;
            while (true)
            {
                while (length < PartSize)
                {
                    var n = await content.ReadAsync(buffer.AsMemory(length, PartSize - length), cancellationToken);
                    if (n == 0)
                    {
                        break;
                    }

                    length += n;
                }

                if (length > 0)
                {
                    await UploadPartAsync(key, uploadId, parts, buffer.AsMemory(0, length), cancellationToken);
                }

                if (length < PartSize)
                {
                    break;
                }

                length = 0;
            }

            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _settings.Bucket, Key = key, UploadId = uploadId, PartETags = parts },
                cancellationToken);
        }
        catch (Exception e)
        {
            try
            {
                await _client.AbortMultipartUploadAsync(
                    new AbortMultipartUploadRequest { BucketName = _settings.Bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
            }
            catch (Exception abort) when (IsServiceFailure(abort, CancellationToken.None))
            {
                // The upload expires by the bucket's lifecycle rules; the first failure is the one to report.
            }

            if (IsServiceFailure(e, cancellationToken))
            {
                throw Failure(e, "write", path);
            }

            throw;
        }
    }

    private async Task UploadPartAsync(string key, string uploadId, List<PartETag> parts, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var partNumber = parts.Count + 1;
        using var body = new ReadOnlyMemoryStream(data);
        var response = await _client.UploadPartAsync(
            new UploadPartRequest
            {
                BucketName = _settings.Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = body,
                PartSize = data.Length,
                UseChunkEncoding = false,
            },
            cancellationToken);
        parts.Add(new PartETag(partNumber, response.ETag));
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        var entry = await StatAsync(path, cancellationToken)
            ?? throw new UfsException($"cannot delete '{path}' in '{Mount.Display}': it does not exist");
        if (path.Length == 0)
        {
            throw new UfsException($"cannot delete the root of '{Mount.Display}'");
        }

        var key = Key(path);
        if (entry.IsDirectory)
        {
            var page = await ListPageAsync(DirectoryPrefix(path), null, 2, delimiter: false, path, cancellationToken);
            if (page.S3Objects?.Any(o => o.Key != DirectoryPrefix(path)) == true)
            {
                throw new UfsException($"cannot delete directory '{path}' in '{Mount.Display}': it is not empty");
            }

            key = DirectoryPrefix(path);
        }

        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _settings.Bucket, Key = key }, cancellationToken);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "delete", path);
        }
    }

    /// <inheritdoc/>
    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        from = RequireFilePath(from);
        to = RequireFilePath(to);
        if (from == to)
        {
            return;
        }

        // S3 has no rename: copy server-side, then delete the source (not atomic; a reader may briefly see both).
        try
        {
            await _client.CopyObjectAsync(
                new CopyObjectRequest
                {
                    SourceBucket = _settings.Bucket,
                    SourceKey = Key(from),
                    DestinationBucket = _settings.Bucket,
                    DestinationKey = Key(to),
                },
                cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new UfsException($"cannot rename '{from}' in '{Mount.Display}': it does not exist");
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "rename", from);
        }

        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _settings.Bucket, Key = Key(from) }, cancellationToken);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "delete the source of a rename", from);
        }
    }

    /// <inheritdoc/>
    public async Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        if (path.Length == 0)
        {
            return;
        }

        // Parents need no markers: a prefix exists as long as any key is under it.
        try
        {
            using var empty = new MemoryStream([], writable: false);
            await _client.PutObjectAsync(
                new PutObjectRequest { BucketName = _settings.Bucket, Key = DirectoryPrefix(path), InputStream = empty, UseChunkEncoding = false },
                cancellationToken);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "create directory", path);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private string Key(string path) => _settings.Prefix + path;

    /// <summary>The prefix every key under a directory starts with ("" or ".../").</summary>
    private string DirectoryPrefix(string directory) => directory.Length == 0 ? _settings.Prefix : Key(directory) + "/";

    private string RequireFilePath(string path)
    {
        path = UfsPath.Normalize(path);
        return path.Length > 0 ? path : throw new UfsException($"'{Mount.Display}': the mount's root is a directory, not a file");
    }

    /// <summary>The name of a listed key under <paramref name="prefix"/>, or null when it is no usable child name.</summary>
    private static string? ChildName(string key, string prefix)
    {
        if (key.Length <= prefix.Length || !key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = key[prefix.Length..];
        return name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) ? null : name;
    }

    private async Task<ListObjectsV2Response> ListPageAsync(
        string prefix, string? token, int maxKeys, bool delimiter, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.ListObjectsV2Async(
                new ListObjectsV2Request
                {
                    BucketName = _settings.Bucket,
                    Prefix = prefix,
                    Delimiter = delimiter ? "/" : null,
                    MaxKeys = maxKeys,
                    ContinuationToken = token,
                },
                cancellationToken);
        }
        catch (Exception e) when (IsServiceFailure(e, cancellationToken))
        {
            throw Failure(e, "list", path);
        }
    }

    private static DateTimeOffset Time(DateTime? time) =>
        time switch
        {
            null => DateTimeOffset.UnixEpoch,
            { Kind: DateTimeKind.Local } t => new DateTimeOffset(t.ToUniversalTime()),
            { } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        };

    /// <summary>A failure of the service or the network, as opposed to the caller cancelling or a bug.</summary>
    private static bool IsServiceFailure(Exception e, CancellationToken cancellationToken) =>
        e switch
        {
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            AmazonServiceException or AmazonClientException or HttpRequestException or SocketException => true,
            IOException and not UfsException => true,
            _ => false,
        };

    /// <summary>Turns an SDK or network failure into a message that says what to fix; never includes a secret.</summary>
    private UfsException Failure(Exception e, string action, string path)
    {
        var where = $"mount '{Mount.Display}'";
        var endpoint = _settings.EndpointDisplay;
        var what = path.Length == 0 ? "the root" : $"'{path}'";
        if (e is AmazonS3Exception s3)
        {
            var code = string.IsNullOrEmpty(s3.ErrorCode) ? ((int)s3.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : s3.ErrorCode;
            if (s3.ErrorCode == "NoSuchBucket")
            {
                return new UfsException($"{where}: bucket '{_settings.Bucket}' does not exist at {endpoint}; create it or correct the bucket in mountPoint", e);
            }

            if (s3.StatusCode == HttpStatusCode.Forbidden || s3.ErrorCode is "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch")
            {
                var hint = _settings.Credentials is AnonymousAWSCredentials
                    ? "no credentials were given: put the access key in encryptOptions (access-key and secret-key)"
                    : "check the access key in encryptOptions (access-key/secret-key, aws.accessKeyId/aws.secretKey, fs.s3a.* or fs.oss.* keys) and that it may use this bucket";
                return new UfsException($"{where}: {endpoint} refused to {action} {what} in bucket '{_settings.Bucket}' ({code}); {hint}", e);
            }

            if (s3.StatusCode == HttpStatusCode.NotFound)
            {
                return new UfsException($"{where}: cannot {action} {what}: it does not exist", e);
            }

            return new UfsException($"{where}: {action} {what} failed at {endpoint}: {code} {s3.Message}", e);
        }

        if (Unwrap<SocketException>(e) is { } socket)
        {
            return new UfsException($"{where}: cannot reach {endpoint} ({socket.Message}); check the endpoint option and that the S3 service is running", e);
        }

        if (Unwrap<HttpRequestException>(e) is { } http)
        {
            return new UfsException($"{where}: cannot reach {endpoint} ({http.Message}); check the endpoint option and that the S3 service is running", e);
        }

        if (e is OperationCanceledException)
        {
            return new UfsException($"{where}: {endpoint} did not answer in time while trying to {action} {what}", e);
        }

        return new UfsException($"{where}: {action} {what} failed at {endpoint}: {e.Message}", e);
    }

    private static T? Unwrap<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>A read-only seekable stream over memory the upload does not own (a part of the write buffer).</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, data.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => data.Length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
