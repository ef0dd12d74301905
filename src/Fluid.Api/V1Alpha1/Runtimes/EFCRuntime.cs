using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>An EFC (Elastic File Client) engine for the dataset of the same name: a fuse client for NAS with a distributed cache of master and workers.</summary>
[FluidResource("EFCRuntime", "efcruntimes", ShortNames = ["efc"])]
[StatusSubresource]
[ScaleSubresource(".spec.replicas", ".status.currentWorkerNumberScheduled")]
[PrinterColumn("Ready Masters", "integer", ".status.masterNumberReady", Order = 1, Priority = 10)]
[PrinterColumn("Desired Masters", "integer", ".status.desiredMasterNumberScheduled", Order = 2, Priority = 10)]
[PrinterColumn("Master Phase", "string", ".status.masterPhase", Order = 3)]
[PrinterColumn("Ready Workers", "integer", ".status.workerNumberReady", Order = 4, Priority = 10)]
[PrinterColumn("Desired Workers", "integer", ".status.desiredWorkerNumberScheduled", Order = 5, Priority = 10)]
[PrinterColumn("Worker Phase", "string", ".status.workerPhase", Order = 6)]
[PrinterColumn("Ready Fuses", "integer", ".status.fuseNumberReady", Order = 7, Priority = 10)]
[PrinterColumn("Desired Fuses", "integer", ".status.desiredFuseNumberScheduled", Order = 8, Priority = 10)]
[PrinterColumn("Fuse Phase", "string", ".status.fusePhase", Order = 9)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 10)]
public sealed class EFCRuntime : KubeObject<EFCRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of an EFC runtime.</summary>
public sealed class EFCRuntimeSpec
{
    /// <summary>The EFC master.</summary>
    public EFCCompTemplateSpec? Master { get; set; }

    /// <summary>The EFC cache workers.</summary>
    public EFCCompTemplateSpec? Worker { get; set; }

    /// <summary>The init container that loads the alifuse kernel module.</summary>
    public EFCInitFuseSpec? InitFuse { get; set; }

    /// <summary>The EFC fuse clients.</summary>
    public EFCFuseSpec? Fuse { get; set; }

    /// <summary>The workers' cache tiers.</summary>
    [JsonPropertyName("tieredstore")]
    public TieredStore? TieredStore { get; set; }

    /// <summary>Number of workers.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Tuning for a specific operating system.</summary>
    [JsonPropertyName("osAdvise")]
    public EFCOSAdvise? OSAdvise { get; set; }

    /// <summary>How the cache is cleaned when fuse pods end.</summary>
    public CleanCachePolicy? CleanCachePolicy { get; set; }

    /// <summary>Labels and annotations for all the runtime's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }
}

/// <summary>One EFC component (master or worker).</summary>
public sealed class EFCCompTemplateSpec
{
    /// <summary>Number of replicas of the component; 1 when unset.</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Image of the component.</summary>
    public VersionSpec? Version { get; set; }

    /// <summary>EFC properties of the component.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>Ports of the component by name.</summary>
    public Dictionary<string, int>? Ports { get; set; }

    /// <summary>Compute resources of the component's containers.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Do not run the component (it runs by default).</summary>
    public bool? Disabled { get; set; }

    /// <summary>Node labels the component's pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork.</summary>
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }

    /// <summary>Labels and annotations for the component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }
}

/// <summary>The EFC fuse client that mounts the NAS file system on application nodes.</summary>
public sealed class EFCFuseSpec
{
    /// <summary>Image of the fuse.</summary>
    public VersionSpec? Version { get; set; }

    /// <summary>EFC properties of the fuse.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>Compute resources of the fuse container.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Node labels the fuse pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>When fuse pods are removed: OnRuntimeDeleted (the default when empty) or OnDemand (as soon as no pod on the node needs it).</summary>
    public string? CleanPolicy { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork.</summary>
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }

    /// <summary>Labels and annotations for the fuse pods.</summary>
    public PodMetadata? PodMetadata { get; set; }
}

/// <summary>The init step that prepares the fuse kernel module on a node.</summary>
public sealed class EFCInitFuseSpec
{
    /// <summary>Image of the alifuse init container.</summary>
    public VersionSpec? Version { get; set; }
}

/// <summary>Operating-system specific tuning of EFC.</summary>
public sealed class EFCOSAdvise
{
    /// <summary>The operating system version to tune for.</summary>
    [JsonPropertyName("osVersion")]
    public string? OSVersion { get; set; }

    /// <summary>Apply the tuning (off by default).</summary>
    public bool? Enabled { get; set; }
}
