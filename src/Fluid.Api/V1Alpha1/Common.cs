using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Fluid.Api.Core;

namespace Fluid.Api.V1Alpha1;

/// <summary>Cache tiers of a runtime's workers, fastest first.</summary>
public sealed class TieredStore
{
    /// <summary>The tiers: MEM, then SSD, then HDD.</summary>
    public List<Level>? Levels { get; set; }
}

/// <summary>One cache tier: where it lives and how much it may hold.</summary>
public sealed class Level
{
    /// <summary>Medium of the tier: MEM, SSD or HDD.</summary>
    [JsonPropertyName("mediumtype")]
    [Required]
    [AllowedValues("MEM", "SSD", "HDD")]
    public string MediumType { get; set; } = "";

    /// <summary>How the tier's paths reach the worker: hostPath (default), emptyDir or volumeTemplate.</summary>
    [DefaultValue("hostPath")]
    public string? VolumeType { get; set; }

    /// <summary>The volume the tier lives on when volumeType is volumeTemplate.</summary>
    public VolumeSource? VolumeSource { get; set; }

    /// <summary>Directories of the tier, comma-separated (e.g. /mnt/cache1,/mnt/cache2).</summary>
    public string? Path { get; set; }

    /// <summary>Capacity of the tier, split evenly over its paths unless quotaList is given.</summary>
    public Quantity? Quota { get; set; }

    /// <summary>Capacity of each path, comma-separated in the order of path (e.g. 10Gi,20Gi).</summary>
    public string? QuotaList { get; set; }

    /// <summary>Usage ratio (0-1) above which eviction starts, e.g. "0.95".</summary>
    public string? High { get; set; }

    /// <summary>Usage ratio (0-1) eviction brings usage down to, e.g. "0.7".</summary>
    public string? Low { get; set; }
}

/// <summary>Tier media.</summary>
public static class MediumTypes
{
    /// <summary>Memory (tmpfs).</summary>
    public const string Memory = "MEM";

    /// <summary>Solid-state disk.</summary>
    public const string Ssd = "SSD";

    /// <summary>Hard disk.</summary>
    public const string Hdd = "HDD";

    /// <summary>Every medium, fastest first.</summary>
    public static readonly IReadOnlyList<string> All = [Memory, Ssd, Hdd];
}

/// <summary>Ways a tier's storage reaches a worker.</summary>
public static class VolumeTypes
{
    /// <summary>A directory of the node (the default).</summary>
    public const string HostPath = "hostPath";

    /// <summary>A pod-lifetime directory.</summary>
    public const string EmptyDir = "emptyDir";

    /// <summary>The volume given in volumeSource.</summary>
    public const string VolumeTemplate = "volumeTemplate";

    /// <summary>Every volume type.</summary>
    public static readonly IReadOnlyList<string> All = [HostPath, EmptyDir, VolumeTemplate];
}

/// <summary>How a runtime manages its cache and metadata.</summary>
public sealed class RuntimeManagement
{
    /// <summary>How cache is cleaned when fuse pods end.</summary>
    public CleanCachePolicy? CleanCachePolicy { get; set; }

    /// <summary>How metadata is synchronized with the source.</summary>
    public MetadataSyncPolicy? MetadataSyncPolicy { get; set; }
}

/// <summary>How cache is cleaned when fuse pods end.</summary>
public sealed class CleanCachePolicy
{
    /// <summary>Seconds to wait before cleaning.</summary>
    [DefaultValue(60)]
    public int? GracePeriodSeconds { get; set; }

    /// <summary>How many times cleaning is retried.</summary>
    [DefaultValue(3)]
    public int? MaxRetryAttempts { get; set; }
}

/// <summary>How metadata is synchronized with the source.</summary>
public sealed class MetadataSyncPolicy
{
    /// <summary>Synchronize metadata automatically when the runtime starts (default true).</summary>
    public bool? AutoSync { get; set; }
}

/// <summary>The image that creates the runtime's users.</summary>
public sealed class InitUsersSpec
{
    /// <summary>Image.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Image pull policy.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Environment variables.</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Compute resources.</summary>
    public ResourceRequirements? Resources { get; set; }
}

/// <summary>The user a dataset or runtime acts as.</summary>
public sealed class User
{
    /// <summary>User id.</summary>
    public long? Uid { get; set; }

    /// <summary>Group id.</summary>
    public long? Gid { get; set; }

    /// <summary>User name.</summary>
    [JsonPropertyName("user")]
    public string? UserName { get; set; }

    /// <summary>Group name.</summary>
    [JsonPropertyName("group")]
    public string? GroupName { get; set; }
}

/// <summary>Labels and annotations to put on a runtime's or operation's pods.</summary>
public sealed class PodMetadata
{
    /// <summary>Labels.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations.</summary>
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>Labels and annotations for objects of one group and kind.</summary>
public sealed class Metadata
{
    /// <summary>Labels.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations.</summary>
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>The group and kind the metadata applies to.</summary>
    public GroupKind? Selector { get; set; }
}

/// <summary>An API group and kind.</summary>
public sealed class GroupKind
{
    /// <summary>API group.</summary>
    public string? Group { get; set; }

    /// <summary>Kind.</summary>
    public string? Kind { get; set; }
}

/// <summary>Image of a runtime component.</summary>
public sealed class VersionSpec
{
    /// <summary>Image.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }
}

/// <summary>Whether a component uses the host's network or the container's.</summary>
public static class NetworkModes
{
    /// <summary>The node's network (upstream's default when unset).</summary>
    public const string Host = "HostNetwork";

    /// <summary>The pod's own network.</summary>
    public const string Container = "ContainerNetwork";

    /// <summary>Every mode; "" means the default.</summary>
    public static readonly IReadOnlyList<string> All = ["", Host, Container];
}

/// <summary>Scrape target of a fuse client's metrics.</summary>
public sealed class ClientMetrics
{
    /// <summary>Expose metrics.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Who scrapes them: MountPod, Sidecar, All or None.</summary>
    public string? ScrapeTarget { get; set; }
}

/// <summary>A reference to another object by kind and name.</summary>
public class ObjectRef
{
    /// <summary>API version; data.fluid.io/v1alpha1 when empty.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Kind of the object, e.g. DataLoad.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Name of the object.</summary>
    public string Name { get; set; } = "";

    /// <summary>Namespace; the referrer's when empty.</summary>
    public string? Namespace { get; set; }
}

/// <summary>The operation this one runs after, and where its pods should run relative to it.</summary>
public sealed class OperationRef : ObjectRef
{
    /// <summary>Where this operation's pods run relative to the one it depends on.</summary>
    public AffinityStrategy? AffinityStrategy { get; set; }
}

/// <summary>Placement of an operation's pods relative to the operation it runs after.</summary>
public sealed class AffinityStrategy
{
    /// <summary>The operation to follow; the runAfter one when empty.</summary>
    public ObjectRef? DependOn { get; set; }

    /// <summary>"" (none), Require or Prefer.</summary>
    public string? Policy { get; set; }

    /// <summary>Node labels to prefer, with weights (policy Prefer).</summary>
    public List<Prefer>? Prefers { get; set; }

    /// <summary>Node labels to require (policy Require).</summary>
    public List<Require>? Requires { get; set; }
}

/// <summary>A node label to prefer, with a weight.</summary>
public sealed class Prefer
{
    /// <summary>Label name, e.g. kubernetes.io/hostname.</summary>
    public string Name { get; set; } = "";

    /// <summary>Weight from 1 to 100.</summary>
    public int Weight { get; set; }
}

/// <summary>A node label to require.</summary>
public sealed class Require
{
    /// <summary>Label name, e.g. kubernetes.io/hostname.</summary>
    public string Name { get; set; } = "";
}

/// <summary>When a data operation runs.</summary>
public static class Policies
{
    /// <summary>Run once (the default).</summary>
    public const string Once = "Once";

    /// <summary>Run on the schedule.</summary>
    public const string Cron = "Cron";

    /// <summary>Run when an event asks for it.</summary>
    public const string OnEvent = "OnEvent";

    /// <summary>Every policy.</summary>
    public static readonly IReadOnlyList<string> All = [Once, Cron, OnEvent];
}

/// <summary>Affinity policies of <see cref="AffinityStrategy"/>.</summary>
public static class AffinityPolicies
{
    /// <summary>Pods must run on nodes that share the labels with the earlier operation's.</summary>
    public const string Require = "Require";

    /// <summary>Pods prefer such nodes.</summary>
    public const string Prefer = "Prefer";

    /// <summary>Every policy; "" means none.</summary>
    public static readonly IReadOnlyList<string> All = ["", Require, Prefer];
}

/// <summary>A secret and key holding a value.</summary>
public sealed class SecretKeySelector
{
    /// <summary>Name of the Secret.</summary>
    public string Name { get; set; } = "";

    /// <summary>The key in the Secret.</summary>
    public string? Key { get; set; }
}

/// <summary>Where an encrypted option's value comes from.</summary>
public sealed class EncryptOptionSource
{
    /// <summary>A key of a Secret.</summary>
    public SecretKeySelector? SecretKeyRef { get; set; }
}

/// <summary>An option whose value is a secret (e.g. fs.s3a.access.key).</summary>
public sealed class EncryptOption
{
    /// <summary>Option name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Where the value comes from.</summary>
    public EncryptOptionSource? ValueFrom { get; set; }
}
