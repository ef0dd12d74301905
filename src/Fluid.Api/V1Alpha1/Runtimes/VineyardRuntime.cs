using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>A Vineyard runtime: an etcd master, vineyardd workers holding objects in shared memory, and a client socket mounted into applications.</summary>
[FluidResource("VineyardRuntime", "vineyardruntimes", ShortNames = ["v6d"])]
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
public sealed class VineyardRuntime : KubeObject<VineyardRuntimeSpec, RuntimeStatus>;

/// <summary>Desired state of a Vineyard runtime.</summary>
public sealed class VineyardRuntimeSpec
{
    /// <summary>The master (etcd) component, or an external etcd to use instead.</summary>
    public VineyardMasterSpec? Master { get; set; }

    /// <summary>The worker (vineyardd) component.</summary>
    public VineyardCompTemplateSpec? Worker { get; set; }

    /// <summary>Number of workers; wins over worker.replicas when both are set.</summary>
    [Range(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>The client socket applications use (named fuse for consistency with other runtimes; no FUSE file system is mounted).</summary>
    public VineyardClientSocketSpec? Fuse { get; set; }

    /// <summary>Storage of vineyardd: a MEM level is its shared memory, an SSD level is where it spills; defaults to one 4Gi MEM level.</summary>
    [JsonPropertyName("tieredstore")]
    public TieredStore? TieredStore { get; set; }

    /// <summary>Turn off the Prometheus metrics of the runtime (default false).</summary>
    public bool? DisablePrometheus { get; set; }

    /// <summary>Labels and annotations for every pod of the runtime.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Volumes the master and workers may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }
}

/// <summary>Settings shared by the Vineyard master and worker components.</summary>
public class VineyardCompTemplateSpec
{
    /// <summary>Number of pods of the component (default 1); workers should not outnumber nodes.</summary>
    [Range(1, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>Image of the component; defaults to registry.aliyuncs.com/vineyard/vineyardd.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag of the component.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent (default) or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Labels a node must have to run the component.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Ports by name: the master's client (2379) and peer (2380), the worker's rpc (9600) and exporter (9144).</summary>
    public Dictionary<string, int>? Ports { get; set; }

    /// <summary>Environment variables of the component (for the master, etcd settings).</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Worker options: vineyardd.reserve.memory ("true"), etcd.prefix ("/vineyard"), wait.etcd.timeout ("120" seconds); the master has none.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Compute resources; with vineyardd.reserve.memory, a worker's memory request must exceed the MEM level's quota.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Volumes of spec.volumes to mount into the component, e.g. for persistent storage.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Labels and annotations for the component's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>HostNetwork or ContainerNetwork; "" or unset means HostNetwork.</summary>
    [AllowedValues("HostNetwork", "", "ContainerNetwork")]
    public string? NetworkMode { get; set; }
}

/// <summary>The Vineyard master: an etcd the runtime deploys, or an external one given by endpoint.</summary>
public sealed class VineyardMasterSpec : VineyardCompTemplateSpec
{
    /// <summary>An external etcd for the workers; when set, no master is deployed.</summary>
    [JsonPropertyName("endpoint")]
    public VineyardExternalEndpointSpec? ExternalEndpoint { get; set; }
}

/// <summary>An external etcd cluster for Vineyard.</summary>
public sealed class VineyardExternalEndpointSpec
{
    /// <summary>Address of the etcd, e.g. etcd-svc.etcd-namespace.svc.cluster.local:2379 (plain http unless options say otherwise).</summary>
    [JsonPropertyName("uri")]
    public string? Uri { get; set; }

    /// <summary>Credentials for the etcd, from Secrets.</summary>
    public List<EncryptOption>? EncryptOptions { get; set; }

    /// <summary>Options of the connection to the etcd.</summary>
    public Dictionary<string, string>? Options { get; set; }
}

/// <summary>The Vineyard client socket mounted into application pods (IPC; applications fall back to RPC without it).</summary>
public sealed class VineyardClientSocketSpec
{
    /// <summary>Image; defaults to registry.aliyuncs.com/vineyard/vineyard-fluid-fuse.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent (default) or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Environment variables of the client pods.</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>When client pods are removed: OnDemand (when no longer used on the node) or OnRuntimeDeleted (the default).</summary>
    public string? CleanPolicy { get; set; }

    /// <summary>Compute resources of the client pods.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>HostNetwork or ContainerNetwork; "" or unset means HostNetwork.</summary>
    [AllowedValues("HostNetwork", "", "ContainerNetwork")]
    public string? NetworkMode { get; set; }

    /// <summary>Labels and annotations for the client pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>vineyardd options of the client: size ("0", no cache), etcd_endpoint, etcd_prefix, reserve_memory, allocator, compression, coredump, meta_timeout, spill_path, spill_lower_rate, spill_upper_rate.</summary>
    public Dictionary<string, string>? Options { get; set; }
}
