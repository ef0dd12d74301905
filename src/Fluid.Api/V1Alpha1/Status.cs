using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;

namespace Fluid.Api.V1Alpha1;

/// <summary>Observed state of a runtime: its masters, workers and fuses, and the cache.</summary>
public sealed class RuntimeStatus
{
    /// <summary>ConfigMap holding the values the runtime was rendered with.</summary>
    [JsonPropertyName("valueFile")]
    public string? ValueFileConfigmap { get; set; }

    /// <summary>NotReady, PartialReady or Ready.</summary>
    public string? MasterPhase { get; set; }

    /// <summary>Why the masters are in their phase.</summary>
    public string? MasterReason { get; set; }

    /// <summary>NotReady, PartialReady or Ready.</summary>
    public string? WorkerPhase { get; set; }

    /// <summary>Why the workers are in their phase.</summary>
    public string? WorkerReason { get; set; }

    /// <summary>Workers wanted.</summary>
    public int? DesiredWorkerNumberScheduled { get; set; }

    /// <summary>Workers scheduled.</summary>
    public int? CurrentWorkerNumberScheduled { get; set; }

    /// <summary>Workers ready.</summary>
    public int? WorkerNumberReady { get; set; }

    /// <summary>Workers available.</summary>
    public int? WorkerNumberAvailable { get; set; }

    /// <summary>Workers unavailable.</summary>
    public int? WorkerNumberUnavailable { get; set; }

    /// <summary>Masters wanted.</summary>
    public int? DesiredMasterNumberScheduled { get; set; }

    /// <summary>Masters scheduled.</summary>
    public int? CurrentMasterNumberScheduled { get; set; }

    /// <summary>Masters ready.</summary>
    public int? MasterNumberReady { get; set; }

    /// <summary>NotReady, PartialReady or Ready.</summary>
    public string? FusePhase { get; set; }

    /// <summary>Why the fuses are in their phase.</summary>
    public string? FuseReason { get; set; }

    /// <summary>Fuses scheduled.</summary>
    public int? CurrentFuseNumberScheduled { get; set; }

    /// <summary>Fuses wanted.</summary>
    public int? DesiredFuseNumberScheduled { get; set; }

    /// <summary>Fuses ready.</summary>
    public int? FuseNumberReady { get; set; }

    /// <summary>Fuses unavailable.</summary>
    public int? FuseNumberUnavailable { get; set; }

    /// <summary>Fuses available.</summary>
    public int? FuseNumberAvailable { get; set; }

    /// <summary>How long setup took.</summary>
    public string? SetupDuration { get; set; }

    /// <summary>Observed conditions of the components.</summary>
    public List<RuntimeCondition>? Conditions { get; set; }

    /// <summary>Cache figures: cached, cacheCapacity, cachedPercentage, cacheHitRatio, ...</summary>
    public Dictionary<string, string>? CacheStates { get; set; }

    /// <summary>Label selector of the workers, in string form (for the scale subresource).</summary>
    public string? Selector { get; set; }

    /// <summary>Endpoint of the runtime's API gateway.</summary>
    [JsonPropertyName("apiGateway")]
    public ApiGatewayStatus? ApiGatewayStatus { get; set; }

    /// <summary>When the dataset's mounts were last mounted.</summary>
    public DateTimeOffset? MountTime { get; set; }

    /// <summary>The mounts the runtime has mounted.</summary>
    public List<Mount>? Mounts { get; set; }

    /// <summary>Nodes where the cache lives.</summary>
    public NodeAffinity? CacheAffinity { get; set; }
}

/// <summary>Endpoint of a runtime's API gateway.</summary>
public sealed class ApiGatewayStatus
{
    /// <summary>host:port.</summary>
    public string? Endpoint { get; set; }
}

/// <summary>A condition of a runtime component.</summary>
public sealed class RuntimeCondition
{
    /// <summary>MasterInitialized, MasterReady, WorkersInitialized, WorkersReady, FusesInitialized, FusesReady, ...</summary>
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    public string Status { get; set; } = "";

    /// <summary>Why, in one word.</summary>
    public string? Reason { get; set; }

    /// <summary>Why, for people.</summary>
    public string? Message { get; set; }

    /// <summary>When the condition was last checked.</summary>
    public DateTimeOffset? LastProbeTime { get; set; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? LastTransitionTime { get; set; }
}

/// <summary>A condition of a data operation.</summary>
public sealed class Condition
{
    /// <summary>Complete or Failed.</summary>
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    public string Status { get; set; } = "";

    /// <summary>Why, in one word.</summary>
    public string? Reason { get; set; }

    /// <summary>Why, for people.</summary>
    public string? Message { get; set; }

    /// <summary>When the condition was last checked.</summary>
    public DateTimeOffset? LastProbeTime { get; set; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? LastTransitionTime { get; set; }
}

/// <summary>Observed state of a data operation (DataLoad, DataMigrate, DataBackup, DataProcess).</summary>
public sealed class OperationStatus
{
    /// <summary>Pending, Executing, Complete or Failed.</summary>
    public string? Phase { get; set; }

    /// <summary>How long the operation ran; "Unfinished" until it ends.</summary>
    public string? Duration { get; set; }

    /// <summary>Observed conditions.</summary>
    public List<Condition>? Conditions { get; set; }

    /// <summary>Operation-specific facts, e.g. the backup's location.</summary>
    public Dictionary<string, string>? Infos { get; set; }

    /// <summary>When a Cron operation last ran.</summary>
    public DateTimeOffset? LastScheduleTime { get; set; }

    /// <summary>When a Cron operation last succeeded.</summary>
    public DateTimeOffset? LastSuccessfulTime { get; set; }

    /// <summary>What the operation is waiting for.</summary>
    public WaitingStatus? WaitingFor { get; set; }

    /// <summary>Where the operation's pods ran, for operations that run after it.</summary>
    public NodeAffinity? NodeAffinity { get; set; }

    /// <summary>How far the operation has got (DataLoad; not an upstream field): bytes and files done of the total, rate and estimated time left.</summary>
    public OperationProgress? Progress { get; set; }
}

/// <summary>How far a data operation has got, as its loader reports it.</summary>
public sealed class OperationProgress
{
    /// <summary>Bytes of every file the operation covers (found by walking its targets before it starts).</summary>
    [Required]
    public long TotalBytes { get; set; }

    /// <summary>Bytes done so far.</summary>
    [Required]
    public long LoadedBytes { get; set; }

    /// <summary>Files the operation covers.</summary>
    [Required]
    public long TotalFiles { get; set; }

    /// <summary>Files done so far.</summary>
    [Required]
    public long LoadedFiles { get; set; }

    /// <summary>Bytes per second over the last few seconds; once the operation is complete, over its whole run.</summary>
    [Required]
    public long BytesPerSecond { get; set; }

    /// <summary>Estimated time left as a Go duration, e.g. "1m30s"; absent while unknown (no rate yet).</summary>
    public string? Eta { get; set; }

    /// <summary>Bytes done over the total, one decimal, e.g. "42.5%".</summary>
    [Required]
    public string Percentage { get; set; } = "0.0%";
}

/// <summary>What an operation waits for before it starts.</summary>
public sealed class WaitingStatus
{
    /// <summary>Whether the operation it runs after has completed.</summary>
    public bool? OperationComplete { get; set; }
}

/// <summary>Phases of a runtime component.</summary>
public static class RuntimePhases
{
    /// <summary>Not ready.</summary>
    public const string NotReady = "NotReady";

    /// <summary>Some replicas ready.</summary>
    public const string PartialReady = "PartialReady";

    /// <summary>All replicas ready.</summary>
    public const string Ready = "Ready";
}

/// <summary>Phases of a data operation.</summary>
public static class OperationPhases
{
    /// <summary>Accepted, not started.</summary>
    public const string Pending = "Pending";

    /// <summary>Running.</summary>
    public const string Executing = "Executing";

    /// <summary>Finished successfully.</summary>
    public const string Complete = "Complete";

    /// <summary>Finished with an error.</summary>
    public const string Failed = "Failed";

    /// <summary>The duration shown until the operation ends.</summary>
    public const string UnfinishedDuration = "Unfinished";
}

/// <summary>Keys of cacheStates in dataset and runtime status.</summary>
public static class CacheStateKeys
{
    /// <summary>Bytes cached, e.g. "1.50GiB".</summary>
    public const string Cached = "cached";

    /// <summary>Total cache capacity.</summary>
    public const string CacheCapacity = "cacheCapacity";

    /// <summary>Cached bytes over the dataset's total, e.g. "42.0%".</summary>
    public const string CachedPercentage = "cachedPercentage";

    /// <summary>Reads served from cache over all reads.</summary>
    public const string CacheHitRatio = "cacheHitRatio";

    /// <summary>Reads served from a cache on the reader's node.</summary>
    public const string LocalHitRatio = "localHitRatio";

    /// <summary>Reads served from a cache on another node.</summary>
    public const string RemoteHitRatio = "remoteHitRatio";

    /// <summary>Bytes read from cache over all bytes read.</summary>
    public const string CacheThroughputRatio = "cacheThroughputRatio";

    /// <summary>Bytes read from a local cache over all bytes read.</summary>
    public const string LocalThroughputRatio = "localThroughputRatio";

    /// <summary>Bytes read from a remote cache over all bytes read.</summary>
    public const string RemoteThroughputRatio = "remoteThroughputRatio";

    /// <summary>The low watermark.</summary>
    public const string LowWaterMark = "lowWaterMark";

    /// <summary>The high watermark.</summary>
    public const string HighWaterMark = "highWaterMark";

    /// <summary>Bytes that cannot be cached.</summary>
    public const string NonCacheable = "nonCacheable";
}

/// <summary>Condition types of runtimes.</summary>
public static class RuntimeConditionTypes
{
    /// <summary>Masters were created.</summary>
    public const string MasterInitialized = "MasterInitialized";

    /// <summary>Masters are ready.</summary>
    public const string MasterReady = "MasterReady";

    /// <summary>Workers were created.</summary>
    public const string WorkersInitialized = "WorkersInitialized";

    /// <summary>Workers are ready.</summary>
    public const string WorkersReady = "WorkersReady";

    /// <summary>Workers were scaled in.</summary>
    public const string WorkersScaledIn = "WorkersScaledIn";

    /// <summary>Workers were scaled out.</summary>
    public const string WorkersScaledOut = "WorkersScaledOut";

    /// <summary>Fuses were created.</summary>
    public const string FusesInitialized = "FusesInitialized";

    /// <summary>Fuses are ready.</summary>
    public const string FusesReady = "FusesReady";

    /// <summary>Fuses were scaled in.</summary>
    public const string FusesScaledIn = "FusesScaledIn";

    /// <summary>Fuses were scaled out.</summary>
    public const string FusesScaledOut = "FusesScaledOut";
}
