using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Embedded.Storage;

namespace Fluid.Embedded.Server;

/// <summary>
/// Server-side printing (meta.k8s.io/v1 Table) for `kubectl get`: Name, the kind's printer
/// columns (a CRD's additionalPrinterColumns), and Age when the kind has no Age column of its own.
/// Dates are printed as ages ("5m", "3h2m") the way Kubernetes prints them.
/// </summary>
public static class TableWriter
{
    /// <summary>True when the Accept header asks for a Table.</summary>
    public static bool Wanted(string? accept) =>
        accept is not null && accept.Contains("as=Table", StringComparison.Ordinal) && accept.Contains("g=meta.k8s.io", StringComparison.Ordinal);

    /// <summary>The Table of some objects of one resource.</summary>
    public static JsonObject Table(ResourceType type, IEnumerable<JsonObject> objects, string? includeObject, string? resourceVersion = null, string? continueToken = null, DateTimeOffset? now = null)
    {
        var columns = Columns(type);
        var definitions = new JsonArray();
        foreach (var column in columns)
        {
            var definition = new JsonObject
            {
                ["name"] = column.Name,
                ["type"] = column.Type,
                ["format"] = column.Format ?? (column.Name == "Name" ? "name" : ""),
                ["description"] = column.Description ?? "",
                ["priority"] = column.Priority,
            };
            definitions.Add(definition);
        }

        var time = now ?? DateTimeOffset.UtcNow;
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray();
            foreach (var column in columns)
            {
                cells.Add(Cell(obj, column, time));
            }

            var row = new JsonObject { ["cells"] = cells };
            switch (includeObject)
            {
                case "None":
                    break;
                case "Object":
                    row["object"] = obj.DeepClone();
                    break;
                default:
                    row["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = obj["metadata"]?.DeepClone(),
                    };
                    break;
            }

            rows.Add(row);
        }

        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    /// <summary>Kubernetes' human duration: 45s, 3m20s, 12m, 5h3m, 3d4h, 2y10d.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            var days = hours / 24 % 365;
            return days == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{days}d";
        }

        return $"{hours / 24 / 365}y";
    }

    private static List<PrinterColumn> Columns(ResourceType type)
    {
        var columns = new List<PrinterColumn> { new("Name", "string", ".metadata.name", 0, "Name must be unique within a namespace.", "name") };
        columns.AddRange(type.Columns);
        if (!type.Columns.Any(c => c.JsonPath == ".metadata.creationTimestamp"))
        {
            columns.Add(new PrinterColumn("Age", "date", ".metadata.creationTimestamp", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."));
        }

        return columns;
    }

    private static JsonNode? Cell(JsonObject obj, PrinterColumn column, DateTimeOffset now)
    {
        var value = SimpleJsonPath.Value(obj, column.JsonPath);
        if (value is null)
        {
            return column.Type is "integer" or "number" or "boolean" ? null : JsonValue.Create("");
        }

        if (column.Type == "date" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
        {
            return JsonValue.Create(HumanDuration(now - when));
        }

        return value;
    }

    /// <summary>The label-selector string of a workload's spec.selector (matchLabels and matchExpressions).</summary>
    public static string SelectorText(JsonNode? selector)
    {
        if (selector is not JsonObject s)
        {
            return "";
        }

        var parts = new List<string>();
        if (s["matchLabels"] is JsonObject labels)
        {
            parts.AddRange(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        }

        foreach (var expression in (s["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = ObjectFields.Text(expression, "key");
            var values = string.Join(",", (expression["values"] as JsonArray ?? []).Select(v => v?.ToString()));
            parts.Add(ObjectFields.Text(expression, "operator") switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "Exists" => $"{key}",
                _ => $"!{key}",
            });
        }

        return string.Join(",", parts);
    }
}
