using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>
/// A thin runtime: serves a dataset through a FUSE client of your choice (described by a
/// ThinRuntimeProfile), with no cache engine of its own. Like upstream, it is in no category.
/// </summary>
[FluidResource("ThinRuntime", "thinruntimes")]
[StatusSubresource]
public sealed class ThinRuntime : KubeObject<ThinRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of a thin runtime.</summary>
public sealed class ThinRuntimeSpec
{
    /// <summary>The ThinRuntimeProfile to build on; empty for datasets that mount another dataset.</summary>
    [JsonPropertyName("profileName")]
    public string? ThinRuntimeProfileName { get; set; }

    /// <summary>The worker component; overrides the profile's.</summary>
    public ThinCompTemplateSpec? Worker { get; set; }

    /// <summary>The FUSE client; overrides the profile's.</summary>
    public ThinFuseSpec? Fuse { get; set; }

    /// <summary>Cache tiers.</summary>
    [JsonPropertyName("tieredstore")]
    public TieredStore? TieredStore { get; set; }

    /// <summary>Number of workers.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>The user the runtime runs as.</summary>
    public User? RunAs { get; set; }

    /// <summary>Turn off the Prometheus metrics of the runtime (they are on by default).</summary>
    public bool? DisablePrometheus { get; set; }

    /// <summary>Volumes the worker and FUSE client may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>How the runtime cleans cache and synchronizes metadata.</summary>
    [JsonPropertyName("management")]
    public RuntimeManagement? RuntimeManagement { get; set; }

    /// <summary>Secrets for pulling the runtime's images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }
}

/// <summary>A component (the worker) of a thin runtime or profile.</summary>
public sealed class ThinCompTemplateSpec
{
    /// <summary>Image of the component.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag of the component.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Secrets for pulling the image.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Number of pods of the component (default 1).</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Ports the component exposes.</summary>
    public List<ContainerPort>? Ports { get; set; }

    /// <summary>Compute resources of the component.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Environment variables of the component.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Whether the component is deployed.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Labels a node must have to run the component.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the component.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Liveness probe of the component's container (core/v1 Probe), kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? LivenessProbe { get; set; }

    /// <summary>Readiness probe of the component's container (core/v1 Probe), kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? ReadinessProbe { get; set; }

    /// <summary>HostNetwork or ContainerNetwork; "" or unset means HostNetwork.</summary>
    [AllowedValues("HostNetwork", "", "ContainerNetwork")]
    public string? NetworkMode { get; set; }
}

/// <summary>The FUSE client of a thin runtime or profile: the container that mounts the data source.</summary>
public sealed class ThinFuseSpec
{
    /// <summary>Image of the FUSE client.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag of the FUSE client.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Secrets for pulling the image.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Ports the FUSE client exposes.</summary>
    public List<ContainerPort>? Ports { get; set; }

    /// <summary>Environment variables of the FUSE client.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Entrypoint of the FUSE container.</summary>
    public List<string>? Command { get; set; }

    /// <summary>Arguments of the FUSE container.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Client options (usually tuning), merged with the dataset mounts' options.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Compute resources of the FUSE client.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Labels a node must have to run the FUSE client.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>When FUSE pods are removed: OnDemand (the default; when no longer used on the node) or OnRuntimeDeleted.</summary>
    public string? CleanPolicy { get; set; }

    /// <summary>HostNetwork or ContainerNetwork; "" or unset means HostNetwork.</summary>
    [AllowedValues("HostNetwork", "", "ContainerNetwork")]
    public string? NetworkMode { get; set; }

    /// <summary>Liveness probe of the FUSE container (core/v1 Probe), kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? LivenessProbe { get; set; }

    /// <summary>Readiness probe of the FUSE container (core/v1 Probe), kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? ReadinessProbe { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the FUSE container.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Lifecycle hooks of the FUSE container (core/v1 Lifecycle), kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? Lifecycle { get; set; }

    /// <summary>Labels and annotations for the FUSE pods.</summary>
    public PodMetadata? PodMetadata { get; set; }
}
