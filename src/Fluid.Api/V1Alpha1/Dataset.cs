using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>A dataset: where data lives (one or more sources merged into one tree), which nodes may cache it, and how it is shared.</summary>
[FluidResource("Dataset", "datasets", ShortNames = ["dataset"])]
[StatusSubresource]
[PrinterColumn("Ufs Total Size", "string", ".status.ufsTotal", Order = 1)]
[PrinterColumn("Cached", "string", ".status.cacheStates.cached", Order = 2)]
[PrinterColumn("Cache Capacity", "string", ".status.cacheStates.cacheCapacity", Order = 3)]
[PrinterColumn("Cached Percentage", "string", ".status.cacheStates.cachedPercentage", Order = 4)]
[PrinterColumn("Phase", "string", ".status.phase", Order = 5)]
[PrinterColumn("HCFS URL", "string", ".status.hcfs.endpoint", Order = 6, Priority = 10)]
[PrinterColumn("TOTAL FILES", "string", ".status.fileNum", Order = 7, Priority = 11)]
[PrinterColumn("CACHE HIT RATIO", "string", ".status.cacheStates.cacheHitRatio", Order = 8, Priority = 10)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 9)]
public sealed class Dataset : KubeObject<DatasetSpec, DatasetStatus>;

/// <summary>Desired state of a dataset.</summary>
public sealed class DatasetSpec
{
    /// <summary>The sources of the dataset, each a subdirectory of its tree (or its root when the only mount's path is /).</summary>
    public List<Mount>? Mounts { get; set; }

    /// <summary>The user that owns the dataset's files.</summary>
    public User? Owner { get; set; }

    /// <summary>Nodes the dataset may be cached on; also steers the pods that use it.</summary>
    public CacheableNodeAffinity? NodeAffinity { get; set; }

    /// <summary>Taints the dataset's cache pods tolerate.</summary>
    public List<Toleration>? Tolerations { get; set; }

    /// <summary>How the dataset's volume may be mounted: ReadOnlyMany (default), ReadWriteMany, ReadWriteOnce or ReadWriteOncePod.</summary>
    public List<string>? AccessModes { get; set; }

    /// <summary>Runtimes that serve the dataset.</summary>
    public List<DatasetRuntime>? Runtimes { get; set; }

    /// <summary>Exclusive (default): one dataset's cache per node; Shared: several datasets' caches may share a node.</summary>
    [JsonPropertyName("placement")]
    [AllowedValues("Exclusive", "", "Shared")]
    [DefaultValue("Exclusive")]
    public string? PlacementMode { get; set; }

    /// <summary>Where to restore the dataset's metadata from, after a DataBackup.</summary>
    public DataRestoreLocation? DataRestoreLocation { get; set; }

    /// <summary>Options applied to every mount.</summary>
    public Dictionary<string, string>? SharedOptions { get; set; }

    /// <summary>Secret options applied to every mount.</summary>
    public List<EncryptOption>? SharedEncryptOptions { get; set; }
}

/// <summary>A source of a dataset.</summary>
public sealed class Mount
{
    /// <summary>Where the data lives: local://, pvc://, http(s)://, s3://, oss://, hdfs://, nfs://, cos://, obs://, gs://, juicefs:// or dataset://namespace/name.</summary>
    [Required]
    [MinLength(5)]
    public string MountPoint { get; set; } = "";

    /// <summary>Options of the source (endpoint, region, ...).</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Name of the mount; defaults to a name derived from the mount point.</summary>
    public string? Name { get; set; }

    /// <summary>Where the mount appears in the dataset's tree; /{name} when empty.</summary>
    public string? Path { get; set; }

    /// <summary>Mount the source read-only.</summary>
    public bool? ReadOnly { get; set; }

    /// <summary>Whether the mount is shared between runtimes.</summary>
    public bool? Shared { get; set; }

    /// <summary>Options whose values come from Secrets (credentials).</summary>
    public List<EncryptOption>? EncryptOptions { get; set; }

    /// <summary>Where the mount appears in the dataset's tree: its path when absolute, otherwise /{name} (upstream's rule).</summary>
    [JsonIgnore]
    public string TreePath => Path is { Length: > 0 } p && p[0] == '/' ? p : "/" + (Name ?? "").TrimStart('/');
}

/// <summary>Nodes a dataset may be cached on.</summary>
public sealed class CacheableNodeAffinity
{
    /// <summary>Hard node constraints.</summary>
    public NodeSelector? Required { get; set; }
}

/// <summary>A runtime serving a dataset.</summary>
public sealed class DatasetRuntime
{
    /// <summary>Name of the runtime object.</summary>
    public string? Name { get; set; }

    /// <summary>Namespace of the runtime object.</summary>
    public string? Namespace { get; set; }

    /// <summary>Category, e.g. Accelerate.</summary>
    public string? Category { get; set; }

    /// <summary>Engine type, e.g. alluxio.</summary>
    public string? Type { get; set; }

    /// <summary>Master replicas of the runtime.</summary>
    public int? MasterReplicas { get; set; }
}

/// <summary>Where a backed-up dataset is restored from.</summary>
public sealed class DataRestoreLocation
{
    /// <summary>local://subpath or pvc://claim/subpath.</summary>
    public string? Path { get; set; }

    /// <summary>Node holding the backup when path is local://.</summary>
    public string? NodeName { get; set; }
}

/// <summary>Observed state of a dataset.</summary>
public sealed class DatasetStatus
{
    /// <summary>The mounts that have been mounted.</summary>
    public List<Mount>? Mounts { get; set; }

    /// <summary>Total size of the sources, e.g. "52.18GiB".</summary>
    public string? UfsTotal { get; set; }

    /// <summary>Pending, Bound, NotBound, Failed, Updating or DataMigrating.</summary>
    public string? Phase { get; set; }

    /// <summary>Runtimes bound to the dataset.</summary>
    public List<DatasetRuntime>? Runtimes { get; set; }

    /// <summary>Observed conditions.</summary>
    public List<DatasetCondition>? Conditions { get; set; }

    /// <summary>Cache figures: cached, cacheCapacity, cachedPercentage, cacheHitRatio, localHitRatio, remoteHitRatio, ...</summary>
    public Dictionary<string, string>? CacheStates { get; set; }

    /// <summary>Hadoop-compatible endpoint of the dataset.</summary>
    [JsonPropertyName("hcfs")]
    public HcfsStatus? HcfsStatus { get; set; }

    /// <summary>Number of files in the sources.</summary>
    public string? FileNum { get; set; }

    /// <summary>Deprecated: the running DataLoad; see operationRef.</summary>
    public string? DataLoadRef { get; set; }

    /// <summary>Deprecated: the running DataBackup; see operationRef.</summary>
    public string? DataBackupRef { get; set; }

    /// <summary>Running operations by kind, comma-separated names (a lock against concurrent ones).</summary>
    public Dictionary<string, string>? OperationRef { get; set; }

    /// <summary>Datasets (namespace/name) that mount this one through dataset://.</summary>
    public List<string>? DatasetRef { get; set; }
}

/// <summary>Hadoop-compatible endpoint of a dataset.</summary>
public sealed class HcfsStatus
{
    /// <summary>URL, e.g. alluxio://host:19998.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Version of the underlying file system.</summary>
    public string? UnderlayerFileSystemVersion { get; set; }
}

/// <summary>A condition of a dataset.</summary>
public sealed class DatasetCondition
{
    /// <summary>RuntimeScheduled, Ready, NotReady, Initialized, Updating or UpdateReady.</summary>
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    public string Status { get; set; } = "";

    /// <summary>Why, in one word.</summary>
    public string? Reason { get; set; }

    /// <summary>Why, for people.</summary>
    public string? Message { get; set; }

    /// <summary>When the condition was last updated.</summary>
    public DateTimeOffset? LastUpdateTime { get; set; }

    /// <summary>When the status last changed.</summary>
    public DateTimeOffset? LastTransitionTime { get; set; }
}

/// <summary>Phases of a dataset.</summary>
public static class DatasetPhases
{
    /// <summary>Waiting for a runtime.</summary>
    public const string Pending = "Pending";

    /// <summary>Bound to a runtime.</summary>
    public const string Bound = "Bound";

    /// <summary>Not bound to a runtime; may be deleted.</summary>
    public const string NotBound = "NotBound";

    /// <summary>Failed.</summary>
    public const string Failed = "Failed";

    /// <summary>Being updated.</summary>
    public const string Updating = "Updating";

    /// <summary>Being migrated; cannot be mounted.</summary>
    public const string DataMigrating = "DataMigrating";
}

/// <summary>Placement modes of a dataset.</summary>
public static class PlacementModes
{
    /// <summary>One dataset's cache per node.</summary>
    public const string Exclusive = "Exclusive";

    /// <summary>Datasets share nodes.</summary>
    public const string Shared = "Shared";
}

/// <summary>Access modes of a dataset's volume.</summary>
public static class AccessModes
{
    /// <summary>Many readers (the default).</summary>
    public const string ReadOnlyMany = "ReadOnlyMany";

    /// <summary>Many readers and writers.</summary>
    public const string ReadWriteMany = "ReadWriteMany";

    /// <summary>Every access mode Kubernetes defines.</summary>
    public static readonly IReadOnlyList<string> All = ["ReadWriteOnce", "ReadOnlyMany", ReadWriteMany, "ReadWriteOncePod"];
}
