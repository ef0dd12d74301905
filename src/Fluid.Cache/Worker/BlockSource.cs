using System.Buffers;
using System.Collections.Concurrent;
using Fluid.Cache.Namespace;
using Fluid.Cache.Protocol;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Worker;

/// <summary>The source file changed since the client looked it up; the client must stat it again.</summary>
public sealed class SourceChangedException(string message) : UfsException(message);

/// <summary>A block's bytes ready to send: an open block file, or a buffer when the block could not be kept.</summary>
public sealed class BlockData : IDisposable
{
    private readonly byte[]? _buffer;

    internal BlockData(BlockReader file, bool fromSource)
    {
        File = file;
        Length = file.Length;
        Crc = file.Crc;
        FromSource = fromSource;
    }

    internal BlockData(byte[] buffer, int length, uint crc)
    {
        _buffer = buffer;
        Length = length;
        Crc = crc;
        FromSource = true;
    }

    /// <summary>The cached block file, or null when the bytes are only in memory.</summary>
    public BlockReader? File { get; }

    /// <summary>The bytes when not cached.</summary>
    public ReadOnlySpan<byte> Memory => _buffer.AsSpan(0, (int)Length);

    /// <summary>Block length.</summary>
    public long Length { get; }

    /// <summary>CRC32C of the whole block.</summary>
    public uint Crc { get; }

    /// <summary>True when this request had to read the source.</summary>
    public bool FromSource { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        File?.Dispose();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}

/// <summary>Counters of a worker, reported to the master.</summary>
public sealed class WorkerCounters
{
    private long _hits;
    private long _localHits;
    private long _misses;
    private long _bytesFromCache;
    private long _localBytesFromCache;
    private long _bytesFromSource;
    private long _sourceReads;

    /// <summary>Block reads served from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Cache hits served to clients on this host (short-circuit or Unix socket).</summary>
    public long LocalHits => Interlocked.Read(ref _localHits);

    /// <summary>Block reads that went to the source.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes sent from cached blocks.</summary>
    public long BytesFromCache => Interlocked.Read(ref _bytesFromCache);

    /// <summary>Bytes of cache hits served to clients on this host (short-circuit or Unix socket).</summary>
    public long LocalBytesFromCache => Interlocked.Read(ref _localBytesFromCache);

    /// <summary>Bytes sent that came from the source.</summary>
    public long BytesFromSource => Interlocked.Read(ref _bytesFromSource);

    /// <summary>Blocks read from the source (after coalescing).</summary>
    public long SourceReads => Interlocked.Read(ref _sourceReads);

    internal void Served(bool fromSource, long bytes, bool local)
    {
        if (fromSource)
        {
            Interlocked.Increment(ref _misses);
            Interlocked.Add(ref _bytesFromSource, bytes);
        }
        else
        {
            Interlocked.Increment(ref _hits);
            Interlocked.Add(ref _bytesFromCache, bytes);
            if (local)
            {
                Interlocked.Increment(ref _localHits);
                Interlocked.Add(ref _localBytesFromCache, bytes);
            }
        }
    }

    internal void SourceRead() => Interlocked.Increment(ref _sourceReads);
}

/// <summary>
/// Gets blocks for the data server: from the block store when cached, otherwise read through
/// from the source once — concurrent misses of one block share one fetch — and kept.
/// </summary>
public sealed class BlockSource(BlockStore store, DatasetTree tree, WorkerOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<BlockId, Lazy<Task>> _inflight = new();
    private readonly SemaphoreSlim _fetchSlots = new(options.MaxConcurrentFetches);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Block size of this worker's store.</summary>
    public int BlockSize => options.Store.BlockSize;

    /// <summary>Hit and miss counters.</summary>
    public WorkerCounters Counters { get; } = new();

    /// <summary>The dataset this source serves.</summary>
    public DatasetTree Tree => tree;

    /// <summary>The block a request names, cached or fetched; prefetches ahead when the reader is sequential.</summary>
    public async Task<BlockData> GetAsync(BlockRequest request, ReadFlags flags, CancellationToken cancellationToken)
    {
        var id = Id(request);
        if ((flags & ReadFlags.Sequential) != 0)
        {
            Prefetch(request);
        }

        if (store.TryOpen(id) is { } cached)
        {
            return new BlockData(cached, fromSource: false);
        }

        if ((flags & ReadFlags.NoCache) != 0 && !_inflight.ContainsKey(id))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(request.BlockLength(BlockSize));
            try
            {
                var length = await ReadSourceAsync(request, buffer, cancellationToken).ConfigureAwait(false);
                return new BlockData(buffer, length, Crc32C.Compute(buffer.AsSpan(0, length)));
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }

        await FetchAsync(request, id).WaitAsync(cancellationToken).ConfigureAwait(false);
        return store.TryOpen(id) is { } fetched
            ? new BlockData(fetched, fromSource: true)
            : await GetAsync(request, flags | ReadFlags.NoCache, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Caches <paramref name="count"/> blocks from the request's block on (prewarm).</summary>
    public async Task<int> LoadAsync(BlockRequest request, int count, CancellationToken cancellationToken)
    {
        var blocks = (int)Math.Min(count, ((request.FileSize + BlockSize - 1) / BlockSize) - request.BlockIndex);
        var tasks = Enumerable.Range(0, blocks)
            .Select(i => request with { BlockIndex = request.BlockIndex + i })
            .Select(r => store.Contains(Id(r)) ? Task.CompletedTask : FetchAsync(r, Id(r)));
        await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        return blocks;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _fetchSlots.Dispose();
    }

    private static BlockId Id(BlockRequest request) =>
        new(FileKey.Of(request.Dataset, request.Path, request.Version), request.BlockIndex);

    private void Prefetch(BlockRequest request)
    {
        var lastBlock = (request.FileSize - 1) / BlockSize;
        for (var i = 1; i <= options.PrefetchBlocks && request.BlockIndex + i <= lastBlock; i++)
        {
            var next = request with { BlockIndex = request.BlockIndex + i };
            var id = Id(next);
            if (!_inflight.ContainsKey(id) && !store.Contains(id))
            {
                _ = FetchAsync(next, id).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }
        }
    }

    // One fetch per block at a time: later callers wait for the first one's task.
    private Task FetchAsync(BlockRequest request, BlockId id)
    {
        var lazy = _inflight.GetOrAdd(id, _ => new Lazy<Task>(() => FetchOnceAsync(request, id)));
        return lazy.Value;
    }

    private async Task FetchOnceAsync(BlockRequest request, BlockId id)
    {
        await _fetchSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(request.BlockLength(BlockSize));
        try
        {
            var length = await ReadSourceAsync(request, buffer, _stopping.Token).ConfigureAwait(false);
            store.Put(id, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _fetchSlots.Release();
            _inflight.TryRemove(id, out _);
        }
    }

    private async Task<int> ReadSourceAsync(BlockRequest request, byte[] buffer, CancellationToken cancellationToken)
    {
        var target = tree.Resolve(request.Path) ?? throw new FileNotFoundException($"{request.Path} is a directory of the dataset, not a file");
        var length = request.BlockLength(BlockSize);
        var start = request.BlockIndex * BlockSize;
        Counters.SourceRead();

        // Parallel ranged reads: one slow range request does not serialize the whole block.
        var parts = Math.Clamp(length / (1 << 20), 1, Math.Max(1, options.SourceParallelism));
        var partSize = (length + parts - 1) / parts;
        var reads = new Task[parts];
        for (var p = 0; p < parts; p++)
        {
            var from = p * partSize;
            var size = Math.Min(partSize, length - from);
            reads[p] = ReadRangeAsync(target.Ufs, target.SourcePath, request.Version, start + from, buffer.AsMemory(from, size), cancellationToken);
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
        return length;
    }

    private static async Task ReadRangeAsync(IUnderFileSystem ufs, string path, string version, long offset, Memory<byte> target, CancellationToken cancellationToken)
    {
        while (target.Length > 0)
        {
            // Only bytes of the version the client looked up: a changed file fails the read instead.
            var read = await ufs.ReadAsync(path, offset, target, version, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                throw new SourceChangedException($"{path} is shorter in the source than when it was looked up; stat it again");
            }

            offset += read;
            target = target[read..];
        }
    }
}
