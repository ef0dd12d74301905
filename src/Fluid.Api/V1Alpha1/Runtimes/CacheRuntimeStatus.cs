using System.ComponentModel.DataAnnotations;
using Fluid.Api.Core;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>Observed state of a cache runtime: each component's replicas and phase, and the cache's placement.</summary>
public sealed class CacheRuntimeStatus
{
    /// <summary>The values file the runtime was set up with.</summary>
    public string? ValueFile { get; set; }

    /// <summary>How long setup took, e.g. "2m30s".</summary>
    public string? SetupDuration { get; set; }

    /// <summary>Observed conditions, one per type.</summary>
    [ListMapKeys("type")]
    public List<RuntimeCondition>? Conditions { get; set; }

    /// <summary>Label selector of the runtime's pods, in string form.</summary>
    public string? Selector { get; set; }

    /// <summary>Nodes suitable for the cache workers.</summary>
    public NodeAffinity? CacheAffinity { get; set; }

    /// <summary>Observed state of the master component.</summary>
    public CacheRuntimeComponentStatus? Master { get; set; }

    /// <summary>Observed state of the worker component.</summary>
    public CacheRuntimeComponentStatus? Worker { get; set; }

    /// <summary>Observed state of the client (FUSE) component.</summary>
    public CacheRuntimeComponentStatus? Client { get; set; }

    /// <summary>When the dataset's mounts were last mounted; a master started later than this needs a remount.</summary>
    public DateTimeOffset? MountTime { get; set; }
}

/// <summary>Observed state of one cache runtime component.</summary>
public sealed class CacheRuntimeComponentStatus
{
    /// <summary>Lifecycle phase of the component: NotReady, PartialReady or Ready.</summary>
    [Required]
    public string Phase { get; set; } = "";

    /// <summary>Why the component is in its phase, in one word.</summary>
    public string? Reason { get; set; }

    /// <summary>Why the component is in its phase, for people.</summary>
    public string? Message { get; set; }

    /// <summary>Pods with a Ready condition.</summary>
    public int? ReadyReplicas { get; set; }

    /// <summary>Pods running.</summary>
    public int? CurrentReplicas { get; set; }

    /// <summary>Pods wanted by the spec.</summary>
    public int? DesiredReplicas { get; set; }

    /// <summary>Pods not ready or terminated.</summary>
    public int? UnavailableReplicas { get; set; }

    /// <summary>Pods ready and passing readiness checks.</summary>
    public int? AvailableReplicas { get; set; }
}
