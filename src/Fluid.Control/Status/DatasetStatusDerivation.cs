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
    /// Cache figures keyed as upstream (cached, cacheCapacity, cachedPercentage, cacheHitRatio)
    /// and the sources' total size; the percentage is of the total when it is known.
    /// </summary>
    public static DatasetStatus WithCacheStates(DatasetStatus current, CacheFigures figures)
    {
        var result = Copy(current);
        var states = new Dictionary<string, string>(current.CacheStates ?? [], StringComparer.Ordinal)
        {
            [CacheStateKeys.Cached] = ByteUnits.Status(figures.CachedBytes),
            [CacheStateKeys.CacheCapacity] = ByteUnits.Status(figures.CapacityBytes),
        };
        if (figures.UfsTotalBytes is { } total)
        {
            result.UfsTotal = ByteUnits.Status(total);
            states[CacheStateKeys.CachedPercentage] = ByteUnits.Percent(total == 0 ? 0 : Math.Min(1.0, (double)figures.CachedBytes / total));
        }

        if (figures.Hits + figures.Misses > 0)
        {
            states[CacheStateKeys.CacheHitRatio] = ByteUnits.Percent((double)figures.Hits / (figures.Hits + figures.Misses));
        }

        if (figures.FileCount is { } files)
        {
            result.FileNum = files.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        result.CacheStates = states;
        return result;
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

/// <summary>Cache figures of a dataset as the master reports them.</summary>
public sealed record CacheFigures(long CachedBytes, long CapacityBytes, long? UfsTotalBytes, long Hits = 0, long Misses = 0, long? FileCount = null);
