using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;

namespace Fluid.Control.Cluster;

/// <summary>Small readers and builders over JSON manifests.</summary>
public static class Manifest
{
    /// <summary>A new manifest with apiVersion, kind and metadata (namespace omitted when null).</summary>
    public static JsonObject New(string apiVersion, string kind, string? ns, string name)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
    }

    /// <summary>The value of a label, or null.</summary>
    public static string? Label(JsonObject manifest, string key) =>
        manifest["metadata"]?["labels"]?[key]?.GetValue<string>();

    /// <summary>The labels of an object (empty when it has none).</summary>
    public static Dictionary<string, string> Labels(JsonObject manifest)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (manifest["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (k, v) in labels)
            {
                if (v is not null)
                {
                    result[k] = v.GetValue<string>();
                }
            }
        }

        return result;
    }

    /// <summary>Replaces the labels of an object.</summary>
    public static void SetLabels(JsonObject manifest, IReadOnlyDictionary<string, string> labels)
    {
        var metadata = manifest["metadata"] as JsonObject ?? throw new InvalidOperationException("the manifest has no metadata");
        metadata["labels"] = ToObject(labels);
    }

    /// <summary>A JSON object of string pairs, in key order so renders are stable.</summary>
    public static JsonObject ToObject(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var result = new JsonObject();
        foreach (var (k, v) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result[k] = v;
        }

        return result;
    }

    /// <summary>An integer field, or 0 when absent.</summary>
    public static int Int(JsonNode? node) => node is null ? 0 : node.GetValue<int>();

    /// <summary>A typed value as a JSON tree (Kubernetes conventions), or null.</summary>
    public static JsonNode? ToNode(object? value) => value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), FluidJson.Options);

    /// <summary>A typed object read from a manifest.</summary>
    public static T Read<T>(JsonObject manifest) where T : IKubeObject => FluidJson.FromNode<T>(manifest);
}
