using System.Globalization;

namespace Fluid.Control.Naming;

/// <summary>Byte counts as upstream writes them into labels and status.</summary>
public static class ByteUnits
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>
    /// Binary units with at most four significant digits, e.g. "2GiB", "1.5GiB", "512MiB": the
    /// form of upstream's capacity node labels (docker/go-units BytesSize).
    /// </summary>
    public static string Label(long bytes) => Format(bytes, "G4");

    /// <summary>Binary units with two decimals, e.g. "1.50GiB", "0.00B": the form of dataset status sizes.</summary>
    public static string Status(long bytes) => Format(bytes, "F2");

    /// <summary>A ratio as a percentage with one decimal, e.g. "42.0%".</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static string Format(long bytes, string format)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(format, CultureInfo.InvariantCulture) + Units[unit];
    }
}
