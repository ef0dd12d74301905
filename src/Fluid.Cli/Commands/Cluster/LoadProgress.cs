using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Core;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>
/// A DataLoad's status.progress as the controller reports it (totalBytes, loadedBytes, totalFiles, loadedFiles,
/// bytesPerSecond, eta as a Go duration, percentage as "42.5%"), read from JSON so that fields the controller
/// does not (yet) write are simply absent.
/// </summary>
internal sealed record LoadProgress(long? TotalBytes, long? LoadedBytes, long? TotalFiles, long? LoadedFiles, long? BytesPerSecond, string? Eta, double? Percent)
{
    /// <summary>The progress of a status, or null when it has none.</summary>
    public static LoadProgress? From(JsonNode? progress)
    {
        if (progress is not JsonObject p)
        {
            return null;
        }

        var percent = Text(p["percentage"]) is { } text && double.TryParse(text.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : (double?)null;
        var total = Number(p["totalBytes"]);
        var loaded = Number(p["loadedBytes"]);
        if (percent is null && total is > 0 && loaded is not null)
        {
            percent = 100.0 * loaded.Value / total.Value;
        }

        return new LoadProgress(total, loaded, Number(p["totalFiles"]), Number(p["loadedFiles"]), Number(p["bytesPerSecond"]), Text(p["eta"]), percent);
    }

    /// <summary>"42.5% (1.20GiB of 2.90GiB, 120/300 files, 85.30MiB/s, eta 20s)".</summary>
    public static string Describe(JsonObject progress) => From(progress)?.ToString() ?? "";

    /// <summary>The details after the percentage: bytes, files, rate, eta.</summary>
    public string Details
    {
        get
        {
            var parts = new List<string>();
            if (LoadedBytes is { } loaded)
            {
                parts.Add(TotalBytes is { } total ? $"{Quantity.HumanBytes(loaded)} of {Quantity.HumanBytes(total)}" : Quantity.HumanBytes(loaded));
            }

            if (LoadedFiles is { } files)
            {
                parts.Add(TotalFiles is { } totalFiles ? $"{files}/{totalFiles} files" : $"{files} files");
            }

            if (BytesPerSecond is { } rate)
            {
                parts.Add($"{Quantity.HumanBytes(rate)}/s");
            }

            if (!string.IsNullOrEmpty(Eta))
            {
                parts.Add($"eta {Eta}");
            }

            return string.Join(", ", parts);
        }
    }

    public override string ToString()
    {
        var details = Details;
        var percent = Percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "";
        return details.Length == 0 ? percent : percent.Length == 0 ? details : $"{percent} ({details})";
    }

    private static long? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) => (long)d,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
        _ => null,
    };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
