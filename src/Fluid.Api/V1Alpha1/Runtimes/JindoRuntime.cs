using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>A JindoFS (JindoCache) engine for the dataset of the same name: master, workers and fuse clients, typically over OSS or HDFS.</summary>
[FluidResource("JindoRuntime", "jindoruntimes", ShortNames = ["jindo"])]
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
public sealed class JindoRuntime : KubeObject<JindoRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of a Jindo runtime.</summary>
public sealed class JindoRuntimeSpec
{
    /// <summary>Jindo image the runtime's master and workers run.</summary>
    public VersionSpec? JindoVersion { get; set; }

    /// <summary>The Jindo master.</summary>
    public JindoCompTemplateSpec? Master { get; set; }

    /// <summary>The Jindo workers.</summary>
    public JindoCompTemplateSpec? Worker { get; set; }

    /// <summary>The Jindo fuse clients.</summary>
    public JindoFuseSpec? Fuse { get; set; }

    /// <summary>Jindo properties for every component.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>The workers' cache tiers.</summary>
    [JsonPropertyName("tieredstore")]
    public TieredStore? TieredStore { get; set; }

    /// <summary>Number of workers.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>The user the Jindo processes run as.</summary>
    public User? RunAs { get; set; }

    /// <summary>Name of the user Jindo accesses the under-store as.</summary>
    public string? User { get; set; }

    /// <summary>ConfigMap in the runtime's namespace holding hdfs-site.xml and/or core-site.xml for an HDFS under-store.</summary>
    [JsonPropertyName("hadoopConfig")]
    public string? HadoopConfig { get; set; }

    /// <summary>Secret holding the under-store's credentials.</summary>
    public string? Secret { get; set; }

    /// <summary>Labels for all Jindo pods. Deprecated: use podMetadata.labels (the two must not both be set).</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Labels and annotations for all the runtime's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Logging settings of the Jindo processes.</summary>
    public Dictionary<string, string>? LogConfig { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork; note the lower-case JSON name networkmode.</summary>
    [JsonPropertyName("networkmode")]
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }

    /// <summary>How the cache is cleaned when fuse pods end.</summary>
    public CleanCachePolicy? CleanCachePolicy { get; set; }

    /// <summary>Volumes the components and fuses may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>Secrets for pulling the runtime's images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
}

/// <summary>One Jindo component (master or worker).</summary>
public sealed class JindoCompTemplateSpec
{
    /// <summary>Number of replicas of the component; 1 when unset.</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Jindo properties of the component.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>Ports of the component by name.</summary>
    public Dictionary<string, int>? Ports { get; set; }

    /// <summary>Compute resources of the component's containers.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Environment variables of the component.</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Node labels the component's pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Taints the component's pods tolerate.</summary>
    public List<Toleration>? Tolerations { get; set; }

    /// <summary>Labels for the component's pods. Deprecated: use podMetadata.labels (the two must not both be set).</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Labels and annotations for the component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Do not run the component.</summary>
    public bool? Disabled { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the component's containers.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Secrets for pulling the component's images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
}

/// <summary>The Jindo fuse client that exposes the dataset as a POSIX file system on application nodes.</summary>
public sealed class JindoFuseSpec
{
    /// <summary>Fuse image, e.g. jindo/jindo-fuse.</summary>
    public string? Image { get; set; }

    /// <summary>Fuse image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Secrets for pulling the fuse image.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Jindo properties of the fuse.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>Environment variables of the fuse.</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Compute resources of the fuse container.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Command-line arguments of the fuse.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Node labels the fuse pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Taints the fuse pods tolerate.</summary>
    public List<Toleration>? Tolerations { get; set; }

    /// <summary>Labels for the fuse pods. Deprecated: use podMetadata.labels (the two must not both be set).</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Labels and annotations for the fuse pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>When fuse pods are removed: OnRuntimeDeleted (the default when empty) or OnDemand (as soon as no pod on the node needs it).</summary>
    public string? CleanPolicy { get; set; }

    /// <summary>Do not run the fuse.</summary>
    public bool? Disabled { get; set; }

    /// <summary>Logging settings of the fuse.</summary>
    public Dictionary<string, string>? LogConfig { get; set; }

    /// <summary>Whether and how the fuse exposes metrics.</summary>
    public ClientMetrics? Metrics { get; set; }
}
