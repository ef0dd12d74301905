using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Server;

/// <summary>
/// The patch formats of the Kubernetes API: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
/// and strategic merge patch. Strategic merge is JSON merge plus what kubectl sends: lists of
/// objects are merged by key (the key named by $setElementOrder, else "name") instead of being
/// replaced, $patch: delete/replace, and $deleteFromPrimitiveList. Type-specific patch
/// strategies beyond that (e.g. retainKeys) are not modelled.
/// </summary>
public static class Patches
{
    /// <summary>RFC 7386: objects merge, null removes, everything else replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Merge(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    /// <summary>Strategic merge patch, as kubectl apply and kubectl patch send it.</summary>
    public static JsonNode? Strategic(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch is JsonArray array ? WithoutDirectives(array) : patch?.DeepClone();
        }

        var directive = patchObject["$patch"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : null;
        if (directive == "delete")
        {
            return null;
        }

        if (directive == "replace")
        {
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                    {
                        list.Remove(item);
                    }
                }

                continue;
            }

            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var order = patchObject["$setElementOrder/" + key] as JsonArray;
            if (value is JsonArray items && result[key] is JsonArray existing && MergeKey(items, order) is { } mergeKey)
            {
                result[key] = MergeList(existing, items, mergeKey, order);
                continue;
            }

            var merged = Strategic(result[key]?.DeepClone(), value);
            if (merged is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = merged;
            }
        }

        return result;
    }

    /// <summary>RFC 6902 operations applied in order; 422 when a test fails, 400 when an operation is malformed.</summary>
    public static JsonNode Json(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiException.BadRequest("a JSON patch must be an array of operations, e.g. [{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]");
        }

        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var (operation, index) in operations.Select((o, i) => (o as JsonObject, i)))
        {
            if (operation is null)
            {
                throw ApiException.BadRequest($"JSON patch operation {index} is not an object");
            }

            var op = operation["op"]?.ToString();
            var path = operation["path"]?.ToString() ?? throw ApiException.BadRequest($"JSON patch operation {index} ({op}) has no path");
            switch (op)
            {
                case "add":
                    Add(root, path, Value(operation, index));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(operation, index));
                    break;
                case "move":
                    var moved = Get(root, From(operation, index));
                    Remove(root, From(operation, index));
                    Add(root, path, moved.DeepClone());
                    break;
                case "copy":
                    Add(root, path, Get(root, From(operation, index)).DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), operation["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the JSON patch test at {path} failed: the value differs from {operation["value"]?.ToJsonString() ?? "null"}");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"JSON patch operation {index} has unknown op \"{op}\"; use add, remove, replace, move, copy or test");
            }
        }

        return root["doc"] ?? throw ApiException.BadRequest("a JSON patch may not remove the whole object");
    }

    private static JsonNode? Value(JsonObject operation, int index) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw ApiException.BadRequest($"JSON patch operation {index} needs a value");

    private static string From(JsonObject operation, int index) =>
        operation["from"]?.ToString() ?? throw ApiException.BadRequest($"JSON patch operation {index} needs from");

    private static (JsonNode Parent, string Key) Parent(JsonObject root, string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw ApiException.BadRequest($"\"{pointer}\" is not a JSON pointer; it must start with /");
        }

        var tokens = ("/doc" + pointer).Split('/')[1..].Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode node = root;
        foreach (var token in tokens[..^1])
        {
            node = Child(node, token) ?? throw new ApiException(422, "Invalid", $"JSON patch path {pointer} does not exist");
        }

        return (node, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode Get(JsonObject root, string pointer)
    {
        var (parent, key) = Parent(root, pointer);
        return Child(parent, key) ?? throw new ApiException(422, "Invalid", $"JSON patch path {pointer} does not exist");
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, key) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[key] = value;
                break;
            case JsonArray a when key == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new ApiException(422, "Invalid", $"JSON patch cannot add at {pointer}");
        }
    }

    private static void Remove(JsonObject root, string pointer)
    {
        var (parent, key) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(key):
                o.Remove(key);
                break;
            case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new ApiException(422, "Invalid", $"JSON patch path {pointer} does not exist");
        }
    }

    private static string? MergeKey(JsonArray items, JsonArray? order)
    {
        if (order?.FirstOrDefault() is JsonObject first && first.Count == 1)
        {
            return first.First().Key;
        }

        return items.Count > 0 && items.All(i => i is JsonObject o && (o.ContainsKey("name") || o["$patch"] is not null)) ? "name" : null;
    }

    private static JsonArray MergeList(JsonArray existing, JsonArray items, string key, JsonArray? order)
    {
        var result = existing.Select(e => e?.DeepClone()).ToList();
        foreach (var item in items.OfType<JsonObject>())
        {
            var id = item[key];
            var at = result.FindIndex(e => e is JsonObject o && JsonNode.DeepEquals(o[key], id));
            var merged = Strategic(at >= 0 ? result[at] : null, item);
            if (at >= 0)
            {
                if (merged is null)
                {
                    result.RemoveAt(at);
                }
                else
                {
                    result[at] = merged;
                }
            }
            else if (merged is not null)
            {
                result.Add(merged);
            }
        }

        if (order is not null)
        {
            int Position(JsonNode? node)
            {
                var index = order.Select((o, i) => (o, i)).FirstOrDefault(p => p.o is JsonObject oo && JsonNode.DeepEquals(oo[key], (node as JsonObject)?[key]), (null, int.MaxValue)).Item2;
                return index;
            }

            result = [.. result.OrderBy(Position)];
        }

        return new JsonArray([.. result]);
    }

    private static JsonArray WithoutDirectives(JsonArray array) =>
        new([.. array.Where(i => i is not JsonObject o || o["$patch"] is null).Select(i => i?.DeepClone())]);
}
