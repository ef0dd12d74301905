using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>
/// A cache runtime whose engine is described by a CacheRuntimeClass (runtimeClassName "fluid"
/// selects this project's native cache engine): master, worker and client components with
/// their images, options, resources and cache tiers. Upstream's printer columns point at
/// status fields this kind's status does not have (.status.phase); these columns show the
/// runtime class and the phase and replica counts of each component instead.
/// </summary>
[FluidResource("CacheRuntime", "cacheruntimes")]
[StatusSubresource]
[PrinterColumn("Runtime Class", "string", ".spec.runtimeClassName", Order = 1)]
[PrinterColumn("Ready Masters", "integer", ".status.master.readyReplicas", Order = 2, Priority = 10)]
[PrinterColumn("Desired Masters", "integer", ".status.master.desiredReplicas", Order = 3, Priority = 10)]
[PrinterColumn("Master Phase", "string", ".status.master.phase", Order = 4)]
[PrinterColumn("Ready Workers", "integer", ".status.worker.readyReplicas", Order = 5, Priority = 10)]
[PrinterColumn("Desired Workers", "integer", ".status.worker.desiredReplicas", Order = 6, Priority = 10)]
[PrinterColumn("Worker Phase", "string", ".status.worker.phase", Order = 7)]
[PrinterColumn("Ready Clients", "integer", ".status.client.readyReplicas", Order = 8, Priority = 10)]
[PrinterColumn("Desired Clients", "integer", ".status.client.desiredReplicas", Order = 9, Priority = 10)]
[PrinterColumn("Client Phase", "string", ".status.client.phase", Order = 10)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 11)]
public sealed class CacheRuntime : KubeObject<CacheRuntimeSpec, CacheRuntimeStatus>;

/// <summary>Desired state of a cache runtime.</summary>
public sealed class CacheRuntimeSpec
{
    /// <summary>The CacheRuntimeClass that implements the runtime, e.g. "fluid" for the native cache engine.</summary>
    [Required]
    public string RuntimeClassName { get; set; } = "";

    /// <summary>The master component.</summary>
    public CacheRuntimeMasterSpec? Master { get; set; }

    /// <summary>The worker component, which holds the cache.</summary>
    public CacheRuntimeWorkerSpec? Worker { get; set; }

    /// <summary>The client (FUSE) component.</summary>
    public CacheRuntimeClientSpec? Client { get; set; }

    /// <summary>Options of the cache system, passed to every component.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Labels and annotations for every component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Secrets for pulling the components' images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Volumes the components may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }
}

/// <summary>Settings every cache runtime component has.</summary>
public abstract class CacheRuntimeComponentCommonSpec
{
    /// <summary>Do not create the component.</summary>
    public bool? Disabled { get; set; }

    /// <summary>Image of the component (image, imageTag, imagePullPolicy); the runtime class's when unset.</summary>
    public VersionSpec? RuntimeVersion { get; set; }

    /// <summary>Options of the cache system for this component.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Labels and annotations for the component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Compute resources of the component's container.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Environment variables of the component's container.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the component's container.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Arguments to the container's entrypoint; the image's CMD when unset.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Labels a node must have to run the component.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Taints the component's pods tolerate.</summary>
    public List<Toleration>? Tolerations { get; set; }
}

/// <summary>The master component of a cache runtime.</summary>
public sealed class CacheRuntimeMasterSpec : CacheRuntimeComponentCommonSpec
{
    /// <summary>Number of masters (default 1).</summary>
    [Range(0, int.MaxValue)]
    [DefaultValue(1)]
    public int? Replicas { get; set; }
}

/// <summary>The worker component of a cache runtime.</summary>
public sealed class CacheRuntimeWorkerSpec : CacheRuntimeComponentCommonSpec
{
    /// <summary>Number of workers (default 1).</summary>
    [Range(0, int.MaxValue)]
    [DefaultValue(1)]
    public int? Replicas { get; set; }

    /// <summary>Cache tiers of the workers.</summary>
    public CacheRuntimeTieredStore? TieredStore { get; set; }
}

/// <summary>The client (FUSE) component of a cache runtime.</summary>
public sealed class CacheRuntimeClientSpec : CacheRuntimeComponentCommonSpec
{
    /// <summary>Cache tiers of the clients.</summary>
    public CacheRuntimeTieredStore? TieredStore { get; set; }

    /// <summary>When client pods are removed: OnRuntimeDeleted (the default) or OnDemand (when no longer used on the node).</summary>
    [AllowedValues(CacheRuntimeCleanPolicies.OnRuntimeDeleted, CacheRuntimeCleanPolicies.OnDemand)]
    [DefaultValue(CacheRuntimeCleanPolicies.OnRuntimeDeleted)]
    public string? CleanPolicy { get; set; }
}

/// <summary>Cache tiers of a cache runtime component.</summary>
public sealed class CacheRuntimeTieredStore
{
    /// <summary>The tiers, highest priority first.</summary>
    public List<CacheRuntimeTieredStoreLevel>? Levels { get; set; }
}

/// <summary>One cache tier; give exactly one of processMemory, emptyDir and hostPath.</summary>
public sealed class CacheRuntimeTieredStoreLevel
{
    /// <summary>Cache in the process's memory; the quota is added to the container's memory requests and limits.</summary>
    public CacheRuntimeProcessMemorySource? ProcessMemory { get; set; }

    /// <summary>Cache in an emptyDir volume.</summary>
    public CacheRuntimeEmptyDirSource? EmptyDir { get; set; }

    /// <summary>Cache in one or more directories of the node.</summary>
    public CacheRuntimeHostPathSource? HostPath { get; set; }

    /// <summary>Usage ratio of the tier above which eviction starts, e.g. "0.9".</summary>
    public string? High { get; set; }

    /// <summary>Usage ratio of the tier eviction brings usage down to, e.g. "0.7".</summary>
    public string? Low { get; set; }
}

/// <summary>Process memory as a cache tier.</summary>
public sealed class CacheRuntimeProcessMemorySource
{
    /// <summary>Memory for the cache, e.g. 4Gi.</summary>
    [Required]
    public Quantity? Quota { get; set; }
}

/// <summary>An emptyDir volume as a cache tier.</summary>
public sealed class CacheRuntimeEmptyDirSource
{
    /// <summary>Most the volume may hold, e.g. 100Gi; with medium Memory also bounded by the containers' memory limits.</summary>
    [Required]
    public Quantity? Quota { get; set; }

    /// <summary>"" (the node's default medium) or Memory (tmpfs).</summary>
    public string? Medium { get; set; }
}

/// <summary>Directories of the node as a cache tier, e.g. one per disk.</summary>
public sealed class CacheRuntimeHostPathSource
{
    /// <summary>Directories of the node, e.g. [/mnt/cache1, /mnt/cache2].</summary>
    [Required]
    [MinLength(1)]
    public List<string> Paths { get; set; } = [];

    /// <summary>Capacity of each directory, in the order of paths (as many as paths).</summary>
    [Required]
    [MinLength(1)]
    public List<Quantity> Quotas { get; set; } = [];

    /// <summary>What must be at each path (core/v1 HostPathType): "", DirectoryOrCreate, Directory, ...; "" checks nothing.</summary>
    public string? Type { get; set; }
}

/// <summary>Values of a cache runtime client's cleanPolicy.</summary>
public static class CacheRuntimeCleanPolicies
{
    /// <summary>Remove a client pod when no pod on its node uses it any more.</summary>
    public const string OnDemand = "OnDemand";

    /// <summary>Remove client pods only when the runtime is deleted (the default).</summary>
    public const string OnRuntimeDeleted = "OnRuntimeDeleted";
}
