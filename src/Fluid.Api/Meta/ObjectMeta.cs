using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fluid.Api.Meta;

/// <summary>Standard object metadata, as in Kubernetes' metav1.ObjectMeta.</summary>
public sealed class ObjectMeta
{
    /// <summary>Name, unique within a namespace (or the cluster for cluster-scoped kinds).</summary>
    public string? Name { get; set; }

    /// <summary>Prefix the server uses to generate a unique name when Name is empty.</summary>
    public string? GenerateName { get; set; }

    /// <summary>Namespace of a namespaced object; empty means "default".</summary>
    public string? Namespace { get; set; }

    /// <summary>Deprecated by Kubernetes; kept so objects read from older servers round-trip.</summary>
    public string? SelfLink { get; set; }

    /// <summary>Unique id the server assigns at creation.</summary>
    public string? Uid { get; set; }

    /// <summary>Opaque version the server bumps on every write; used for optimistic concurrency.</summary>
    public string? ResourceVersion { get; set; }

    /// <summary>Sequence number of spec changes, set by the server.</summary>
    public long? Generation { get; set; }

    /// <summary>When the object was created, set by the server.</summary>
    public DateTimeOffset? CreationTimestamp { get; set; }

    /// <summary>When deletion was requested; the object lives on until its finalizers are removed.</summary>
    public DateTimeOffset? DeletionTimestamp { get; set; }

    /// <summary>Seconds the object is allowed to terminate gracefully.</summary>
    public long? DeletionGracePeriodSeconds { get; set; }

    /// <summary>Labels for selection.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations: free-form metadata for tools.</summary>
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>Objects this one depends on; it is garbage-collected when they are gone.</summary>
    public List<OwnerReference>? OwnerReferences { get; set; }

    /// <summary>Keys of controllers that must finish clean-up before the object is deleted.</summary>
    public List<string>? Finalizers { get; set; }

    /// <summary>Field ownership records of server-side apply, kept opaque.</summary>
    public List<JsonObject>? ManagedFields { get; set; }

    /// <summary>"namespace/name", or "name" for cluster-scoped objects.</summary>
    [JsonIgnore]
    public string Key => string.IsNullOrEmpty(Namespace) ? Name ?? "" : $"{Namespace}/{Name}";
}

/// <summary>A reference from an object to the object that owns it.</summary>
public sealed class OwnerReference
{
    /// <summary>API version of the owner.</summary>
    public string ApiVersion { get; set; } = "";

    /// <summary>Kind of the owner.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Name of the owner.</summary>
    public string Name { get; set; } = "";

    /// <summary>Uid of the owner.</summary>
    public string Uid { get; set; } = "";

    /// <summary>True when the owner is the managing controller.</summary>
    public bool? Controller { get; set; }

    /// <summary>True when the owner cannot be deleted before this object is.</summary>
    public bool? BlockOwnerDeletion { get; set; }
}

/// <summary>Metadata of a list response.</summary>
public sealed class ListMeta
{
    /// <summary>Version of the collection at the time it was listed; watch from here.</summary>
    public string? ResourceVersion { get; set; }

    /// <summary>Token for the next page when the list was limited.</summary>
    public string? Continue { get; set; }

    /// <summary>How many items remain after this page, when the server knows.</summary>
    public long? RemainingItemCount { get; set; }

    /// <summary>Deprecated; kept for round trips.</summary>
    public string? SelfLink { get; set; }
}
