using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>
/// A container (core/v1 Container): the fields Fluid's processors and runtimes read are modelled;
/// the rest of Kubernetes' container fields are accepted and kept as written.
/// </summary>
[OpaqueFields("envFrom", "resizePolicy", "restartPolicy", "restartPolicyRules", "volumeDevices", "terminationMessagePath",
    "terminationMessagePolicy", "stdinOnce")]
public sealed class Container
{
    /// <summary>Container name, unique in the pod.</summary>
    public string Name { get; set; } = "";

    /// <summary>Image reference.</summary>
    public string? Image { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Entrypoint; the image's when empty.</summary>
    public List<string>? Command { get; set; }

    /// <summary>Arguments to the entrypoint.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Working directory.</summary>
    public string? WorkingDir { get; set; }

    /// <summary>Ports to expose.</summary>
    public List<ContainerPort>? Ports { get; set; }

    /// <summary>Environment variables.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Compute resources.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Volumes mounted into the container.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Liveness probe, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? LivenessProbe { get; set; }

    /// <summary>Readiness probe, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? ReadinessProbe { get; set; }

    /// <summary>Startup probe, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? StartupProbe { get; set; }

    /// <summary>Lifecycle hooks, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? Lifecycle { get; set; }

    /// <summary>Security context, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? SecurityContext { get; set; }

    /// <summary>Allocate a stdin buffer.</summary>
    public bool? Stdin { get; set; }

    /// <summary>Allocate a TTY.</summary>
    public bool? Tty { get; set; }

    /// <summary>The other container fields, kept as written.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OtherFields { get; set; }
}

/// <summary>A port a container exposes.</summary>
public sealed class ContainerPort
{
    /// <summary>Port name, an IANA service name.</summary>
    public string? Name { get; set; }

    /// <summary>Port number in the container.</summary>
    [JsonPropertyName("containerPort")]
    public int Port { get; set; }

    /// <summary>Port on the host.</summary>
    public int? HostPort { get; set; }

    /// <summary>Host IP to bind.</summary>
    public string? HostIP { get; set; }

    /// <summary>TCP (default), UDP or SCTP.</summary>
    [DefaultValue("TCP")]
    [AllowedValues("TCP", "UDP", "SCTP")]
    public string? Protocol { get; set; }
}

/// <summary>
/// A pod's specification (core/v1 PodSpec): the fields Fluid reads are modelled; every other
/// PodSpec field is accepted and kept as written.
/// </summary>
[OpaqueFields("activeDeadlineSeconds", "automountServiceAccountToken", "dnsConfig", "enableServiceLinks", "ephemeralContainers",
    "hostAliases", "hostIPC", "hostPID", "hostUsers", "hostname", "hostnameOverride", "os", "overhead", "preemptionPolicy", "readinessGates",
    "resourceClaims", "resources", "runtimeClassName", "schedulingGates", "serviceAccount", "setHostnameAsFQDN",
    "shareProcessNamespace", "subdomain", "topologySpreadConstraints", "nodeName", "priority")]
public sealed class PodSpec
{
    /// <summary>Containers started in order before the main ones.</summary>
    public List<Container>? InitContainers { get; set; }

    /// <summary>The pod's containers.</summary>
    public List<Container> Containers { get; set; } = [];

    /// <summary>Volumes the containers may mount.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>Always, OnFailure or Never.</summary>
    public string? RestartPolicy { get; set; }

    /// <summary>Seconds allowed for graceful termination.</summary>
    public long? TerminationGracePeriodSeconds { get; set; }

    /// <summary>ClusterFirst, ClusterFirstWithHostNet, Default or None.</summary>
    public string? DnsPolicy { get; set; }

    /// <summary>Labels a node must have.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Service account the pod runs as.</summary>
    public string? ServiceAccountName { get; set; }

    /// <summary>Use the node's network namespace.</summary>
    public bool? HostNetwork { get; set; }

    /// <summary>Pod security context, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? SecurityContext { get; set; }

    /// <summary>Secrets for pulling images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Scheduling constraints.</summary>
    public Affinity? Affinity { get; set; }

    /// <summary>Scheduler to use.</summary>
    public string? SchedulerName { get; set; }

    /// <summary>Taints the pod tolerates.</summary>
    public List<Toleration>? Tolerations { get; set; }

    /// <summary>Priority class.</summary>
    public string? PriorityClassName { get; set; }

    /// <summary>The other PodSpec fields, kept as written.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OtherFields { get; set; }
}

/// <summary>Metadata and spec of pods to create (core/v1 PodTemplateSpec).</summary>
public sealed class PodTemplateSpec
{
    /// <summary>Labels and annotations of the pods.</summary>
    public ObjectMeta? Metadata { get; set; }

    /// <summary>The pods' spec.</summary>
    public PodSpec? Spec { get; set; }
}
