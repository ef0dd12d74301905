using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>How objects and their names are printed, as kubectl prints them.</summary>
internal static class ObjectOutput
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>"dataset.data.fluid.io", "statefulset.apps", "pod": the kind as kubectl names it in messages.</summary>
    public static string KindName(ResourceDescriptor kind) =>
        kind.Group.Length == 0 ? kind.Kind.ToLowerInvariant() : $"{kind.Kind.ToLowerInvariant()}.{kind.Group}";

    /// <summary>"dataset.data.fluid.io/demo" (what -o name and apply print).</summary>
    public static string Reference(ResourceDescriptor kind, string name) => $"{KindName(kind)}/{name}";

    /// <summary>"dataset.data.fluid.io \"demo\"" (what delete prints).</summary>
    public static string Quoted(ResourceDescriptor kind, string name) => $"{KindName(kind)} \"{name}\"";

    /// <summary>The object as indented JSON, with a trailing newline.</summary>
    public static string Json(JsonNode node) => node.ToJsonString(Indented) + "\n";

    /// <summary>The object as YAML.</summary>
    public static string Yaml(JsonNode node) => YamlDocuments.Write(node);

    /// <summary>A kubectl-style List of objects (what -o yaml|json prints for several).</summary>
    public static JsonObject List(IEnumerable<JsonObject> items) => new()
    {
        ["apiVersion"] = "v1",
        ["items"] = new JsonArray([.. items.Select(i => (JsonNode)i.DeepClone())]),
        ["kind"] = "List",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
    };

    /// <summary>metadata.name of a JSON object.</summary>
    public static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    /// <summary>metadata.namespace of a JSON object, or null.</summary>
    public static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    /// <summary>A string at a dotted path ("status.phase"), or null.</summary>
    public static string? Text(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node is JsonValue n ? n.ToJsonString() : null;
    }
}
