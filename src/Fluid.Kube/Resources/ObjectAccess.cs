using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;

namespace Fluid.Kube.Resources;

/// <summary>Reads and writes the metadata the client needs, for typed objects and for JSON objects alike.</summary>
public static class ObjectAccess
{
    /// <summary>metadata.name.</summary>
    public static string? Name(object obj) => obj switch
    {
        IKubeObject k => k.Metadata.Name,
        JsonObject j => Text(j, "name"),
        _ => throw Unsupported(obj),
    };

    /// <summary>metadata.namespace.</summary>
    public static string? Namespace(object obj) => obj switch
    {
        IKubeObject k => k.Metadata.Namespace,
        JsonObject j => Text(j, "namespace"),
        _ => throw Unsupported(obj),
    };

    /// <summary>metadata.resourceVersion.</summary>
    public static string? ResourceVersion(object obj) => obj switch
    {
        IKubeObject k => k.Metadata.ResourceVersion,
        JsonObject j => Text(j, "resourceVersion"),
        Table t => t.ResourceVersion,
        _ => throw Unsupported(obj),
    };

    /// <summary>metadata.uid.</summary>
    public static string? Uid(object obj) => obj switch
    {
        IKubeObject k => k.Metadata.Uid,
        JsonObject j => Text(j, "uid"),
        _ => throw Unsupported(obj),
    };

    /// <summary>apiVersion of the object.</summary>
    public static string? ApiVersion(object obj) => obj switch
    {
        IKubeObject k => k.ApiVersion,
        JsonObject j => j["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null,
        _ => throw Unsupported(obj),
    };

    /// <summary>kind of the object.</summary>
    public static string? Kind(object obj) => obj switch
    {
        IKubeObject k => k.Kind,
        JsonObject j => j["kind"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null,
        _ => throw Unsupported(obj),
    };

    /// <summary>A copy of the object's metadata as <see cref="ObjectMeta"/> (for reading).</summary>
    public static ObjectMeta Meta(object obj) => obj switch
    {
        IKubeObject k => k.Metadata,
        JsonObject j => j["metadata"] is JsonObject m ? FluidJson.FromNode<ObjectMeta>(m) : new ObjectMeta(),
        _ => throw Unsupported(obj),
    };

    /// <summary>metadata.finalizers (empty when unset).</summary>
    public static IReadOnlyList<string> Finalizers(object obj) => Meta(obj).Finalizers ?? [];

    /// <summary>metadata.deletionTimestamp: set once deletion was requested.</summary>
    public static DateTimeOffset? DeletionTimestamp(object obj) => Meta(obj).DeletionTimestamp;

    /// <summary>metadata.ownerReferences (empty when unset).</summary>
    public static IReadOnlyList<OwnerReference> OwnerReferences(object obj) => Meta(obj).OwnerReferences ?? [];

    /// <summary>Replaces metadata.ownerReferences.</summary>
    public static void SetOwnerReferences(object obj, List<OwnerReference> references)
    {
        switch (obj)
        {
            case IKubeObject k:
                k.Metadata.OwnerReferences = references;
                break;
            case JsonObject j:
                Metadata(j)["ownerReferences"] = JsonSerializer.SerializeToNode(references, FluidJson.Options);
                break;
            default:
                throw Unsupported(obj);
        }
    }

    /// <summary>"namespace/name", or "name" for cluster-scoped objects (the informer cache key).</summary>
    public static string Key(object obj)
    {
        var ns = Namespace(obj);
        return string.IsNullOrEmpty(ns) ? Name(obj) ?? "" : $"{ns}/{Name(obj)}";
    }

    /// <summary>Sets metadata.namespace.</summary>
    public static void SetNamespace(object obj, string @namespace)
    {
        switch (obj)
        {
            case IKubeObject k:
                k.Metadata.Namespace = @namespace;
                break;
            case JsonObject j:
                Metadata(j)["namespace"] = @namespace;
                break;
            default:
                throw Unsupported(obj);
        }
    }

    /// <summary>metadata as a JSON object, created when absent.</summary>
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    private static string? Text(JsonObject obj, string field) =>
        obj["metadata"] is JsonObject meta && meta[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static ArgumentException Unsupported(object obj) =>
        new($"{obj.GetType().Name} is neither a typed resource (IKubeObject) nor a JsonObject");
}
