using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fluid.Api.Meta;

/// <summary>
/// An object of a kind we do not model (a Secret in the same file as a Dataset, a CRD of
/// someone else's). Every field is kept as it was read.
/// </summary>
[JsonConverter(typeof(UnstructuredObjectJsonConverter))]
public sealed class UnstructuredObject : IKubeObject
{
    /// <inheritdoc/>
    public string? ApiVersion { get; set; }

    /// <inheritdoc/>
    public string? Kind { get; set; }

    /// <inheritdoc/>
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Every other top-level field (spec, data, status, ...), untouched.</summary>
    public JsonObject Fields { get; set; } = [];
}

/// <summary>Writes apiVersion, kind and metadata first, then the other fields as they were.</summary>
public sealed class UnstructuredObjectJsonConverter : JsonConverter<UnstructuredObject>
{
    /// <inheritdoc/>
    public override UnstructuredObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject body)
        {
            throw new JsonException("expected an object");
        }

        var result = new UnstructuredObject
        {
            ApiVersion = Text(body, "apiVersion"),
            Kind = Text(body, "kind"),
            Metadata = body["metadata"]?.Deserialize<ObjectMeta>(options) ?? new ObjectMeta(),
        };
        body.Remove("apiVersion");
        body.Remove("kind");
        body.Remove("metadata");
        result.Fields = body;
        return result;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, UnstructuredObject value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.ApiVersion is not null)
        {
            writer.WriteString("apiVersion", value.ApiVersion);
        }

        if (value.Kind is not null)
        {
            writer.WriteString("kind", value.Kind);
        }

        writer.WritePropertyName("metadata");
        JsonSerializer.Serialize(writer, value.Metadata, options);
        foreach (var (name, field) in value.Fields)
        {
            writer.WritePropertyName(name);
            if (field is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                field.WriteTo(writer, options);
            }
        }

        writer.WriteEndObject();
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
