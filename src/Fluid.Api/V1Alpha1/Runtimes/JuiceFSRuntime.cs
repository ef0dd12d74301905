using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>A JuiceFS engine for the dataset of the same name: cache workers and fuse clients of a JuiceFS volume (community or enterprise edition).</summary>
[FluidResource("JuiceFSRuntime", "juicefsruntimes", ShortNames = ["juicefs"])]
[StatusSubresource]
[ScaleSubresource(".spec.replicas", ".status.currentWorkerNumberScheduled", LabelSelectorPath = ".status.selector")]
[PrinterColumn("Ready Workers", "integer", ".status.workerNumberReady", Order = 1, Priority = 10)]
[PrinterColumn("Desired Workers", "integer", ".status.desiredWorkerNumberScheduled", Order = 2, Priority = 10)]
[PrinterColumn("Worker Phase", "string", ".status.workerPhase", Order = 3)]
[PrinterColumn("Ready Fuses", "integer", ".status.fuseNumberReady", Order = 4, Priority = 10)]
[PrinterColumn("Desired Fuses", "integer", ".status.desiredFuseNumberScheduled", Order = 5, Priority = 10)]
[PrinterColumn("Fuse Phase", "string", ".status.fusePhase", Order = 6)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 7)]
public sealed class JuiceFSRuntime : KubeObject<JuiceFSRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of a JuiceFS runtime.</summary>
public sealed class JuiceFSRuntimeSpec
{
    /// <summary>JuiceFS image the runtime's workers run.</summary>
    [JsonPropertyName("juicefsVersion")]
    public VersionSpec? JuiceFSVersion { get; set; }

    /// <summary>The init container that creates the runtime's users.</summary>
    public InitUsersSpec? InitUsers { get; set; }

    /// <summary>The JuiceFS master (unused by the community edition).</summary>
    public JuiceFSCompTemplateSpec? Master { get; set; }

    /// <summary>The JuiceFS cache workers.</summary>
    public JuiceFSCompTemplateSpec? Worker { get; set; }

    /// <summary>The JuiceFS job workers.</summary>
    public JuiceFSCompTemplateSpec? JobWorker { get; set; }

    /// <summary>The JuiceFS fuse clients.</summary>
    public JuiceFSFuseSpec? Fuse { get; set; }

    /// <summary>The workers' cache tiers.</summary>
    [JsonPropertyName("tieredstore")]
    public TieredStore? TieredStore { get; set; }

    /// <summary>Extra JuiceFS configuration entries.</summary>
    public List<string>? Configs { get; set; }

    /// <summary>Number of workers.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>The user the JuiceFS processes run as.</summary>
    public User? RunAs { get; set; }

    /// <summary>Turn off the Prometheus metrics endpoints (on by default).</summary>
    public bool? DisablePrometheus { get; set; }

    /// <summary>Volumes the workers and fuses may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>PersistentVolumeClaim templates of the worker StatefulSet, kept as written.</summary>
    [PreserveUnknownFields]
    public List<JsonObject>? VolumeClaimTemplates { get; set; }

    /// <summary>Labels and annotations for all the runtime's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>How the runtime's cache and metadata are managed.</summary>
    [JsonPropertyName("management")]
    public RuntimeManagement? RuntimeManagement { get; set; }
}

/// <summary>One JuiceFS component (master, worker or job worker).</summary>
public sealed class JuiceFSCompTemplateSpec
{
    /// <summary>Number of replicas of the component; 1 when unset.</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Container ports of the component.</summary>
    public List<ContainerPort>? Ports { get; set; }

    /// <summary>Compute resources of the component's containers.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>JuiceFS mount options of the component (e.g. cache-size, free-space-ratio).</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Environment variables of the component.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Whether the component runs.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Node labels the component's pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the component's containers.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Labels and annotations for the component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork.</summary>
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }
}

/// <summary>The JuiceFS fuse client that exposes the dataset as a POSIX file system on application nodes.</summary>
public sealed class JuiceFSFuseSpec
{
    /// <summary>Fuse image.</summary>
    public string? Image { get; set; }

    /// <summary>Fuse image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Environment variables of the fuse.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Compute resources of the fuse container.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>JuiceFS mount options of the fuse.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Node labels the fuse pods must match.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the fuse container.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>When fuse pods are removed: OnRuntimeDeleted (the default when empty), OnDemand (as soon as no pod on the node needs it) or OnFuseChanged (also when the fuse spec changes).</summary>
    public string? CleanPolicy { get; set; }

    /// <summary>Labels and annotations for the fuse pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>HostNetwork (the default when empty) or ContainerNetwork.</summary>
    [AllowedValues(NetworkModes.Host, "", NetworkModes.Container)]
    public string? NetworkMode { get; set; }
}
