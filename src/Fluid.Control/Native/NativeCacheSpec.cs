using Fluid.Api.Core;
using Fluid.Api.Serialization;

namespace Fluid.Control.Native;

/// <summary>
/// What the native cache engine needs from any runtime kind it serves: replicas, tiers, image
/// and placement. Each kind's <see cref="INativeRuntimeSource"/> reads its own spec into this,
/// with an error or a warning naming every field it cannot honour.
/// </summary>
public sealed class NativeCacheSpec
{
    /// <summary>Masters wanted (the native cache runs one).</summary>
    public int MasterReplicas { get; set; } = 1;

    /// <summary>Workers wanted.</summary>
    public int WorkerReplicas { get; set; } = 1;

    /// <summary>The workers' cache tiers, fastest first.</summary>
    public List<NativeTier> Tiers { get; } = [];

    /// <summary>Container image (the fluid binary).</summary>
    public string Image { get; set; } = "fluid";

    /// <summary>Image pull policy.</summary>
    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    /// <summary>Block size flag value, e.g. 4Mi, when the runtime sets one.</summary>
    public string? BlockSize { get; set; }

    /// <summary>Node labels the workers need.</summary>
    public Dictionary<string, string> WorkerNodeSelector { get; } = [];

    /// <summary>Taints the workers tolerate (besides the dataset's).</summary>
    public List<Toleration> WorkerTolerations { get; } = [];

    /// <summary>Taints the FUSE pods tolerate (besides the dataset's).</summary>
    public List<Toleration> FuseTolerations { get; } = [];

    /// <summary>Labels and annotations for every pod.</summary>
    public Dictionary<string, string> PodLabels { get; } = [];

    /// <summary>Problems that stop setup.</summary>
    public List<FieldIssue> Errors { get; } = [];

    /// <summary>Fields the native engine does not honour.</summary>
    public List<FieldIssue> Warnings { get; } = [];
}

/// <summary>How a tier's directories reach a worker.</summary>
public enum TierVolume
{
    /// <summary>Directories of the node.</summary>
    HostPath,

    /// <summary>A pod-lifetime directory on the node's disk.</summary>
    EmptyDir,

    /// <summary>A pod-lifetime tmpfs.</summary>
    Memory,
}

/// <summary>One cache tier of the native workers.</summary>
public sealed record NativeTier(string Medium, IReadOnlyList<string> Paths, IReadOnlyList<long> QuotaBytes, TierVolume Volume, string? High, string? Low)
{
    /// <summary>Total capacity of the tier.</summary>
    public long TotalBytes => QuotaBytes.Sum();

    /// <summary>True when the tier lives in memory (counted as memory in node labels).</summary>
    public bool IsMemory => Medium == "MEM";
}
