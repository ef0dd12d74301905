using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fluid.Api.Schema;

namespace Fluid.Api.Serialization;

/// <summary>What a JSON tree looked like against the CLR type it should deserialize into.</summary>
public sealed class ShapeReport
{
    /// <summary>Values of the wrong type; the fields were removed so the rest can still be read.</summary>
    public List<FieldIssue> Errors { get; } = [];

    /// <summary>Fields the type does not define (removed, as kubectl's strict field validation warns).</summary>
    public List<FieldIssue> Warnings { get; } = [];
}

/// <summary>
/// Checks a JSON tree against a CLR type before deserializing it, so every unknown field and
/// every value of the wrong type is reported with its path at once (System.Text.Json would stop
/// at the first). Plain YAML scalars given where a string is expected are taken as strings.
/// </summary>
public static class ShapeChecker
{
    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>Checks and normalizes <paramref name="node"/> in place.</summary>
    public static ShapeReport Check(JsonObject node, Type type, string path = "")
    {
        var report = new ShapeReport();
        CheckValue(node, ShapeOf(type), path, report, out _);
        return report;
    }

    private static readonly Lock BuildLock = new();

    // Shapes being built by this thread: a type's shape is published only once its whole graph is built,
    // so another thread never sees an object shape whose fields are still being filled in.
    [ThreadStatic]
    private static Dictionary<Type, Shape>? _building;

    private static Shape ShapeOf(Type type)
    {
        if (Shapes.TryGetValue(type, out var built))
        {
            return built;
        }

        if (_building is { } building)
        {
            return building.TryGetValue(type, out var partial) ? partial : Shape.Build(type);
        }

        lock (BuildLock)
        {
            if (Shapes.TryGetValue(type, out built))
            {
                return built;
            }

            _building = [];
            try
            {
                var shape = Shape.Build(type);
                foreach (var (t, s) in _building)
                {
                    Shapes.TryAdd(t, s);
                }

                Shapes.TryAdd(type, shape);
                return shape;
            }
            finally
            {
                _building = null;
            }
        }
    }

    private static JsonNode? CheckValue(JsonNode? node, Shape shape, string path, ShapeReport report, out bool keep)
    {
        keep = true;
        switch (shape.Kind)
        {
            case ShapeKind.Any:
                return node;
            case ShapeKind.Object:
                if (node is JsonObject obj)
                {
                    CheckObject(obj, shape, path, report);
                    return obj;
                }

                break;
            case ShapeKind.List:
                if (node is JsonArray array)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        var itemPath = FieldPath.Index(path, i);
                        if (array[i] is null)
                        {
                            report.Errors.Add(new FieldIssue(itemPath, "a list item is null; remove it or give it a value"));
                            array.RemoveAt(i--);
                            continue;
                        }

                        var item = CheckValue(array[i], shape.Element!, itemPath, report, out var keepItem);
                        if (!keepItem)
                        {
                            array.RemoveAt(i--);
                        }
                        else if (!ReferenceEquals(item, array[i]))
                        {
                            array[i] = item;
                        }
                    }

                    return array;
                }

                break;
            case ShapeKind.Map:
                if (node is JsonObject map)
                {
                    foreach (var key in map.Select(p => p.Key).ToList())
                    {
                        var entryPath = FieldPath.Key(path, key);
                        if (map[key] is null && shape.Element!.Kind != ShapeKind.Any)
                        {
                            report.Errors.Add(new FieldIssue(entryPath, "the value is null; give it a value or remove the key"));
                            map.Remove(key);
                            continue;
                        }

                        var value = CheckValue(map[key], shape.Element!, entryPath, report, out var keepValue);
                        if (!keepValue)
                        {
                            map.Remove(key);
                        }
                        else if (!ReferenceEquals(value, map[key]))
                        {
                            map[key] = value;
                        }
                    }

                    return map;
                }

                break;
            default:
                return CheckScalar(node, shape, path, report, out keep);
        }

        keep = false;
        report.Errors.Add(new FieldIssue(path, $"expected {shape.Describe()}, got {DescribeValue(node)}"));
        return node;
    }

    private static void CheckObject(JsonObject obj, Shape shape, string path, ShapeReport report)
    {
        foreach (var name in obj.Select(p => p.Key).ToList())
        {
            var fieldPath = FieldPath.Child(path, name);
            if (!shape.Fields!.TryGetValue(name, out var field))
            {
                if (shape.PreservesUnknown || shape.Opaque.Contains(name))
                {
                    continue;
                }

                var hint = Suggest(name, shape.Fields.Keys);
                report.Warnings.Add(new FieldIssue(fieldPath, hint is null
                    ? "unknown field; it is ignored — check the spelling against `fluid explain` or the CRD"
                    : $"unknown field; it is ignored — did you mean \"{hint}\"?"));
                obj.Remove(name);
                continue;
            }

            if (obj[name] is null)
            {
                obj.Remove(name);
                continue;
            }

            var value = CheckValue(obj[name], field, fieldPath, report, out var keep);
            if (!keep)
            {
                obj.Remove(name);
            }
            else if (!ReferenceEquals(value, obj[name]))
            {
                obj[name] = value;
            }
        }
    }

    private static JsonNode? CheckScalar(JsonNode? node, Shape shape, string path, ShapeReport report, out bool keep)
    {
        keep = true;
        var kind = node is JsonValue v ? v.GetValueKind() : (node is JsonObject ? JsonValueKind.Object : JsonValueKind.Array);
        switch (shape.Kind)
        {
            case ShapeKind.String:
                if (kind == JsonValueKind.String)
                {
                    return node;
                }

                if (kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                {
                    // YAML writers often leave "0.9" or "true" unquoted where a string is meant.
                    return JsonValue.Create(node!.ToJsonString());
                }

                break;
            case ShapeKind.Bool:
                if (kind is JsonValueKind.True or JsonValueKind.False)
                {
                    return node;
                }

                break;
            case ShapeKind.Integer:
                if (kind == JsonValueKind.Number)
                {
                    var element = node!.GetValue<JsonElement>();
                    if (element.TryGetInt64(out var n) && n >= shape.Min && n <= shape.Max)
                    {
                        return node;
                    }

                    keep = false;
                    report.Errors.Add(new FieldIssue(path, element.TryGetInt64(out _) || element.TryGetDecimal(out var d) && decimal.Truncate(d) == d
                        ? $"{node.ToJsonString()} is out of range; use an integer from {shape.Min} to {shape.Max}"
                        : $"expected an integer, got {node.ToJsonString()}"));
                    return node;
                }

                break;
            case ShapeKind.Number:
                if (kind == JsonValueKind.Number)
                {
                    return node;
                }

                break;
            case ShapeKind.Custom:
                try
                {
                    node!.Deserialize(shape.Type, FluidJson.Options);
                    return node;
                }
                catch (Exception e) when (e is JsonException or FormatException or OverflowException or ArgumentException)
                {
                    keep = false;
                    report.Errors.Add(new FieldIssue(path, $"invalid value {DescribeValue(node)}: {CleanMessage(e)}"));
                    return node;
                }
        }

        keep = false;
        report.Errors.Add(new FieldIssue(path, $"expected {shape.Describe()}, got {DescribeValue(node)}"));
        return node;
    }

    private static string CleanMessage(Exception e)
    {
        var message = (e.InnerException is FormatException or OverflowException ? e.InnerException : e).Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string DescribeValue(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonObject:
                return "an object";
            case JsonArray:
                return "a list";
        }

        var text = node.ToJsonString();
        return text.Length > 60 ? text[..57] + "...\"" : text;
    }

    private static string? Suggest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private enum ShapeKind
    {
        Any,
        Object,
        List,
        Map,
        String,
        Bool,
        Integer,
        Number,
        Custom,
    }

    /// <summary>The JSON shape of a CLR type, computed once per type.</summary>
    private sealed class Shape
    {
        private Shape(Type type, ShapeKind kind)
        {
            Type = type;
            Kind = kind;
        }

        public Type Type { get; }

        public ShapeKind Kind { get; }

        public Shape? Element { get; private set; }

        public Dictionary<string, Shape>? Fields { get; private set; }

        public bool PreservesUnknown { get; private set; }

        public HashSet<string> Opaque { get; private set; } = [];

        public long Min { get; private set; }

        public long Max { get; private set; }

        public string Describe() => Kind switch
        {
            ShapeKind.Object => "an object",
            ShapeKind.List => "a list",
            ShapeKind.Map => "a map",
            ShapeKind.String => "a string",
            ShapeKind.Bool => "true or false",
            ShapeKind.Integer => "an integer",
            ShapeKind.Number => "a number",
            _ => $"a {Type.Name}",
        };

        public static Shape Build(Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type == typeof(string) || type.IsEnum)
            {
                return new Shape(type, ShapeKind.String);
            }

            if (type == typeof(bool))
            {
                return new Shape(type, ShapeKind.Bool);
            }

            if (IntegerRange(type) is { } range)
            {
                return new Shape(type, ShapeKind.Integer) { Min = range.Min, Max = range.Max };
            }

            if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
            {
                return new Shape(type, ShapeKind.Number);
            }

            if (type == typeof(DateTimeOffset) || type == typeof(DateTime) || type.GetCustomAttribute<JsonConverterAttribute>() is not null)
            {
                return new Shape(type, ShapeKind.Custom);
            }

            if (typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement) || type == typeof(object))
            {
                return new Shape(type, ShapeKind.Any);
            }

            if (CollectionTypes.MapValue(type) is { } valueType)
            {
                return new Shape(type, ShapeKind.Map) { Element = ShapeOf(valueType) };
            }

            if (CollectionTypes.ListElement(type) is { } elementType)
            {
                return new Shape(type, ShapeKind.List) { Element = ShapeOf(elementType) };
            }

            var shape = new Shape(type, ShapeKind.Object)
            {
                PreservesUnknown = type.GetCustomAttribute<PreserveUnknownFieldsAttribute>() is not null,
                Opaque = [.. type.GetCustomAttribute<OpaqueFieldsAttribute>()?.Names ?? []],
                Fields = new Dictionary<string, Shape>(StringComparer.Ordinal),
            };

            // Register before recursing so self-referencing types terminate.
            _building![type] = shape;
            foreach (var (name, property) in JsonFields(type))
            {
                shape.Fields[name] = property.GetCustomAttribute<PreserveUnknownFieldsAttribute>() is not null
                    ? new Shape(property.PropertyType, ShapeKind.Any)
                    : ShapeOf(property.PropertyType);
            }

            return shape;
        }

        private static (long Min, long Max)? IntegerRange(Type type) =>
            type == typeof(int) ? (int.MinValue, int.MaxValue)
            : type == typeof(long) ? (long.MinValue, long.MaxValue)
            : type == typeof(short) ? (short.MinValue, short.MaxValue)
            : type == typeof(uint) ? (0, uint.MaxValue)
            : type == typeof(ulong) ? (0, long.MaxValue)
            : type == typeof(byte) ? (0, byte.MaxValue)
            : null;
    }

    /// <summary>The serialized fields of a type by JSON name, as FluidJson writes them.</summary>
    public static IEnumerable<(string Name, PropertyInfo Property)> JsonFields(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always }
                || property.GetCustomAttribute<JsonExtensionDataAttribute>() is not null
                || property.GetIndexParameters().Length > 0
                || property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                ?? FluidJson.Options.PropertyNamingPolicy!.ConvertName(property.Name);
            yield return (name, property);
        }
    }
}
