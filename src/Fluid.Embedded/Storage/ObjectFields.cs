using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Storage;

/// <summary>Reads and writes the metadata fields of an object held as a JSON tree.</summary>
public static class ObjectFields
{
    /// <summary>The object's metadata, created when absent.</summary>
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    /// <summary>A string field of an object, or null when absent or not a string.</summary>
    public static string? Text(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>metadata.name.</summary>
    public static string? Name(JsonObject obj) => Text(obj["metadata"] as JsonObject, "name");

    /// <summary>metadata.namespace.</summary>
    public static string? Namespace(JsonObject obj) => Text(obj["metadata"] as JsonObject, "namespace");

    /// <summary>metadata.uid.</summary>
    public static string? Uid(JsonObject obj) => Text(obj["metadata"] as JsonObject, "uid");

    /// <summary>metadata.resourceVersion.</summary>
    public static string? ResourceVersion(JsonObject obj) => Text(obj["metadata"] as JsonObject, "resourceVersion");

    /// <summary>metadata.labels as a dictionary (non-string values are ignored).</summary>
    public static Dictionary<string, string>? Labels(JsonObject obj)
    {
        if ((obj["metadata"] as JsonObject)?["labels"] is not JsonObject labels)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                result[key] = v.GetValue<string>();
            }
        }

        return result;
    }

    /// <summary>metadata.finalizers.</summary>
    public static List<string> Finalizers(JsonObject obj) =>
        (obj["metadata"] as JsonObject)?["finalizers"] is JsonArray list
            ? [.. list.Select(f => f is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "").Where(f => f.Length > 0)]
            : [];

    /// <summary>The uids of metadata.ownerReferences.</summary>
    public static List<string> OwnerUids(JsonObject obj) =>
        (obj["metadata"] as JsonObject)?["ownerReferences"] is JsonArray refs
            ? [.. refs.OfType<JsonObject>().Select(r => Text(r, "uid")).Where(u => !string.IsNullOrEmpty(u)).Select(u => u!)]
            : [];

    /// <summary>A value at a dotted path (a.b.c) rendered as text, for field selectors; null when absent.</summary>
    public static string? FieldText(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = (node as JsonObject)?[part];
            if (node is null)
            {
                return null;
            }
        }

        return node is JsonValue value
            ? value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => value.ToJsonString(),
            }
            : null;
    }

    /// <summary>metav1.Time text of an instant.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
