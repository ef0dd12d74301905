namespace Fluid.Api.Schema;

/// <summary>
/// How a type with its own JSON converter appears in an OpenAPI schema (Quantity, IntOrString,
/// durations): the generator cannot infer it from properties.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class ScalarSchemaAttribute(string type) : Attribute
{
    /// <summary>OpenAPI type: "string", "integer", "number", "boolean", or "int-or-string".</summary>
    public string Type { get; } = type;

    /// <summary>Optional OpenAPI format.</summary>
    public string? Format { get; set; }

    /// <summary>Optional regular expression the string form must match.</summary>
    public string? Pattern { get; set; }
}
