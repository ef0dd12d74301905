using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>An Alluxio cache engine for the dataset of the same name: masters, workers, fuse clients and an optional API gateway.</summary>
[FluidResource("AlluxioRuntime", "alluxioruntimes", ShortNames = ["alluxio"])]
[StatusSubresource]
[ScaleSubresource(".spec.replicas", ".status.currentWorkerNumberScheduled", LabelSelectorPath = ".status.selector")]
[PrinterColumn("Ready Masters", "integer", ".status.masterNumberReady", Order = 1, Priority = 10)]
[PrinterColumn("Desired Masters", "integer", ".status.desiredMasterNumberScheduled", Order = 2, Priority = 10)]
[PrinterColumn("Master Phase", "string", ".status.masterPhase", Order = 3)]
[PrinterColumn("Ready Workers", "integer", ".status.workerNumberReady", Order = 4, Priority = 10)]
[PrinterColumn("Desired Workers", "integer", ".status.desiredWorkerNumberScheduled", Order = 5, Priority = 10)]
[PrinterColumn("Worker Phase", "string", ".status.workerPhase", Order = 6)]
[PrinterColumn("Ready Fuses", "integer", ".status.fuseNumberReady", Order = 7, Priority = 10)]
[PrinterColumn("Desired Fuses", "integer", ".status.desiredFuseNumberScheduled", Order = 8, Priority = 10)]
[PrinterColumn("Fuse Phase", "string", ".status.fusePhase", Order = 9)]
[PrinterColumn("API Gateway", "string", ".status.apiGateway.endpoint", Order = 10, Priority = 10)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 11)]
public sealed class AlluxioRuntime : KubeObject<AlluxioRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of an Alluxio runtime.</summary>
public sealed class AlluxioRuntimeSpec
{
    /// <summary>Alluxio image the runtime's masters and workers run.</summary>
    public VersionSpec? AlluxioVersion { get; set; }

    /// <summary>The Alluxio master.</summary>
    public AlluxioCompTemplateSpec? Master { get; set; }

    /// <summary>The Alluxio job master.</summary>
    public AlluxioCompTemplateSpec? JobMaster { get; set; }

    /// <summary>The Alluxio workers.</summary>
    public AlluxioCompTemplateSpec? Worker { get; set; }

    /// <summary>The Alluxio job workers.</summary>
    public AlluxioCompTemplateSpec? JobWorker { get; set; }

    /// <summary>The Alluxio API gateway (off unless enabled).</summary>
    [JsonPropertyName("apiGateway")]
    public AlluxioCompTemplateSpec? ApiGateway { get; set; }

    /// <summary>The init container that creates the runtime's users.</summary>
    public InitUsersSpec? InitUsers { get; set; }

    /// <summary>The Alluxio fuse clients.</summary>
    public AlluxioFuseSpec? Fuse { get; set; }

    /// <summary>Alluxio properties for every component (alluxio.* keys).</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>JVM options for every component.</summary>
    public List<string>? JvmOptions { get; set; }

    /// <summary>The workers' cache tiers.</summary>
    [JsonPropertyName("tieredstore")]
    public TieredStore? TieredStore { get; set; }

    /// <summary>Replication and pinning of the bound dataset's data.</summary>
    public AlluxioData? Data { get; set; }

    /// <summary>Number of workers.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>The user the Alluxio processes run as.</summary>
    public User? RunAs { get; set; }

    /// <summary>Turn off the Prometheus metrics endpoints (on by default).</summary>
    public bool? DisablePrometheus { get; set; }

    /// <summary>ConfigMap in the runtime's namespace holding hdfs-site.xml and/or core-site.xml for an HDFS under-store.</summary>
    [JsonPropertyName("hadoopConfig")]
    public string? HadoopConfig { get; set; }

    /// <summary>Volumes the components and fuses may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>Labels and annotations for all the runtime's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>How the runtime's cache and metadata are managed.</summary>
    [JsonPropertyName("management")]
    public RuntimeManagement? RuntimeManagement { get; set; }

    /// <summary>Secrets for pulling the runtime's images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
}

/// <summary>One Alluxio component (master, job master, worker, job worker or API gateway).</summary>
public sealed class AlluxioCompTemplateSpec
{
    /// <summary>Number of replicas of the component; 1 when unset.</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>JVM options of the component.</summary>
    public List<string>? JvmOptions { get; set; }

    /// <summary>Alluxio properties of the component.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>Ports of the component by name, e.g. rpc: 19998.</summary>
    public Dictionary<string, int>? Ports { get; set; }

    /// <summary>Compute resources of the component's containers.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Environment variables of the component.</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Whether the component runs; only the API gateway reads it.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Node labels the component's pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork.</summary>
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the component's containers.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Labels and annotations for the component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Secrets for pulling the component's images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
}

/// <summary>The Alluxio fuse client that exposes the dataset as a POSIX file system on application nodes.</summary>
public sealed class AlluxioFuseSpec
{
    /// <summary>Fuse image, e.g. alluxio/alluxio-fuse.</summary>
    public string? Image { get; set; }

    /// <summary>Fuse image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Secrets for pulling the fuse image.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>JVM options of the fuse.</summary>
    public List<string>? JvmOptions { get; set; }

    /// <summary>Alluxio properties of the fuse.</summary>
    public Dictionary<string, string>? Properties { get; set; }

    /// <summary>Environment variables of the fuse.</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Compute resources of the fuse container.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Command-line arguments of the fuse.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Node labels the fuse pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>When fuse pods are removed: OnRuntimeDeleted (the default when empty) or OnDemand (as soon as no pod on the node needs it).</summary>
    public string? CleanPolicy { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork.</summary>
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the fuse container.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Labels and annotations for the fuse pods.</summary>
    public PodMetadata? PodMetadata { get; set; }
}

/// <summary>How the cache engine treats the bound dataset's data (Alluxio and GooseFS).</summary>
public sealed class AlluxioData
{
    /// <summary>Number of cached copies of each block.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Pin the dataset in the cache so it is never evicted.</summary>
    public bool? Pin { get; set; }
}
