using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>
/// A cluster-wide cache engine implementation that CacheRuntimes name in runtimeClassName: its
/// file system type, pod templates of its master, worker and client, the ConfigMaps it needs and
/// how its data operations run. Like upstream, its fields sit at the top level (there is no spec).
/// </summary>
[FluidResource("CacheRuntimeClass", "cacheruntimeclasses", Scope = ResourceScope.Cluster)]
public sealed class CacheRuntimeClass : KubeObject
{
    /// <summary>The file system type of the engine, e.g. alluxio, juicefs or fluid.</summary>
    [Required]
    public string FileSystemType { get; set; } = "";

    /// <summary>The engine's components: master, worker and client.</summary>
    public CacheRuntimeClassTopology? Topology { get; set; }

    /// <summary>Extra objects (ConfigMaps) created for the components of every runtime of the class.</summary>
    public CacheRuntimeClassExtraResources? ExtraResources { get; set; }

    /// <summary>How data operations (DataLoad, DataBackup, ...) run for this engine.</summary>
    public List<CacheRuntimeClassDataOperationSpec>? DataOperationSpecs { get; set; }
}

/// <summary>The components of a cache engine.</summary>
public sealed class CacheRuntimeClassTopology
{
    /// <summary>The master component.</summary>
    public CacheRuntimeClassComponentDefinition? Master { get; set; }

    /// <summary>The worker component.</summary>
    public CacheRuntimeClassComponentDefinition? Worker { get; set; }

    /// <summary>The client (FUSE) component.</summary>
    public CacheRuntimeClassComponentDefinition? Client { get; set; }
}

/// <summary>How a component of a cache engine is deployed.</summary>
public sealed class CacheRuntimeClassComponentDefinition
{
    /// <summary>Extra settings of the component.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Template of the component's pods.</summary>
    public PodTemplateSpec? Template { get; set; }

    /// <summary>The Service in front of the component.</summary>
    public CacheRuntimeClassComponentService? Service { get; set; }

    /// <summary>What the component needs mounted: dataset secrets, ConfigMaps.</summary>
    public CacheRuntimeClassComponentDependencies? Dependencies { get; set; }

    /// <summary>Commands run in the component for engines integrated out of tree.</summary>
    public CacheRuntimeClassExecutionEntries? ExecutionEntries { get; set; }
}

/// <summary>Commands Fluid runs inside a component to drive an out-of-tree engine.</summary>
public sealed class CacheRuntimeClassExecutionEntries
{
    /// <summary>Mounts the dataset's sources; prints JSON describing the result on stdout.</summary>
    [JsonPropertyName("mountUFS")]
    public CacheRuntimeClassExecutionEntry? MountUfs { get; set; }

    /// <summary>Reports cache figures such as capacity and hit ratio.</summary>
    public CacheRuntimeClassExecutionEntry? ReportSummary { get; set; }
}

/// <summary>A command run inside a component.</summary>
public sealed class CacheRuntimeClassExecutionEntry
{
    /// <summary>The command and its arguments.</summary>
    [Required]
    public List<string> Command { get; set; } = [];

    /// <summary>Timeout in seconds (at least, and by default, 20).</summary>
    [JsonPropertyName("timeout")]
    public int? TimeoutSeconds { get; set; }
}

/// <summary>What a component needs mounted.</summary>
public sealed class CacheRuntimeClassComponentDependencies
{
    /// <summary>Whether the dataset's encrypt-option secrets are mounted (by default into master and worker, not client).</summary>
    public CacheRuntimeClassSecretMountDependency? SecretMount { get; set; }

    /// <summary>Extra objects, such as ConfigMaps, to mount.</summary>
    public CacheRuntimeClassExtraResourcesDependency? ExtraResources { get; set; }
}

/// <summary>Whether the dataset's encrypt-option secrets are mounted into a component.</summary>
public sealed class CacheRuntimeClassSecretMountDependency
{
    /// <summary>Mount the secrets.</summary>
    public bool? Enabled { get; set; }
}

/// <summary>Extra objects a component mounts.</summary>
public sealed class CacheRuntimeClassExtraResourcesDependency
{
    /// <summary>ConfigMaps of the class's extraResources to mount.</summary>
    public List<CacheRuntimeClassConfigMapDependency>? ConfigMaps { get; set; }
}

/// <summary>A ConfigMap mounted into a component.</summary>
public sealed class CacheRuntimeClassConfigMapDependency
{
    /// <summary>Name of a ConfigMap in the class's extraResources.configMaps.</summary>
    public string? Name { get; set; }

    /// <summary>Where it is mounted in the container; must not contain ':'.</summary>
    public string? MountPath { get; set; }
}

/// <summary>The Service of a component; only headless Services are supported.</summary>
public sealed class CacheRuntimeClassComponentService
{
    /// <summary>Create a headless Service (no cluster IP; pods are reached directly).</summary>
    public CacheRuntimeClassHeadlessService? Headless { get; set; }
}

/// <summary>A headless Service; it has no settings yet.</summary>
public sealed class CacheRuntimeClassHeadlessService;

/// <summary>Extra objects created for every runtime of a class.</summary>
public sealed class CacheRuntimeClassExtraResources
{
    /// <summary>ConfigMaps created in the runtime's namespace, for components to mount.</summary>
    public List<CacheRuntimeClassConfigMapResource>? ConfigMaps { get; set; }
}

/// <summary>A ConfigMap created for every runtime of a class.</summary>
public sealed class CacheRuntimeClassConfigMapResource
{
    /// <summary>Name of the ConfigMap in the runtime's namespace.</summary>
    public string? Name { get; set; }

    /// <summary>The ConfigMap's data; keys of alphanumerics, '-', '_' and '.'.</summary>
    public Dictionary<string, string>? Data { get; set; }
}

/// <summary>How one kind of data operation runs for a cache engine.</summary>
public sealed class CacheRuntimeClassDataOperationSpec
{
    /// <summary>The operation: DataLoad, DataBackup, DataMigrate or DataProcess.</summary>
    [Required]
    [AllowedValues("DataLoad", "DataBackup", "DataMigrate", "DataProcess")]
    public string Name { get; set; } = "";

    /// <summary>Image of the operation's pod; the worker's image when unset.</summary>
    public string? Image { get; set; }

    /// <summary>Entrypoint of the operation's container.</summary>
    public List<string>? Command { get; set; }

    /// <summary>Arguments of the operation's container.</summary>
    public List<string>? Args { get; set; }
}
