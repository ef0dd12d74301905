using Fluid.Cache.Placement;

namespace Fluid.Cache.Protocol;

/// <summary>What a worker tells the master every few seconds (the first one registers it); fields added later have defaults, so older workers still register.</summary>
public sealed record WorkerHeartbeat(
    string Id,
    string Address,
    string HostId,
    string? LocalSocket,
    string Dataset,
    int BlockSize,
    long CapacityBytes,
    long UsedBytes,
    long Blocks,
    long Hits,
    long LocalHits,
    long Misses,
    long BytesFromCache,
    long BytesFromSource,
    long SourceReads,
    DateTimeOffset StartedAt,
    long LocalBytesFromCache = 0);

/// <summary>The master's answer to a heartbeat.</summary>
public sealed record HeartbeatReply(bool Accepted, string? Problem, int ExpirySeconds);

/// <summary>What a client needs to route reads: the dataset, the block size and the live workers.</summary>
public sealed record ClusterView(string Dataset, int BlockSize, IReadOnlyList<WorkerInfo> Workers, long Generation);

/// <summary>
/// A dataset's figures, as the Dataset status shows them. UfsTotalBytes and FileCount are those of
/// the last sync that succeeded (LastSync); LastSyncError is set when the most recent sync failed,
/// LastSyncAttempt is when that most recent sync (failed or not) ended, and SyncRunning says one is
/// under way.
/// </summary>
public sealed record DatasetStats(
    string Dataset,
    long UfsTotalBytes,
    long FileCount,
    DateTimeOffset? LastSync,
    long CachedBytes,
    long CapacityBytes,
    long Hits,
    long Misses,
    long LocalHits,
    long RemoteHits,
    long BytesFromCache,
    long BytesFromSource,
    int LiveWorkers,
    bool SyncRunning = false,
    string? LastSyncError = null,
    DateTimeOffset? LastSyncAttempt = null,
    long LocalBytesFromCache = 0)
{
    /// <summary>Cached bytes over the dataset's total, 0 to 100.</summary>
    public double CachedPercentage => UfsTotalBytes == 0 ? 0 : Math.Min(100, 100.0 * CachedBytes / UfsTotalBytes);

    /// <summary>Reads served from cache over all reads, 0 to 100.</summary>
    public double HitRatio => Hits + Misses == 0 ? 0 : 100.0 * Hits / (Hits + Misses);
}

/// <summary>
/// What a data operation's loader reports about its progress (POST /api/v1/operations/{id}); the
/// master keeps the latest report of each operation in memory and stamps when it arrived.
/// BytesPerSecond is the loader's rate over its recent past, not since the start.
/// </summary>
public sealed record LoadProgress(
    long TotalBytes,
    long LoadedBytes,
    long TotalFiles,
    long LoadedFiles,
    long BytesPerSecond,
    bool Done,
    DateTimeOffset StartedAt,
    string? Error = null,
    DateTimeOffset? ReceivedAt = null);
