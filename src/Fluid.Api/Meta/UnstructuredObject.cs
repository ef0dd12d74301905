using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fluid.Api.Schema;

namespace Fluid.Api.Meta;

/// <summary>
/// An object of a kind we do not model (a Secret in the same file as a Dataset, a CRD of
/// someone else's). Every field is kept as it was read.
/// </summary>
[PreserveUnknownFields]
public sealed class UnstructuredObject : IKubeObject
{
    /// <inheritdoc/>
    [JsonPropertyOrder(-3)]
    public string? ApiVersion { get; set; }

    /// <inheritdoc/>
    [JsonPropertyOrder(-2)]
    public string? Kind { get; set; }

    /// <inheritdoc/>
    [JsonPropertyOrder(-1)]
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Every other top-level field (spec, data, status, ...), untouched.</summary>
    [JsonExtensionData]
    public JsonObject? Fields { get; set; }
}
