using Fluid.Cache.Placement;

namespace Fluid.Cache.Protocol;

/// <summary>What a worker tells the master every few seconds (the first one registers it).</summary>
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
    DateTimeOffset StartedAt);

/// <summary>The master's answer to a heartbeat.</summary>
public sealed record HeartbeatReply(bool Accepted, string? Problem, int ExpirySeconds);

/// <summary>What a client needs to route reads: the dataset, the block size and the live workers.</summary>
public sealed record ClusterView(string Dataset, int BlockSize, IReadOnlyList<WorkerInfo> Workers, long Generation);

/// <summary>A dataset's figures, as the Dataset status shows them.</summary>
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
    int LiveWorkers)
{
    /// <summary>Cached bytes over the dataset's total, 0 to 100.</summary>
    public double CachedPercentage => UfsTotalBytes == 0 ? 0 : Math.Min(100, 100.0 * CachedBytes / UfsTotalBytes);

    /// <summary>Reads served from cache over all reads, 0 to 100.</summary>
    public double HitRatio => Hits + Misses == 0 ? 0 : 100.0 * Hits / (Hits + Misses);
}
