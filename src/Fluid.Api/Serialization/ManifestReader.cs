using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;

namespace Fluid.Api.Serialization;

/// <summary>One object read from a manifest, with what was wrong with it.</summary>
public sealed class ManifestDocument
{
    /// <summary>File name (or "-" for standard input) the document came from.</summary>
    public required string Source { get; init; }

    /// <summary>1-based line where the document starts.</summary>
    public int Line { get; init; }

    /// <summary>The object: typed for known kinds, <see cref="UnstructuredObject"/> otherwise; null when unreadable.</summary>
    public IKubeObject? Object { get; set; }

    /// <summary>The document as JSON after unknown fields and bad values were removed.</summary>
    public JsonObject? Json { get; set; }

    /// <summary>Problems that make the document invalid.</summary>
    public List<FieldIssue> Errors { get; } = [];

    /// <summary>Problems worth reporting that do not make it invalid (unknown fields).</summary>
    public List<FieldIssue> Warnings { get; } = [];

    /// <summary>True when the object is of a kind this process models (not opaque).</summary>
    public bool IsTyped => Object is not null and not UnstructuredObject;

    /// <summary>"Kind/name" for messages ("?" for what is missing).</summary>
    public string Display
    {
        get
        {
            var kind = string.IsNullOrEmpty(Object?.Kind) ? Json?["kind"]?.ToString() ?? "?" : Object!.Kind;
            var name = Object?.Metadata.Name ?? Object?.Metadata.GenerateName ?? Json?["metadata"]?["name"]?.ToString();
            return $"{kind}/{(string.IsNullOrEmpty(name) ? "?" : name)}";
        }
    }
}

/// <summary>
/// Reads YAML and JSON manifests holding any mix of kinds, the way kubectl does: several
/// documents per file, `kind: List` expanded, kinds we do not model kept as opaque objects,
/// and every unknown field and badly typed value reported with its path.
/// </summary>
public static class ManifestReader
{
    /// <summary>Largest manifest accepted, in bytes (the Kubernetes API's request limit is 3 MiB per object).</summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    /// <summary>Reads a file (YAML or JSON; JSON is YAML too) or "-" for standard input.</summary>
    public static IReadOnlyList<ManifestDocument> ReadFile(string path, KindRegistry? kinds = null)
    {
        string text;
        if (path == "-")
        {
            text = Console.In.ReadToEnd();
        }
        else
        {
            var info = new FileInfo(path);
            if (info.Length > MaxBytes)
            {
                return [Failed(path, 1, $"the file is {info.Length} bytes; manifests larger than {MaxBytes} bytes are refused")];
            }

            text = File.ReadAllText(path);
        }

        return Read(text, path, kinds);
    }

    /// <summary>Reads every document of a YAML or JSON text.</summary>
    public static IReadOnlyList<ManifestDocument> Read(string text, string source, KindRegistry? kinds = null)
    {
        kinds ??= KindRegistry.Default;
        if (text.Length > MaxBytes)
        {
            return [Failed(source, 1, $"the input is {text.Length} characters; manifests larger than {MaxBytes} bytes are refused")];
        }

        IReadOnlyList<YamlDocument> documents;
        try
        {
            documents = YamlDocuments.Parse(text);
        }
        catch (YamlSyntaxException e)
        {
            return [Failed(source, e.Line, $"not valid YAML: {e.Message}")];
        }

        var result = new List<ManifestDocument>();
        foreach (var document in documents)
        {
            if (document.Content is not JsonObject obj)
            {
                result.Add(Failed(source, document.Line, "a document must be an object with apiVersion, kind and metadata"));
                continue;
            }

            if (obj["kind"]?.GetValueKind() == JsonValueKind.String && obj["kind"]!.GetValue<string>() == "List" && obj["items"] is JsonArray items)
            {
                foreach (var item in items)
                {
                    result.Add(item is JsonObject itemObject
                        ? FromJson(itemObject, source, document.Line, kinds)
                        : Failed(source, document.Line, "every item of a List must be an object"));
                }

                continue;
            }

            result.Add(FromJson(obj, source, document.Line, kinds));
        }

        return result;
    }

    /// <summary>Reads one object from a JSON tree (which is modified: unknown fields are removed).</summary>
    public static ManifestDocument FromJson(JsonObject obj, string source, int line = 1, KindRegistry? kinds = null)
    {
        kinds ??= KindRegistry.Default;
        var document = new ManifestDocument { Source = source, Line = line, Json = obj };
        var apiVersion = TextField(obj, "apiVersion", document);
        var kind = TextField(obj, "kind", document);
        if (obj["metadata"] is not null and not JsonObject)
        {
            document.Errors.Add(new FieldIssue("metadata", "expected an object with name and namespace"));
            obj.Remove("metadata");
        }

        if (apiVersion is null || kind is null)
        {
            ReadAs(document, obj, typeof(UnstructuredObject));
            return document;
        }

        var info = kinds.Find(apiVersion, kind);
        if (info is null)
        {
            var served = kinds.FindByKindName(kind);
            if (served.Count > 0)
            {
                document.Errors.Add(new FieldIssue("apiVersion", $"{kind} is not served as \"{apiVersion}\"; use apiVersion: {string.Join(" or ", served.Select(s => s.ApiVersion))}"));
            }

            ReadAs(document, obj, typeof(UnstructuredObject));
            return document;
        }

        ReadAs(document, obj, info.Type);
        return document;
    }

    private static void ReadAs(ManifestDocument document, JsonObject obj, Type type)
    {
        // Opaque objects keep everything; only their metadata has a shape we know.
        var report = type == typeof(UnstructuredObject)
            ? obj["metadata"] is JsonObject metadata ? ShapeChecker.Check(metadata, typeof(ObjectMeta), "metadata") : new ShapeReport()
            : ShapeChecker.Check(obj, type);
        document.Errors.AddRange(report.Errors);
        document.Warnings.AddRange(report.Warnings);
        try
        {
            document.Object = (IKubeObject)FluidJson.FromNode(obj, type);
        }
        catch (JsonException e)
        {
            // The shape check removes what cannot be read, so this is a bug in a converter or a type.
            throw new InvalidOperationException($"{document.Source}: {type.Name} passed the shape check but did not deserialize", e);
        }
    }

    private static string? TextField(JsonObject obj, string name, ManifestDocument document)
    {
        var node = obj[name];
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length > 0)
        {
            return value.GetValue<string>();
        }

        document.Errors.Add(new FieldIssue(name, node is null
            ? $"{name} is required; every object needs apiVersion and kind (e.g. apiVersion: data.fluid.io/v1alpha1, kind: Dataset)"
            : $"{name} must be a non-empty string"));
        obj.Remove(name);
        return null;
    }

    private static ManifestDocument Failed(string source, int line, string message)
    {
        var document = new ManifestDocument { Source = source, Line = line };
        document.Errors.Add(new FieldIssue("", message));
        return document;
    }
}
