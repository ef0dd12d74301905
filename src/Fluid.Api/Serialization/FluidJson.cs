using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fluid.Api.Serialization;

/// <summary>
/// The JSON conventions of the Kubernetes API: camelCase field names (types override where
/// upstream differs), unset fields omitted, timestamps in RFC 3339 at second precision.
/// </summary>
public static class FluidJson
{
    /// <summary>Compact options for the wire.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>Indented options for files and humans.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = indented,
            Converters = { new KubeTimeJsonConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Serializes a value to compact JSON by its runtime type (an IKubeObject writes all its fields).</summary>
    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);

    /// <summary>Deserializes JSON text; throws <see cref="JsonException"/> on a shape mismatch.</summary>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("the document is null");

    /// <summary>Converts a value to a mutable JSON tree, by its runtime type.</summary>
    public static JsonObject ToNode(object value) =>
        JsonSerializer.SerializeToNode(value, value.GetType(), Options) as JsonObject ?? throw new JsonException("not a JSON object");

    /// <summary>Converts a JSON tree to a typed value.</summary>
    public static T FromNode<T>(JsonNode node) =>
        node.Deserialize<T>(Options) ?? throw new JsonException("the document is null");

    /// <summary>Converts a JSON tree to a value of a runtime type.</summary>
    public static object FromNode(JsonNode node, Type type) =>
        node.Deserialize(type, Options) ?? throw new JsonException("the document is null");
}

/// <summary>metav1.Time: RFC 3339 in UTC at second precision ("2024-05-01T10:00:00Z").</summary>
public sealed class KubeTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new JsonException($"'{text}' is not an RFC 3339 time such as 2024-05-01T10:00:00Z");
        }

        return value;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
