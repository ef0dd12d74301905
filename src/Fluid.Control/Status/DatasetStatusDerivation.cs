using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Naming;

namespace Fluid.Control.Status;

/// <summary>The dataset's status as its runtime changes: NotBound → Bound → NotBound, and the cache figures.</summary>
public static class DatasetStatusDerivation
{
    /// <summary>Upstream's reason of the dataset's Ready condition.</summary>
    public const string ReadyReason = "DatasetReady";

    /// <summary>The dataset's status read from its manifest (empty when it has none).</summary>
    public static DatasetStatus ReadStatus(JsonObject dataset) =>
        dataset["status"] is JsonObject status ? FluidJson.FromNode<DatasetStatus>(status) : new DatasetStatus();

    /// <summary>The status as JSON.</summary>
    public static JsonObject ToJson(DatasetStatus status) => FluidJson.ToNode(status);

    /// <summary>Bound to the runtime: phase Bound, the runtime listed, a Ready condition, and the mounts served (the spec's, unless already recorded).</summary>
    public static DatasetStatus Bind(DatasetStatus current, DatasetRuntime runtime, DateTimeOffset now, IReadOnlyList<Mount>? mounts = null)
    {
        var result = Copy(current);
        if (result.Mounts is not { Count: > 0 } && mounts is { Count: > 0 })
        {
            result.Mounts = FluidJson.FromNode<List<Mount>>(System.Text.Json.JsonSerializer.SerializeToNode(mounts, FluidJson.Options)!);
        }

        var runtimes = (result.Runtimes ?? []).Where(r => r.Name != runtime.Name || r.Namespace != runtime.Namespace).ToList();
        runtimes.Add(runtime);
        result.Runtimes = runtimes;
        result.Phase = DatasetPhases.Bound;
        result.Conditions = SetCondition(result.Conditions, new DatasetCondition
        {
            Type = "Ready",
            Status = "True",
            Reason = ReadyReason,
            Message = "The ddc runtime is ready.",
        }, now);
        return result;
    }

    /// <summary>No runtime any more: phase NotBound, no runtimes, no cache figures.</summary>
    public static DatasetStatus Unbind(DatasetStatus current)
    {
        var result = Copy(current);
        result.Phase = DatasetPhases.NotBound;
        result.Runtimes = null;
        result.CacheStates = null;
        result.Conditions = null;
        return result;
    }

    /// <summary>
    /// Cache figures keyed as upstream (cached, cacheCapacity, cachedPercentage and the hit and
    /// throughput ratios), sizes like "1.50GiB", ratios like "42.5%" ("0.0%" before any read, as
    /// upstream). The percentage is of the sources' total and appears once that is known. Upstream
    /// computes the ratios over the last minute; here they are over the cache's lifetime (the
    /// master's counters), which do not swing with a quiet minute.
    /// </summary>
    public static DatasetStatus WithCacheStates(DatasetStatus current, CacheFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var result = Copy(current);
        var states = new Dictionary<string, string>(current.CacheStates ?? [], StringComparer.Ordinal)
        {
            [CacheStateKeys.Cached] = ByteUnits.Status(figures.CachedBytes),
            [CacheStateKeys.CacheCapacity] = ByteUnits.Status(figures.CapacityBytes),
        };
        if (figures.UfsTotalBytes is { } total)
        {
            states[CacheStateKeys.CachedPercentage] = ByteUnits.Percent(total == 0 ? 0 : Math.Min(1.0, (double)figures.CachedBytes / total));
        }

        var reads = figures.Hits + figures.Misses;
        states[CacheStateKeys.CacheHitRatio] = Ratio(figures.Hits, reads);
        states[CacheStateKeys.LocalHitRatio] = Ratio(figures.LocalHits, reads);
        states[CacheStateKeys.RemoteHitRatio] = Ratio(figures.RemoteHits, reads);
        var bytes = figures.BytesFromCache + figures.BytesFromSource;
        states[CacheStateKeys.CacheThroughputRatio] = Ratio(figures.BytesFromCache, bytes);
        states[CacheStateKeys.LocalThroughputRatio] = Ratio(figures.LocalBytesFromCache, bytes);
        states[CacheStateKeys.RemoteThroughputRatio] = Ratio(figures.BytesFromCache - figures.LocalBytesFromCache, bytes);
        result.CacheStates = states;
        return result;
    }

    /// <summary>
    /// ufsTotal, fileNum and the MetadataSynced condition from what the master says of its listing of
    /// the sources. While the master computes them they read "[Calculating]" (upstream's marker), for at
    /// most <see cref="MetadataStatus.CalculatingLimit"/>; a listing that failed, or that did not
    /// finish in time, reads "[Unknown]" with the condition saying why, naming the
    /// <paramref name="sources"/>. Figures of an earlier complete listing stay when a later one fails
    /// or the master cannot be reached. <paramref name="masterProblem"/> says why <paramref name="figures"/> is null.
    /// </summary>
    public static DatasetStatus WithMetadata(DatasetStatus current, CacheFigures? figures, string? masterProblem, string sources, DateTimeOffset now)
    {
        var result = Copy(current);
        var previous = current.Conditions?.FirstOrDefault(c => c.Type == MetadataStatus.Condition);
        if (figures is { UfsTotalBytes: { } total })
        {
            result.UfsTotal = ByteUnits.Status(total);
            result.FileNum = figures.FileCount is { } files ? files.ToString(CultureInfo.InvariantCulture) : result.FileNum;
            var at = figures.LastSync is { } synced ? $" at {synced.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z" : "";
            result.Conditions = figures.SyncError is { } error
                ? SetMetadataCondition(result.Conditions, false, MetadataStatus.SyncFailed,
                    $"the cache master could not list the dataset's sources ({sources}): {error}; ufsTotal and fileNum are from its last complete listing{at}", now)
                : SetMetadataCondition(result.Conditions, true, MetadataStatus.Synced,
                    $"the cache master listed the dataset's sources ({sources}){at}: {result.FileNum} files, {result.UfsTotal}", now);
            return result;
        }

        if (figures is { SyncError: { } failure })
        {
            result.UfsTotal = result.FileNum = MetadataStatus.Unknown;
            result.Conditions = SetMetadataCondition(result.Conditions, false, MetadataStatus.SyncFailed,
                $"the cache master could not list the dataset's sources ({sources}): {failure}", now);
            return result;
        }

        if (figures is null && current.UfsTotal is { Length: > 0 } shown && shown != MetadataStatus.Calculating)
        {
            // What is shown stays while the master is away (restarting, say): nothing new is known.
            return result;
        }

        var timedOut = previous?.Reason is MetadataStatus.SyncTimeout or MetadataStatus.MasterUnreachable && current.UfsTotal == MetadataStatus.Unknown;
        var since = previous?.Reason == MetadataStatus.CalculatingReason && previous.LastUpdateTime is { } started ? started : now;
        if (!timedOut && now - since < MetadataStatus.CalculatingLimit)
        {
            result.UfsTotal = result.FileNum = MetadataStatus.Calculating;
            var message = figures is null
                ? $"waiting for the cache master to compute the total size and file count of the dataset's sources ({sources}); it does not answer yet: {masterProblem}"
                : $"the cache master is computing the total size and file count of the dataset's sources ({sources})";
            result.Conditions = SetMetadataCondition(result.Conditions, false, MetadataStatus.CalculatingReason, message, now, updated: since);
            return result;
        }

        result.UfsTotal = result.FileNum = MetadataStatus.Unknown;
        var limit = $"{MetadataStatus.CalculatingLimit.TotalMinutes:0} minutes";
        result.Conditions = figures is null
            ? SetMetadataCondition(result.Conditions, false, MetadataStatus.MasterUnreachable,
                $"the total size and file count of the dataset's sources ({sources}) are unknown: the cache master has not answered for {limit}: {masterProblem}", now)
            : SetMetadataCondition(result.Conditions, false, MetadataStatus.SyncTimeout,
                $"the cache master has not finished listing the dataset's sources ({sources}) in {limit}; it goes on, and ufsTotal and fileNum appear when it is done", now);
        return result;
    }

    private static string Ratio(long part, long whole) => ByteUnits.Percent(whole <= 0 ? 0 : Math.Clamp((double)part / whole, 0, 1));

    // Keeps LastUpdateTime while reason and message hold (or sets it to updated), so an unchanged condition is not rewritten on every pass.
    private static List<DatasetCondition> SetMetadataCondition(List<DatasetCondition>? conditions, bool status, string reason, string message, DateTimeOffset now, DateTimeOffset? updated = null)
    {
        var list = (conditions ?? []).ToList();
        var index = list.FindIndex(c => c.Type == MetadataStatus.Condition);
        var previous = index >= 0 ? list[index] : null;
        var text = status ? "True" : "False";
        var condition = new DatasetCondition
        {
            Type = MetadataStatus.Condition,
            Status = text,
            Reason = reason,
            Message = message,
            LastUpdateTime = updated ?? (previous is not null && previous.Reason == reason && previous.Message == message ? previous.LastUpdateTime : now),
            LastTransitionTime = previous is not null && previous.Status == text ? previous.LastTransitionTime : now,
        };
        if (index >= 0)
        {
            list[index] = condition;
        }
        else
        {
            list.Add(condition);
        }

        return list;
    }

    private static List<DatasetCondition> SetCondition(List<DatasetCondition>? conditions, DatasetCondition condition, DateTimeOffset now)
    {
        var list = conditions?.ToList() ?? [];
        var existing = list.FindIndex(c => c.Type == condition.Type);
        condition.LastUpdateTime = now;
        condition.LastTransitionTime = existing >= 0 && list[existing].Status == condition.Status ? list[existing].LastTransitionTime : now;
        if (existing >= 0)
        {
            list[existing] = condition;
        }
        else
        {
            list.Add(condition);
        }

        return list;
    }

    private static DatasetStatus Copy(DatasetStatus status) => FluidJson.FromNode<DatasetStatus>(FluidJson.ToNode(status));
}

/// <summary>
/// Cache figures of a dataset as the master reports them. UfsTotalBytes and FileCount are null until
/// the master has listed the sources once; SyncError says why its most recent listing failed.
/// </summary>
public sealed record CacheFigures(long CachedBytes, long CapacityBytes, long? UfsTotalBytes, long Hits = 0, long Misses = 0, long? FileCount = null)
{
    /// <summary>Cache hits served to readers on the worker's host.</summary>
    public long LocalHits { get; init; }

    /// <summary>Cache hits served to readers on other hosts.</summary>
    public long RemoteHits { get; init; }

    /// <summary>Bytes served from cache.</summary>
    public long BytesFromCache { get; init; }

    /// <summary>Bytes served from cache to readers on the worker's host.</summary>
    public long LocalBytesFromCache { get; init; }

    /// <summary>Bytes read from the sources on a miss.</summary>
    public long BytesFromSource { get; init; }

    /// <summary>When the last complete listing of the sources finished.</summary>
    public DateTimeOffset? LastSync { get; init; }

    /// <summary>When the most recent listing ended, complete or failed.</summary>
    public DateTimeOffset? LastSyncAttempt { get; init; }

    /// <summary>Why the most recent listing failed; null when it did not.</summary>
    public string? SyncError { get; init; }

    /// <summary>True while the master lists the sources.</summary>
    public bool Syncing { get; init; }
}

/// <summary>The dataset's MetadataSynced condition and the markers ufsTotal and fileNum show while they are not known.</summary>
public static class MetadataStatus
{
    /// <summary>Condition type on the dataset: is what ufsTotal and fileNum say a complete listing of the sources?</summary>
    public const string Condition = "MetadataSynced";

    /// <summary>Upstream's marker while the master computes the figures.</summary>
    public const string Calculating = "[Calculating]";

    /// <summary>The marker when the figures could not be computed, or not in time; the condition says why.</summary>
    public const string Unknown = "[Unknown]";

    /// <summary>Reason: the figures are from a complete listing.</summary>
    public const string Synced = "MetadataSynced";

    /// <summary>Reason (Calculating): the master is listing the sources.</summary>
    public const string CalculatingReason = "Calculating";

    /// <summary>Reason: the most recent listing failed.</summary>
    public const string SyncFailed = "MetadataSyncFailed";

    /// <summary>Reason: the listing did not finish within the limit.</summary>
    public const string SyncTimeout = "MetadataSyncTimeout";

    /// <summary>Reason: the master did not answer within the limit.</summary>
    public const string MasterUnreachable = "MasterUnreachable";

    /// <summary>
    /// How long "[Calculating]" may show: listing a few million objects of a remote store takes
    /// minutes, so this leaves room for that; after it the dataset says "[Unknown]" and why
    /// (upstream shows "[Calculating]" for ever when its listing never ends).
    /// </summary>
    public static readonly TimeSpan CalculatingLimit = TimeSpan.FromMinutes(15);
}
