using System.Text.Json.Nodes;

namespace Fluid.Control.Cluster;

/// <summary>Identity of an object in the API: apiVersion, kind, namespace (null for cluster-scoped kinds) and name.</summary>
public readonly record struct ObjectKey(string ApiVersion, string Kind, string? Namespace, string Name)
{
    /// <summary>The key of a manifest; throws when apiVersion, kind or metadata.name is missing (a rendering bug).</summary>
    public static ObjectKey Of(JsonObject manifest)
    {
        var apiVersion = manifest["apiVersion"]?.GetValue<string>();
        var kind = manifest["kind"]?.GetValue<string>();
        var name = manifest["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name))
        {
            throw new InvalidOperationException($"a manifest needs apiVersion, kind and metadata.name; got {manifest.ToJsonString()}");
        }

        var ns = manifest["metadata"]?["namespace"]?.GetValue<string>();
        return new ObjectKey(apiVersion, kind, string.IsNullOrEmpty(ns) ? null : ns, name);
    }

    /// <inheritdoc/>
    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
