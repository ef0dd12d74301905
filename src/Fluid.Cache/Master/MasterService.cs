using System.Collections.Concurrent;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Api.Validation;
using Fluid.Cache.Namespace;
using Fluid.Cache.Placement;
using Fluid.Cache.Protocol;
using Fluid.Cache.Ufs;
using Microsoft.Extensions.Logging;

namespace Fluid.Cache.Master;

/// <summary>A dataset definition the master refuses, with every problem.</summary>
public sealed class DatasetRejectedException(string message) : Exception(message);

/// <summary>
/// The master of one runtime: the dataset it serves, worker membership, metadata with a TTL,
/// and the dataset's figures. Its state survives restarts; workers re-register by heartbeat.
/// </summary>
public sealed class MasterService : IAsyncDisposable
{
    // Reports of operations nobody updated for this long are dropped (their reconciler has long read the last one).
    private static readonly TimeSpan ProgressKept = TimeSpan.FromHours(24);

    private readonly MasterOptions _options;
    private readonly UfsRegistry _registry;
    private readonly ISecretSource _secrets;
    private readonly ILogger _log;
    private readonly string _statePath;
    private readonly MasterState _state;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = [];
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, UfsEntry? Entry)> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, IReadOnlyList<UfsEntry> Entries)> _lists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LoadProgress> _operations = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private DatasetTree? _tree;
    private long _generation;
    private bool _dirty;
    private readonly CancellationTokenSource _stopping = new();
    private Task _sync = Task.CompletedTask;
    private bool _syncing;
    private bool _syncAgain;

    /// <summary>Loads the state from the data directory and reopens the dataset it names.</summary>
    public MasterService(MasterOptions options, UfsRegistry registry, ISecretSource secrets, ILogger log, TimeProvider? time = null)
    {
        _options = options;
        _registry = registry;
        _secrets = secrets;
        _log = log;
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.DataDirectory);
        _statePath = Path.Combine(options.DataDirectory, "master-state.json");
        _state = MasterState.Load(_statePath);
        if (_state.Dataset is { } saved)
        {
            _tree = DatasetTree.Open(FluidJson.FromNode<Dataset>(saved), registry, secrets);
            _log.LogInformation("restored dataset {Dataset} ({Files} files, {Bytes} bytes at the last sync)", _tree.Name, _state.FileCount, _state.UfsTotalBytes);
            if (_state.LastSyncAttempt is null)
            {
                // The previous life stopped before its first sync ended: without this, nobody would ever compute the figures.
                StartSync();
            }
        }
    }

    /// <summary>Options in force.</summary>
    public MasterOptions Options => _options;

    /// <summary>True once a dataset is set.</summary>
    public bool IsReady => _tree is not null;

    /// <summary>The dataset's "namespace/name", or null before one is set.</summary>
    public string? DatasetName => _tree?.Name;

    /// <summary>Serves this dataset from now on (validated first); recomputes its figures.</summary>
    public void SetDataset(Dataset dataset)
    {
        var problems = ObjectValidator.Validate(dataset);
        if (!problems.IsValid)
        {
            throw new DatasetRejectedException(string.Join("; ", problems.Errors));
        }

        var tree = DatasetTree.Open(dataset, _registry, _secrets);
        DatasetTree? old;
        lock (_lock)
        {
            if (_tree is not null && _tree.Name != tree.Name)
            {
                tree.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw new DatasetRejectedException($"this master serves dataset {_tree.Name}; a runtime serves one dataset, so start another master for {tree.Name}");
            }

            old = _tree;
            _tree = tree;
            _state.Dataset = FluidJson.ToNode(dataset);
            _generation++;
            SaveLocked();
        }

        _stats.Clear();
        _lists.Clear();
        old?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        StartSync();
    }

    /// <summary>The dataset served, or null.</summary>
    public Dataset? Dataset
    {
        get
        {
            lock (_lock)
            {
                return _state.Dataset is { } json ? FluidJson.FromNode<Dataset>(json.DeepClone()) : null;
            }
        }
    }

    /// <summary>Registers or refreshes a worker.</summary>
    public HeartbeatReply Heartbeat(WorkerHeartbeat beat)
    {
        var expiry = (int)_options.WorkerExpiry.TotalSeconds;
        if (_tree is null)
        {
            return new HeartbeatReply(false, "the master has no dataset yet", expiry);
        }

        if (beat.Dataset != _tree.Name)
        {
            return new HeartbeatReply(false, $"this master serves dataset {_tree.Name}, not {beat.Dataset}", expiry);
        }

        if (beat.BlockSize != _options.BlockSize)
        {
            return new HeartbeatReply(false, $"block size {beat.BlockSize} differs from the runtime's {_options.BlockSize}; start the worker with --block-size {_options.BlockSize}", expiry);
        }

        lock (_lock)
        {
            var known = _state.Workers.TryGetValue(beat.Id, out var previous);
            if (known && previous!.StartedAt != beat.StartedAt)
            {
                // The worker restarted and counts from zero: keep what its last life counted.
                _state.Retired.Add(previous);
            }

            var wasLive = IsLive(beat.Id);
            _state.Workers[beat.Id] = beat;
            _lastSeen[beat.Id] = _time.GetUtcNow();
            if (!wasLive || !known || previous!.Address != beat.Address || previous.LocalSocket != beat.LocalSocket)
            {
                _generation++;
                _log.LogInformation("worker {Id} at {Address} joined", beat.Id, beat.Address);
            }

            _dirty = true;
        }

        return new HeartbeatReply(true, null, expiry);
    }

    /// <summary>The live workers and how to route to them.</summary>
    public ClusterView Cluster()
    {
        lock (_lock)
        {
            var live = _state.Workers.Values.Where(w => IsLive(w.Id))
                .Select(w => new WorkerInfo(w.Id, w.Address, w.HostId, w.LocalSocket))
                .OrderBy(w => w.Id, StringComparer.Ordinal)
                .ToList();
            return new ClusterView(_tree?.Name ?? "", _options.BlockSize, live, _generation + live.Count);
        }
    }

    /// <summary>Stat of a dataset path, from the metadata cache when fresh.</summary>
    public async Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var tree = Tree();
        path = UfsPath.Normalize(path);
        var now = _time.GetUtcNow();
        if (_stats.TryGetValue(path, out var cached) && cached.Expires > now)
        {
            return cached.Entry;
        }

        var entry = await tree.StatAsync(path, cancellationToken).ConfigureAwait(false);
        _stats[path] = (now + _options.MetadataTtl, entry);
        return entry;
    }

    /// <summary>The children of a dataset directory, from the metadata cache when fresh.</summary>
    public async Task<IReadOnlyList<UfsEntry>> ListAsync(string path, CancellationToken cancellationToken)
    {
        var tree = Tree();
        path = UfsPath.Normalize(path);
        var now = _time.GetUtcNow();
        if (_lists.TryGetValue(path, out var cached) && cached.Expires > now)
        {
            return cached.Entries;
        }

        var entries = new List<UfsEntry>();
        await foreach (var entry in tree.ListAsync(path, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
            _stats[entry.Path] = (now + _options.MetadataTtl, entry);
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        _lists[path] = (now + _options.MetadataTtl, entries);
        return entries;
    }

    /// <summary>Forgets cached metadata at and below a path (explicit refresh), and recomputes the figures.</summary>
    public void Refresh(string path)
    {
        path = UfsPath.Normalize(path);
        foreach (var key in _stats.Keys.Where(k => UfsPath.IsUnder(k, path)))
        {
            _stats.TryRemove(key, out _);
        }

        foreach (var key in _lists.Keys.Where(k => UfsPath.IsUnder(k, path)))
        {
            _lists.TryRemove(key, out _);
        }

        StartSync();
    }

    /// <summary>The dataset's figures.</summary>
    public DatasetStats Stats()
    {
        lock (_lock)
        {
            var totals = new CounterTotals
            {
                Hits = _state.Retired.Hits,
                LocalHits = _state.Retired.LocalHits,
                Misses = _state.Retired.Misses,
                BytesFromCache = _state.Retired.BytesFromCache,
                LocalBytesFromCache = _state.Retired.LocalBytesFromCache,
                BytesFromSource = _state.Retired.BytesFromSource,
            };
            foreach (var beat in _state.Workers.Values)
            {
                totals.Add(beat);
            }

            var live = _state.Workers.Values.Where(w => IsLive(w.Id)).ToList();
            return new DatasetStats(
                _tree?.Name ?? "",
                _state.UfsTotalBytes,
                _state.FileCount,
                _state.LastSync,
                live.Sum(w => w.UsedBytes),
                live.Sum(w => w.CapacityBytes),
                totals.Hits,
                totals.Misses,
                LocalHits: totals.LocalHits,
                RemoteHits: totals.Hits - totals.LocalHits,
                totals.BytesFromCache,
                totals.BytesFromSource,
                live.Count,
                SyncRunning: _syncing,
                _state.LastSyncError,
                _state.LastSyncAttempt,
                totals.LocalBytesFromCache);
        }
    }

    /// <summary>Keeps the latest progress report of a data operation (in memory: a loader reports again every second).</summary>
    public void ReportProgress(string operation, LoadProgress progress)
    {
        var now = _time.GetUtcNow();
        _operations[operation] = progress with { ReceivedAt = now };
        foreach (var (id, old) in _operations)
        {
            if (now - old.ReceivedAt > ProgressKept)
            {
                _operations.TryRemove(id, out _);
            }
        }
    }

    /// <summary>The latest progress report of a data operation, or null when none arrived (or the master restarted since).</summary>
    public LoadProgress? Progress(string operation) => _operations.GetValueOrDefault(operation);

    /// <summary>Waits for the running sync of figures, if any.</summary>
    public Task WaitForSyncAsync() => _sync;

    /// <summary>Writes the state if heartbeats changed it since the last write.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_dirty)
            {
                SaveLocked();
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sync.ConfigureAwait(false);
        Flush();
        if (_tree is not null)
        {
            await _tree.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Starts recomputing the dataset's total size and file count; when a sync runs already, one more
    /// follows it, so a refresh or a new dataset asked for mid-sync is never lost.
    /// </summary>
    public void StartSync()
    {
        lock (_lock)
        {
            if (_tree is null || _stopping.IsCancellationRequested)
            {
                return;
            }

            if (_syncing)
            {
                _syncAgain = true;
                return;
            }

            _syncing = true;
            _sync = Task.Run(SyncLoopAsync);
        }
    }

    private async Task SyncLoopAsync()
    {
        while (true)
        {
            DatasetTree tree;
            lock (_lock)
            {
                _syncAgain = false;
                tree = _tree!;
            }

            await SyncAsync(tree).ConfigureAwait(false);
            lock (_lock)
            {
                if (!_syncAgain || _stopping.IsCancellationRequested)
                {
                    _syncing = false;
                    return;
                }
            }
        }
    }

    private async Task SyncAsync(DatasetTree tree)
    {
        try
        {
            long bytes = 0, files = 0;
            var pending = new Stack<string>([""]);
            while (pending.Count > 0)
            {
                await foreach (var entry in tree.ListAsync(pending.Pop(), _stopping.Token).ConfigureAwait(false))
                {
                    if (entry.IsDirectory)
                    {
                        pending.Push(entry.Path);
                    }
                    else
                    {
                        bytes += entry.Size;
                        files++;
                    }
                }
            }

            lock (_lock)
            {
                if (!ReferenceEquals(tree, _tree))
                {
                    return;
                }

                _state.UfsTotalBytes = bytes;
                _state.FileCount = files;
                _state.LastSync = _state.LastSyncAttempt = _time.GetUtcNow();
                _state.LastSyncError = null;
                SaveLocked();
            }

            _log.LogInformation("dataset {Dataset}: {Files} files, {Bytes} bytes", tree.Name, files, bytes);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The master is stopping; the next life syncs again (LastSyncAttempt stays as it was).
        }
        catch (Exception e)
        {
            // Any failure, expected or not, is recorded: a sync that ends without a trace leaves the dataset's figures unknown forever.
            var message = e is UfsException or IOException or HttpRequestException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            lock (_lock)
            {
                if (!ReferenceEquals(tree, _tree))
                {
                    return;
                }

                _state.LastSyncAttempt = _time.GetUtcNow();
                _state.LastSyncError = message;
                SaveLocked();
            }

            _log.LogWarning("could not compute the size of dataset {Dataset}: {Message}", tree.Name, message);
        }
    }

    private DatasetTree Tree() => _tree ?? throw new InvalidOperationException("the master has no dataset yet");

    private bool IsLive(string id) =>
        _lastSeen.TryGetValue(id, out var seen) && _time.GetUtcNow() - seen < _options.WorkerExpiry;

    private void SaveLocked()
    {
        _state.Save(_statePath);
        _dirty = false;
    }
}
