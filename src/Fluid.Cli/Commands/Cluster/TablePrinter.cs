using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>
/// Prints server-side Tables the way kubectl does: upper-case headers, columns of priority 0 (all with -o wide),
/// a NAMESPACE column first with -A, cells separated by three spaces with at least six characters per column,
/// and column widths remembered across calls so the rows of a watch line up with the first listing.
/// </summary>
internal sealed class TablePrinter(TextWriter output, bool wide, bool withNamespace)
{
    private const int MinWidth = 6;
    private const int Padding = 3;
    private List<int>? _shown;
    private List<string>? _headers;
    private int[] _widths = [];

    /// <summary>Prints the table's rows, after the header the first time.</summary>
    public void Print(Table table)
    {
        if (_shown is null)
        {
            if (table.ColumnDefinitions.Count == 0)
            {
                // A watch event of a server that sends the columns only once: nothing to lay out by yet.
                return;
            }

            _shown = [.. table.ColumnDefinitions.Select((c, i) => (c, i)).Where(x => wide || x.c.Priority == 0).Select(x => x.i)];
            _headers = [.. _shown.Select(i => table.ColumnDefinitions[i].Name.ToUpperInvariant())];
            if (withNamespace)
            {
                _headers.Insert(0, "NAMESPACE");
            }

            var lines = new List<IReadOnlyList<string>> { _headers };
            lines.AddRange(table.Rows.Select(Cells));
            Write(lines);
            return;
        }

        Write([.. table.Rows.Select(Cells)]);
    }

    /// <summary>What kubectl prints for one cell: strings up to their first line break, numbers and booleans as JSON, nothing for null.</summary>
    public static string CellText(JsonNode? cell)
    {
        if (cell is not JsonValue value)
        {
            return cell?.ToJsonString() ?? "";
        }

        if (value.GetValueKind() != JsonValueKind.String)
        {
            return value.ToJsonString();
        }

        var text = value.GetValue<string>();
        var cut = text.AsSpan().IndexOfAny('\n', '\r', '\f');
        return cut < 0 ? text : text[..cut] + "...";
    }

    private List<string> Cells(TableRow row)
    {
        var cells = _shown!.Select(i => i < row.Cells.Count ? CellText(row.Cells[i]) : "").ToList();
        if (withNamespace)
        {
            cells.Insert(0, row.Namespace ?? "");
        }

        return cells;
    }

    private void Write(IReadOnlyList<IReadOnlyList<string>> lines)
    {
        var columns = _headers!.Count;
        if (_widths.Length != columns)
        {
            _widths = new int[columns];
        }

        foreach (var line in lines)
        {
            for (var i = 0; i < columns - 1 && i < line.Count; i++)
            {
                _widths[i] = Math.Max(_widths[i], Math.Max(MinWidth, line[i].Length + Padding));
            }
        }

        var text = new System.Text.StringBuilder();
        foreach (var line in lines)
        {
            for (var i = 0; i < line.Count; i++)
            {
                text.Append(i < line.Count - 1 ? line[i].PadRight(_widths[i]) : line[i]);
            }

            text.Append('\n');
        }

        output.Write(text.ToString());
        output.Flush();
    }
}
