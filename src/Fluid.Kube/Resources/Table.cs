using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;

namespace Fluid.Kube.Resources;

/// <summary>
/// meta.k8s.io/v1 Table: what the server prints for `kubectl get` (a CRD's additionalPrinterColumns, or the
/// columns a built-in kind defines). Each row's object is the item's metadata (PartialObjectMetadata) unless
/// the request asked for the whole object or none.
/// </summary>
public sealed class Table
{
    /// <summary>The media type that asks for a Table, with JSON as the fallback a server without Table printing answers.</summary>
    public const string AcceptHeader = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    /// <summary>"meta.k8s.io/v1".</summary>
    public string? ApiVersion { get; set; }

    /// <summary>"Table".</summary>
    public string? Kind { get; set; }

    /// <summary>resourceVersion to watch from, and the continue token of a limited list.</summary>
    public ListMeta Metadata { get; set; } = new();

    /// <summary>The columns, in order; every row has one cell per column.</summary>
    public List<TableColumnDefinition> ColumnDefinitions { get; set; } = [];

    /// <summary>One row per object.</summary>
    public List<TableRow> Rows { get; set; } = [];

    /// <summary>metadata.resourceVersion of the first row's object, else the table's own (for a watch event: the changed object's).</summary>
    public string? ResourceVersion =>
        Rows.Count > 0 && Rows[0].Object?["metadata"]?["resourceVersion"] is JsonValue v && v.TryGetValue<string>(out var rv) ? rv : Metadata.ResourceVersion;
}

/// <summary>One column of a <see cref="Table"/>.</summary>
public sealed class TableColumnDefinition
{
    /// <summary>Header as the server names it ("Name", "Cached Percentage"); kubectl prints it upper-cased.</summary>
    public string Name { get; set; } = "";

    /// <summary>OpenAPI type of the cells: string, integer, number, boolean, date.</summary>
    public string Type { get; set; } = "string";

    /// <summary>Format hint, e.g. "name" for the object's name.</summary>
    public string? Format { get; set; }

    /// <summary>What the column shows.</summary>
    public string? Description { get; set; }

    /// <summary>0: always printed; greater: printed only in wide output.</summary>
    public int Priority { get; set; }
}

/// <summary>One row of a <see cref="Table"/>.</summary>
public sealed class TableRow
{
    /// <summary>One value per column: a string, number, boolean or null.</summary>
    public List<JsonNode?> Cells { get; set; } = [];

    /// <summary>The object (or its metadata) the row shows, when the server included it.</summary>
    public JsonObject? Object { get; set; }

    /// <summary>metadata.name of the row's object.</summary>
    public string? Name => Text("name");

    /// <summary>metadata.namespace of the row's object ("" for a cluster-scoped one).</summary>
    public string? Namespace => Text("namespace");

    private string? Text(string field) =>
        Object?["metadata"]?[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
