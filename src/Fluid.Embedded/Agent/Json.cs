using System.Globalization;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Agent;

/// <summary>Reading the few fields the agent needs from untyped Kubernetes objects.</summary>
internal static class Json
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var part in path)
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }

    public static string? Text(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? Number(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) => (long)d,
        _ => null,
    };

    public static IEnumerable<JsonObject> Objects(JsonNode? node, params string[] path) =>
        At(node, path) is JsonArray a ? a.OfType<JsonObject>() : [];

    public static string Name(JsonNode obj) => Text(obj, "metadata", "name") ?? "";

    public static string Namespace(JsonNode obj) => Text(obj, "metadata", "namespace") ?? "";

    public static string Uid(JsonNode obj) => Text(obj, "metadata", "uid") ?? "";

    public static bool Deleting(JsonNode obj) => At(obj, "metadata", "deletionTimestamp") is not null;

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static Dictionary<string, string> Labels(JsonNode? obj, params string[] path) =>
        At(obj, path) is JsonObject o
            ? o.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString())
            : [];

    /// <summary>The owner reference with controller=true, as (kind, uid).</summary>
    public static (string Kind, string Uid)? Controller(JsonNode obj) =>
        Objects(obj, "metadata", "ownerReferences").FirstOrDefault(r => At(r, "controller") is JsonValue v && v.TryGetValue<bool>(out var b) && b) is { } r
            ? (Text(r, "kind") ?? "", Text(r, "uid") ?? "")
            : null;

    public static JsonObject OwnerReference(JsonNode owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };
}
