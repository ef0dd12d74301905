using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using Fluid.Api.Schema;

namespace Fluid.Api.Meta;

/// <summary>Anything with apiVersion, kind and metadata.</summary>
public interface IKubeObject
{
    /// <summary>"group/version", or "v1" for the core group.</summary>
    string? ApiVersion { get; set; }

    /// <summary>The kind, e.g. "Dataset".</summary>
    string? Kind { get; set; }

    /// <summary>Standard object metadata.</summary>
    ObjectMeta Metadata { get; set; }
}

/// <summary>Base of every typed resource; a new instance carries its own apiVersion and kind.</summary>
public abstract class KubeObject : IKubeObject
{
    private static readonly ConcurrentDictionary<Type, KubeResourceAttribute?> Resources = new();

    /// <summary>Fills apiVersion and kind from the type's <see cref="KubeResourceAttribute"/>.</summary>
    protected KubeObject()
    {
        var resource = Resources.GetOrAdd(GetType(), t => t.GetCustomAttribute<KubeResourceAttribute>());
        if (resource is not null)
        {
            ApiVersion = resource.ApiVersion;
            Kind = resource.Kind;
        }
    }

    /// <inheritdoc/>
    [JsonPropertyOrder(-3)]
    public string? ApiVersion { get; set; }

    /// <inheritdoc/>
    [JsonPropertyOrder(-2)]
    public string? Kind { get; set; }

    /// <inheritdoc/>
    [JsonPropertyOrder(-1)]
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>"namespace/name" of this object.</summary>
    [JsonIgnore]
    public string Key => Metadata.Key;
}

/// <summary>A resource with a desired state (spec) and an observed state (status).</summary>
public abstract class KubeObject<TSpec, TStatus> : KubeObject
    where TSpec : class, new()
    where TStatus : class
{
    /// <summary>The desired state, written by users.</summary>
    public TSpec Spec { get; set; } = new();

    /// <summary>The observed state, written by controllers; null until first reported.</summary>
    public TStatus? Status { get; set; }
}

/// <summary>A list of objects of one kind, as returned by list calls.</summary>
public sealed class KubeList<T> where T : IKubeObject
{
    /// <summary>"group/version" of the items.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>The item kind followed by "List".</summary>
    public string? Kind { get; set; }

    /// <summary>List metadata.</summary>
    public ListMeta Metadata { get; set; } = new();

    /// <summary>The objects.</summary>
    public List<T> Items { get; set; } = [];
}
