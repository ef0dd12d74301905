using System.Collections;
using System.Text.Json.Nodes;

namespace Fluid.Api.Serialization;

/// <summary>Which CLR types serialize as JSON maps and lists, and of what.</summary>
internal static class CollectionTypes
{
    /// <summary>The value type of an IDictionary&lt;string, T&gt;, or null.</summary>
    public static Type? MapValue(Type type) => GenericArgument(type, typeof(IDictionary<,>), 1);

    /// <summary>The element type of an array or IEnumerable&lt;T&gt; other than string, or null.</summary>
    public static Type? ListElement(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type) || typeof(JsonNode).IsAssignableFrom(type) || MapValue(type) is not null)
        {
            return null;
        }

        return type.IsArray ? type.GetElementType() : GenericArgument(type, typeof(IEnumerable<>), 0);
    }

    private static Type? GenericArgument(Type type, Type definition, int index)
    {
        var match = type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
        return match?.GetGenericArguments()[index];
    }
}
