using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>
/// A GooseFS (Tencent Cloud) cache engine for the dataset of the same name: masters, workers, fuse
/// clients and an optional API gateway. Upstream Fluid has since dropped this kind; it is kept so
/// existing manifests still load.
/// </summary>
[FluidResource("GooseFSRuntime", "goosefsruntimes", ShortNames = ["goose"])]
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
public sealed class GooseFSRuntime : KubeObject<GooseFSRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of a GooseFS runtime.</summary>
public sealed class GooseFSRuntimeSpec
{
    /// <summary>GooseFS image the runtime's masters and workers run.</summary>
    [JsonPropertyName("goosefsVersion")]
    public VersionSpec? GooseFSVersion { get; set; }

    /// <summary>The GooseFS master.</summary>
    public GooseFSCompTemplateSpec? Master { get; set; }

    /// <summary>The GooseFS job master.</summary>
    public GooseFSCompTemplateSpec? JobMaster { get; set; }

    /// <summary>The GooseFS workers.</summary>
    public GooseFSCompTemplateSpec? Worker { get; set; }

    /// <summary>The GooseFS job workers.</summary>
    public GooseFSCompTemplateSpec? JobWorker { get; set; }

    /// <summary>The GooseFS API gateway (off unless enabled).</summary>
    [JsonPropertyName("apiGateway")]
    public GooseFSCompTemplateSpec? ApiGateway { get; set; }

    /// <summary>The init container that creates the runtime's users.</summary>
    public InitUsersSpec? InitUsers { get; set; }

    /// <summary>The GooseFS fuse clients.</summary>
    public GooseFSFuseSpec? Fuse { get; set; }

    /// <summary>GooseFS properties for every component (goosefs.* keys).</summary>
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

    /// <summary>The user the GooseFS processes run as.</summary>
    public User? RunAs { get; set; }

    /// <summary>Turn off the Prometheus metrics endpoints (on by default).</summary>
    public bool? DisablePrometheus { get; set; }

    /// <summary>ConfigMap in the runtime's namespace holding hdfs-site.xml and/or core-site.xml for an HDFS under-store.</summary>
    [JsonPropertyName("hadoopConfig")]
    public string? HadoopConfig { get; set; }

    /// <summary>How the cache is cleaned when fuse pods end.</summary>
    public CleanCachePolicy? CleanCachePolicy { get; set; }
}

/// <summary>One GooseFS component (master, job master, worker, job worker or API gateway).</summary>
public sealed class GooseFSCompTemplateSpec
{
    /// <summary>Number of replicas of the component; 1 when unset.</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>JVM options of the component.</summary>
    public List<string>? JvmOptions { get; set; }

    /// <summary>GooseFS properties of the component.</summary>
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

    /// <summary>Annotations for the component's pods.</summary>
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>The GooseFS fuse client that exposes the dataset as a POSIX file system on application nodes.</summary>
public sealed class GooseFSFuseSpec
{
    /// <summary>Fuse image, e.g. goosefs/goosefs-fuse.</summary>
    public string? Image { get; set; }

    /// <summary>Fuse image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>JVM options of the fuse.</summary>
    public List<string>? JvmOptions { get; set; }

    /// <summary>GooseFS properties of the fuse.</summary>
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

    /// <summary>Annotations for the fuse pods.</summary>
    public Dictionary<string, string>? Annotations { get; set; }
}
