using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;

namespace Fluid.Api.Validation;

/// <summary>A field met while walking an object: the object holding it, the property and its value.</summary>
public readonly record struct FieldVisit(object Owner, PropertyInfo Property, object? Value, string Path);

/// <summary>
/// Walks the user-written part of an object (metadata and spec, never status) depth-first, with
/// Kubernetes field paths, calling back for every object and every field. Validation and
/// defaulting both go through it, so they see the same fields under the same paths.
/// </summary>
public static class ObjectWalker
{
    private const int MaxDepth = 64;

    private static readonly ConcurrentDictionary<Type, (string Name, PropertyInfo Property)[]> Fields = new();

    /// <summary>Walks <paramref name="root"/>; <paramref name="onObject"/> sees every object (the root first), <paramref name="onField"/> every field of each.</summary>
    public static void Walk(IKubeObject root, Action<object, string> onObject, Action<FieldVisit> onField) =>
        Visit(root, "", onObject, onField, 0);

    /// <summary>True for values that hold no fields of their own (strings, numbers, quantities, opaque JSON).</summary>
    public static bool IsLeaf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTimeOffset)
            || typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement)
            || type.GetCustomAttribute<System.Text.Json.Serialization.JsonConverterAttribute>() is not null;
    }

    private static void Visit(object value, string path, Action<object, string> onObject, Action<FieldVisit> onField, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        var type = value.GetType();
        if (IsLeaf(type))
        {
            return;
        }

        if (value is IDictionary map)
        {
            foreach (DictionaryEntry entry in map)
            {
                if (entry.Value is not null)
                {
                    Visit(entry.Value, FieldPath.Key(path, entry.Key.ToString()!), onObject, onField, depth + 1);
                }
            }

            return;
        }

        if (value is IEnumerable list)
        {
            var index = 0;
            foreach (var item in list)
            {
                if (item is not null)
                {
                    Visit(item, FieldPath.Index(path, index), onObject, onField, depth + 1);
                }

                index++;
            }

            return;
        }

        onObject(value, path);
        foreach (var (name, property) in Fields.GetOrAdd(type, t => [.. ShapeChecker.JsonFields(t)]))
        {
            // Status is the controllers' to write; metadata has its own rules.
            if (value is IKubeObject && name is "status" or "metadata" or "apiVersion" or "kind")
            {
                continue;
            }

            var fieldValue = property.GetValue(value);
            var fieldPath = FieldPath.Child(path, name);
            onField(new FieldVisit(value, property, fieldValue, fieldPath));
            fieldValue = property.GetValue(value);
            if (fieldValue is not null)
            {
                Visit(fieldValue, fieldPath, onObject, onField, depth + 1);
            }
        }
    }
}
