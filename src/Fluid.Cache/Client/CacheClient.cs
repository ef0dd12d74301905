using System.Collections.Concurrent;
using Fluid.Cache.Namespace;
using Fluid.Cache.Placement;
using Fluid.Cache.Protocol;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;
using Fluid.Cache.Worker;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Client;

/// <summary>How a client reaches the cache.</summary>
public sealed class CacheClientOptions
{
    /// <summary>The master's base URL.</summary>
    public required Uri Master { get; init; }

    /// <summary>The runtime's token.</summary>
    public required string Token { get; init; }

    /// <summary>This machine's identity; workers with the same one are read through their block files.</summary>
    public string HostId { get; init; } = HostIdentity.Current;

    /// <summary>How long stats and listings are reused before asking the master again.</summary>
    public TimeSpan MetadataTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many workers are tried for a block before reading the source directly.</summary>
    public int OwnersTried { get; init; } = 2;

    /// <summary>Idle connections kept per worker.</summary>
    public int ConnectionsPerWorker { get; init; } = 16;

    /// <summary>Timeout of one request to a worker.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connectors for reading the source directly when no worker can serve a block; none disables that fallback.</summary>
    public UfsRegistry? DirectRegistry { get; init; }

    /// <summary>Secrets for the direct fallback.</summary>
    public ISecretSource? Secrets { get; init; }

    /// <summary>Connections one large remote read is spread over (1 MiB and larger).</summary>
    public int StreamsPerRead { get; init; } = 3;

    /// <summary>Block files kept open for short-circuit reads.</summary>
    public int OpenBlockFiles { get; init; } = 4096;
}

/// <summary>A file opened through the cache: its dataset path, size and version.</summary>
public sealed class CacheFile(UfsEntry entry)
{
    private long _nextOffset;

    /// <summary>Dataset path.</summary>
    public string Path => Entry.Path;

    /// <summary>Size in bytes.</summary>
    public long Size => Entry.Size;

    /// <summary>The version read; blocks of other versions are never returned.</summary>
    public string Version => Entry.Version;

    /// <summary>The stat the file was opened with.</summary>
    public UfsEntry Entry { get; } = entry;

    private FileKey? _key;

    /// <summary>The key of this file version's blocks, computed once.</summary>
    internal FileKey Key(string dataset) => _key ??= FileKey.Of(dataset, Path, Version);

    internal bool IsSequential(long offset) => Interlocked.Read(ref _nextOffset) == offset && offset > 0;

    internal void ReadUpTo(long end) => Interlocked.Exchange(ref _nextOffset, end);
}

/// <summary>
/// Reads a dataset through its cache: metadata from the master (cached), blocks routed by
/// rendezvous hashing to their workers without asking the master, straight from the block
/// files when the worker is on this host, and from another worker or the source itself when a
/// worker fails — the caller sees no error for that.
/// </summary>
public sealed class CacheClient : IAsyncDisposable
{
    private readonly CacheClientOptions _options;
    private readonly MasterClient _master;
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, UfsEntry? Entry)> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, IReadOnlyList<UfsEntry> Entries)> _lists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Address, bool Local), ConcurrentBag<WorkerConnection>> _idle = new();
    private readonly BlockFileCache _blockFiles;
    private readonly SemaphoreSlim _directLock = new(1);
    private readonly Timer _refresh;
    private volatile ClusterView _cluster;
    private volatile WorkerRing _ring;
    private DatasetTree? _direct;

    private CacheClient(CacheClientOptions options, MasterClient master, ClusterView cluster)
    {
        _options = options;
        _master = master;
        _cluster = cluster;
        _ring = new WorkerRing(cluster.Workers);
        _blockFiles = new BlockFileCache(options.OpenBlockFiles);
        _refresh = new Timer(
            _ =>
            {
                _ = RefreshClusterAsync(CancellationToken.None);
                _blockFiles.CloseEvicted();
            },
            null,
            TimeSpan.FromSeconds(3),
            TimeSpan.FromSeconds(3));
    }

    /// <summary>Block files held open for short-circuit reads (for tests).</summary>
    internal int OpenBlockFileCount => _blockFiles.Count;

    /// <summary>The dataset served.</summary>
    public string Dataset => _cluster.Dataset;

    /// <summary>The block size of the runtime.</summary>
    public int BlockSize => _cluster.BlockSize;

    /// <summary>The live workers at the last refresh.</summary>
    public IReadOnlyList<WorkerInfo> Workers => _cluster.Workers;

    /// <summary>The master's API.</summary>
    public MasterClient Master => _master;

    /// <summary>Reads that had to go to the source directly because no worker could serve them.</summary>
    public long DirectReads => Interlocked.Read(ref _directReads);

    /// <summary>Block reads served from block files on this host.</summary>
    public long ShortCircuitReads => Interlocked.Read(ref _shortCircuitReads);

    private long _directReads;
    private int _hinting;
    private long _shortCircuitReads;

    /// <summary>Connects to the master and learns the workers.</summary>
    public static async Task<CacheClient> ConnectAsync(CacheClientOptions options, CancellationToken cancellationToken)
    {
        // Reads block pool threads on sockets while sub-ranges arrive; the pool must not wait
        // half a second to add a thread each time (it grows slowly past its minimum).
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < 32)
        {
            ThreadPool.SetMinThreads(32, Math.Max(io, 32));
        }

        var master = new MasterClient(options.Master, options.Token);
        try
        {
            var cluster = await master.ClusterAsync(cancellationToken).ConfigureAwait(false);
            return new CacheClient(options, master, cluster);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Learns the live workers again.</summary>
    public async Task RefreshClusterAsync(CancellationToken cancellationToken)
    {
        try
        {
            var cluster = await _master.ClusterAsync(cancellationToken).ConfigureAwait(false);
            if (cluster.Generation != _cluster.Generation || cluster.Workers.Count != _cluster.Workers.Count)
            {
                _ring = new WorkerRing(cluster.Workers);
            }

            _cluster = cluster;
        }
        catch (MasterException)
        {
            // Keep routing with what we know; the master may be restarting.
        }
    }

    /// <summary>Stat of a dataset path; null when it does not exist.</summary>
    public async Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        if (_stats.TryGetValue(path, out var cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return cached.Entry;
        }

        var entry = await _master.StatAsync(path, cancellationToken).ConfigureAwait(false);
        _stats[path] = (DateTimeOffset.UtcNow + _options.MetadataTtl, entry);
        return entry;
    }

    /// <summary>Children of a dataset directory.</summary>
    public async Task<IReadOnlyList<UfsEntry>> ListAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        if (_lists.TryGetValue(path, out var cached) && cached.Expires > DateTimeOffset.UtcNow)
        {
            return cached.Entries;
        }

        var entries = await _master.ListAsync(path, cancellationToken).ConfigureAwait(false);
        var expires = DateTimeOffset.UtcNow + _options.MetadataTtl;
        foreach (var entry in entries)
        {
            _stats[entry.Path] = (expires, entry);
        }

        _lists[path] = (expires, entries);
        return entries;
    }

    /// <summary>Forgets cached metadata of a path here and at the master.</summary>
    public async Task RefreshAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        _stats.TryRemove(path, out _);
        _lists.TryRemove(path, out _);
        _lists.TryRemove(UfsPath.Parent(path), out _);
        await _master.RefreshAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a file for reading.</summary>
    public async Task<CacheFile> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var entry = await StatAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{path}: no such file in dataset {Dataset}");
        return entry.IsDirectory ? throw new IOException($"{path} is a directory") : new CacheFile(entry);
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; fewer only at the end of the file.</summary>
    public int Read(CacheFile file, long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = (int)Math.Max(0, Math.Min(buffer.Length, file.Size - offset));
        var flags = file.IsSequential(offset) ? ReadFlags.Sequential : ReadFlags.None;
        var blockSize = BlockSize;
        var done = 0;
        while (done < total)
        {
            var position = offset + done;
            var index = position / blockSize;
            var within = (int)(position - (index * blockSize));
            var count = Math.Min(total - done, blockSize - within);
            ReadBlock(file, index, within, buffer.Slice(done, count), flags);
            done += count;
        }

        file.ReadUpTo(offset + total);
        return total;
    }

    /// <summary>Reads on the thread pool.</summary>
    public Task<int> ReadAsync(CacheFile file, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        Task.Run(() => Read(file, offset, buffer.Span), cancellationToken);

    /// <summary>Caches a file's blocks on their workers (each on <paramref name="replicas"/> of them); returns the blocks loaded.</summary>
    public async Task<long> LoadAsync(string path, int replicas, CancellationToken cancellationToken) =>
        await LoadAsync(await OpenAsync(path, cancellationToken).ConfigureAwait(false), replicas, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Caches a file's blocks on their workers (each on <paramref name="replicas"/> of them), telling
    /// <paramref name="blockLoaded"/> the length of each block once its workers hold it; returns the blocks loaded.
    /// </summary>
    public async Task<long> LoadAsync(CacheFile file, int replicas, Action<long>? blockLoaded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var blockSize = BlockSize;
        var blocks = (file.Size + blockSize - 1) / blockSize;
        long loaded = 0;
        await Parallel.ForAsync(0L, blocks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, (index, _) =>
        {
            var request = Request(file, index);
            var owners = _ring.Owners(BlockOf(file, index), Math.Max(1, replicas));
            if (owners.Count == 0)
            {
                throw new IOException($"cannot load /{file.Path}: the master at {_master.Address} knows no live worker of dataset {Dataset}");
            }

            foreach (var owner in owners)
            {
                WithConnection(owner, local: false, c => c.Load(request, 1));
            }

            Interlocked.Increment(ref loaded);
            blockLoaded?.Invoke(Math.Min(blockSize, file.Size - (index * blockSize)));
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        return loaded;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _refresh.DisposeAsync().ConfigureAwait(false);
        foreach (var bag in _idle.Values)
        {
            while (bag.TryTake(out var connection))
            {
                connection.Dispose();
            }
        }

        _blockFiles.Dispose();
        if (_direct is not null)
        {
            await _direct.DisposeAsync().ConfigureAwait(false);
        }

        _directLock.Dispose();
        _master.Dispose();
    }

    private void ReadBlock(CacheFile file, long index, int within, Span<byte> destination, ReadFlags flags)
    {
        var block = BlockOf(file, index);
        var request = Request(file, index);
        foreach (var owner in _ring.Owners(block, _options.OwnersTried))
        {
            try
            {
                if (owner.LocalSocket is not null && owner.HostId == _options.HostId && TryShortCircuit(owner, block, request, within, destination, flags))
                {
                    return;
                }

                ReadRemote(owner, request, within, destination, flags);
                return;
            }
            catch (WorkerRequestException e) when (e.Status == Status.VersionChanged)
            {
                _stats.TryRemove(file.Path, out _);
                throw new SourceChangedException($"{file.Path} changed in the source since it was opened; open it again");
            }
            catch (WorkerRequestException e) when (e.Status == Status.NotFound)
            {
                throw new FileNotFoundException(e.Message);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ProtocolException)
            {
                // A dead or broken worker: forget its connections, try the next owner.
                Forget(owner);
                _ = RefreshClusterAsync(CancellationToken.None);
            }
        }

        ReadDirect(file, index, within, destination);
    }

    // Large ranges travel as parallel sub-ranges over several connections, so one request's round
    // trip never leaves the link idle (here one stream of 4 MiB requests reached ~55% of a single iperf3 stream, two ~85%, three ~100%).
    private unsafe void ReadRemote(WorkerInfo owner, BlockRequest request, int within, Span<byte> destination, ReadFlags flags)
    {
        var parts = destination.Length >= 1 << 20 ? Math.Max(1, _options.StreamsPerRead) : 1;
        if (parts == 1)
        {
            ReadPart(owner, request, within, destination, flags);
            return;
        }

        var partSize = (destination.Length + parts - 1) / parts;
        fixed (byte* start = destination)
        {
            var address = (nint)start;
            var length = destination.Length;
            var others = new Task[parts - 1];
            for (var i = 1; i < parts; i++)
            {
                var from = i * partSize;
                var size = Math.Min(partSize, length - from);
                others[i - 1] = Task.Factory.StartNew(
                    () => ReadPart(owner, request, within + from, new Span<byte>((byte*)address + from, size), flags & ~ReadFlags.Sequential),
                    CancellationToken.None,
                    TaskCreationOptions.None,
                    TaskScheduler.Default);
            }

            try
            {
                ReadPart(owner, request, within, new Span<byte>(start, Math.Min(partSize, length)), flags);
            }
            finally
            {
                // The other parts write into the caller's buffer: never return before they are done.
                try
                {
                    Task.WaitAll(others);
                }
                catch (AggregateException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            }
        }
    }

    private void ReadPart(WorkerInfo owner, BlockRequest request, int within, Span<byte> destination, ReadFlags flags)
    {
        var connection = Rent(owner, local: false);
        var ok = false;
        try
        {
            connection.Read(request, within, destination, flags);
            ok = true;
        }
        catch (WorkerRequestException e) when (e.Status is not (Status.BadRequest or Status.Unauthorized))
        {
            // An answered error leaves the connection usable.
            ok = true;
            throw;
        }
        finally
        {
            Return(owner, connection, local: false, ok);
        }
    }

    private bool TryShortCircuit(WorkerInfo owner, BlockId block, BlockRequest request, int within, Span<byte> destination, ReadFlags flags)
    {
        var handle = _blockFiles.Get(block);
        if (handle is null)
        {
            string path;
            SafeFileHandle? passed;
            try
            {
                (path, _, _, passed) = WithConnection(owner, local: true, c => c.OpenLocal(request, flags));
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException and not WorkerRequestException)
            {
                // The Unix socket is not reachable from here (another mount namespace, a stale path): use TCP.
                return false;
            }

            if (passed is not null)
            {
                // The worker sent the open file: its path may not exist here (the worker's tiers are its pod's volumes).
                handle = passed;
            }
            else
            {
                try
                {
                    handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }
                catch (FileNotFoundException)
                {
                    // Evicted between the answer and the open: read it over the socket instead.
                    return false;
                }
            }

            handle = _blockFiles.Add(block, handle);
        }
        else if ((flags & ReadFlags.Sequential) != 0 && within == 0 && Interlocked.CompareExchange(ref _hinting, 1, 0) == 0)
        {
            // The block is open already; still tell the worker a sequential reader is coming so it
            // prefetches — in the background, so a warm read never waits for that round trip.
            _ = Task.Run(() =>
            {
                try
                {
                    WithConnection(owner, local: true, c => c.OpenLocal(request, flags)).File?.Dispose();
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ProtocolException)
                {
                    // Only a hint.
                }
                finally
                {
                    Volatile.Write(ref _hinting, 0);
                }
            });
        }

        var done = 0;
        try
        {
            while (done < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination[done..], within + done);
                if (read <= 0)
                {
                    throw new IOException($"block file of {request.Path} block {request.BlockIndex} is shorter than expected");
                }

                done += read;
            }
        }
        catch (ObjectDisposedException)
        {
            // Another reader closed this handle to make room; read over the socket this time.
            return false;
        }

        Interlocked.Increment(ref _shortCircuitReads);
        return true;
    }

    private T WithConnection<T>(WorkerInfo worker, bool local, Func<WorkerConnection, T> call)
    {
        var connection = Rent(worker, local);
        var ok = false;
        try
        {
            var result = call(connection);
            ok = true;
            return result;
        }
        catch (WorkerRequestException e) when (e.Status is not (Status.BadRequest or Status.Unauthorized))
        {
            // An answered error leaves the connection usable.
            ok = true;
            throw;
        }
        finally
        {
            Return(worker, connection, local, ok);
        }
    }

    private WorkerConnection Rent(WorkerInfo worker, bool local) =>
        _idle.GetOrAdd((worker.Address, local), _ => []).TryTake(out var connection)
            ? connection
            : WorkerConnection.Open(worker.Address, local ? worker.LocalSocket : null, _options.Token, _options.RequestTimeout);

    private void Return(WorkerInfo worker, WorkerConnection connection, bool local, bool usable)
    {
        var bag = _idle.GetOrAdd((worker.Address, local), _ => []);
        if (usable && bag.Count < _options.ConnectionsPerWorker)
        {
            bag.Add(connection);
        }
        else
        {
            connection.Dispose();
        }
    }

    private void Forget(WorkerInfo worker)
    {
        foreach (var local in new[] { false, true })
        {
            if (_idle.TryRemove((worker.Address, local), out var bag))
            {
                while (bag.TryTake(out var connection))
                {
                    connection.Dispose();
                }
            }
        }
    }

    private void ReadDirect(CacheFile file, long index, int within, Span<byte> destination)
    {
        var tree = DirectTree() ?? throw new IOException($"no worker could serve {file.Path} block {index}, and reading the source directly is not configured");
        var target = tree.Resolve(file.Path) ?? throw new FileNotFoundException(file.Path);
        var position = (index * BlockSize) + within;
        var done = 0;
        var buffer = new byte[destination.Length];
        while (done < buffer.Length)
        {
            var read = target.Ufs.ReadAsync(target.SourcePath, position + done, buffer.AsMemory(done), file.Version, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (read <= 0)
            {
                throw new SourceChangedException($"{file.Path} is shorter in the source than when it was opened");
            }

            done += read;
        }

        buffer.CopyTo(destination);
        Interlocked.Increment(ref _directReads);
    }

    private DatasetTree? DirectTree()
    {
        if (_direct is not null || _options.DirectRegistry is null)
        {
            return _direct;
        }

        _directLock.Wait();
        try
        {
            if (_direct is null)
            {
                var dataset = _master.DatasetAsync(CancellationToken.None).GetAwaiter().GetResult();
                _direct = DatasetTree.Open(dataset, _options.DirectRegistry, _options.Secrets ?? new DirectorySecretSource("/etc/fluid/secrets"));
            }

            return _direct;
        }
        finally
        {
            _directLock.Release();
        }
    }

    private BlockRequest Request(CacheFile file, long index) => new(Dataset, file.Path, file.Version, file.Size, index);

    private BlockId BlockOf(CacheFile file, long index) => new(file.Key(Dataset), index);
}

/// <summary>Open block files of short-circuit reads, least recently used closed first.</summary>
internal sealed class BlockFileCache(int capacity) : IDisposable
{
    private readonly Dictionary<BlockId, (SafeFileHandle Handle, long Tick)> _files = [];
    private readonly Lock _lock = new();
    private long _tick;

    public SafeFileHandle? Get(BlockId id)
    {
        lock (_lock)
        {
            if (_files.TryGetValue(id, out var entry))
            {
                _files[id] = (entry.Handle, ++_tick);
                return entry.Handle;
            }

            return null;
        }
    }

    public SafeFileHandle Add(BlockId id, SafeFileHandle handle)
    {
        lock (_lock)
        {
            if (_files.TryGetValue(id, out var existing))
            {
                handle.Dispose();
                return existing.Handle;
            }

            if (_files.Count >= capacity)
            {
                // Handles are closed only when unused for a whole round of the cache, so a reader's handle stays open.
                var oldest = _files.MinBy(f => f.Value.Tick);
                _files.Remove(oldest.Key);
                oldest.Value.Handle.Dispose();
            }

            _files[id] = (handle, ++_tick);
            return handle;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _files.Count;
            }
        }
    }

    /// <summary>
    /// Closes the files of blocks their worker has evicted (deleted): an open descriptor keeps a deleted file's
    /// pages, which for a memory tier is memory the worker counted as freed.
    /// </summary>
    public void CloseEvicted()
    {
        // The links are read outside the lock: a sweep over thousands of files must not hold up the reads that look up theirs.
        List<(BlockId Id, SafeFileHandle Handle)> open;
        lock (_lock)
        {
            open = [.. _files.Select(f => (f.Key, f.Value.Handle))];
        }

        foreach (var (id, handle) in open)
        {
            if (IsDeleted(handle))
            {
                lock (_lock)
                {
                    // Unless the entry was replaced or dropped meanwhile.
                    if (_files.TryGetValue(id, out var entry) && entry.Handle == handle)
                    {
                        _files.Remove(id);
                        handle.Dispose();
                    }
                }
            }
        }
    }

    private static bool IsDeleted(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            // Held, so the descriptor number cannot be closed and reused while its link is read.
            handle.DangerousAddRef(ref added);
            return new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget?.EndsWith(" (deleted)", StringComparison.Ordinal) == true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (handle, _) in _files.Values)
            {
                handle.Dispose();
            }

            _files.Clear();
        }
    }
}
