using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>
/// A Kubernetes resource quantity: "15Gi", "500M", "1.5Ti", "100m", "1e3". Keeps the text as
/// written so a manifest round-trips unchanged; <see cref="Value"/> is the exact amount.
/// </summary>
[JsonConverter(typeof(QuantityJsonConverter))]
[ScalarSchema("int-or-string", Pattern = Quantity.Pattern)]
public sealed partial class Quantity : IEquatable<Quantity>, IComparable<Quantity>
{
    /// <summary>The syntax Kubernetes accepts, as its CRDs state it.</summary>
    public const string Pattern = @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

    private static readonly (string Suffix, decimal Factor)[] Binary =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50), ("Ei", 1L << 60),
    ];

    private static readonly Dictionary<string, decimal> Suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m,
        ["n"] = 0.000000001m,
        ["u"] = 0.000001m,
        ["m"] = 0.001m,
        ["k"] = 1e3m,
        ["M"] = 1e6m,
        ["G"] = 1e9m,
        ["T"] = 1e12m,
        ["P"] = 1e15m,
        ["E"] = 1e18m,
        ["Ki"] = Binary[0].Factor,
        ["Mi"] = Binary[1].Factor,
        ["Gi"] = Binary[2].Factor,
        ["Ti"] = Binary[3].Factor,
        ["Pi"] = Binary[4].Factor,
        ["Ei"] = Binary[5].Factor,
    };

    private Quantity(string text, decimal value)
    {
        Text = text;
        Value = value;
    }

    /// <summary>The quantity as written, e.g. "15Gi".</summary>
    public string Text { get; }

    /// <summary>The exact amount (bytes for sizes, cores for CPU).</summary>
    public decimal Value { get; }

    /// <summary>Parses a quantity; throws <see cref="FormatException"/> with a message a user can act on.</summary>
    public static Quantity Parse(string text) =>
        TryParse(text, out var quantity, out var error) ? quantity : throw new FormatException(error);

    /// <summary>Parses a quantity, or says what is wrong with it.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Quantity? quantity, out string? error)
    {
        quantity = null;
        error = null;
        var trimmed = text?.Trim() ?? "";
        var match = Syntax().Match(trimmed);
        if (trimmed.Length == 0 || trimmed.Length > 64 || !match.Success)
        {
            error = $"\"{text}\" is not a quantity; write a number with an optional suffix, e.g. 15Gi, 500Mi, 1.5Ti, 100G or 250m";
            return false;
        }

        var number = decimal.Parse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var suffix = match.Groups["suffix"].Value;
        try
        {
            decimal value;
            if (match.Groups["exponent"].Success)
            {
                var exponent = decimal.Parse(match.Groups["exponent"].Value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                if (exponent != decimal.Truncate(exponent) || Math.Abs(exponent) > 28)
                {
                    error = $"\"{text}\": the exponent must be a whole number from -28 to 28";
                    return false;
                }

                value = number * Pow10((int)exponent);
            }
            else
            {
                value = number * Suffixes[suffix];
            }

            quantity = new Quantity(trimmed, value);
            return true;
        }
        catch (OverflowException)
        {
            error = $"\"{text}\" is too large";
            return false;
        }
    }

    /// <summary>A byte count in the largest binary unit that keeps it whole, e.g. 16106127360 → "15Gi".</summary>
    public static Quantity FromBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        for (var i = Binary.Length - 1; i >= 0; i--)
        {
            var factor = (long)Binary[i].Factor;
            if (bytes >= factor && bytes % factor == 0)
            {
                return new Quantity($"{bytes / factor}{Binary[i].Suffix}", bytes);
            }
        }

        return new Quantity(bytes.ToString(CultureInfo.InvariantCulture), bytes);
    }

    /// <summary>The amount as a whole number, rounded up as Kubernetes does (e.g. bytes of "1.5Ki" = 1536).</summary>
    public long ToInt64()
    {
        var ceiling = decimal.Ceiling(Value);
        return ceiling > long.MaxValue ? long.MaxValue : ceiling < long.MinValue ? long.MinValue : (long)ceiling;
    }

    /// <summary>Bytes as people read them: "15.00GiB", "512.00MiB", "0B".</summary>
    public static string HumanBytes(decimal bytes)
    {
        if (bytes < 1024)
        {
            return $"{decimal.Truncate(bytes).ToString(CultureInfo.InvariantCulture)}B";
        }

        var unit = 0;
        while (unit < Binary.Length - 1 && bytes >= Binary[unit + 1].Factor)
        {
            unit++;
        }

        return (bytes / Binary[unit].Factor).ToString("0.00", CultureInfo.InvariantCulture) + Binary[unit].Suffix + "B";
    }

    /// <inheritdoc/>
    public bool Equals(Quantity? other) => other is not null && Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Quantity);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(Quantity? other) => other is null ? 1 : Value.CompareTo(other.Value);

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result = exponent > 0 ? result * 10 : result / 10;
        }

        return result;
    }

    [GeneratedRegex(@"^(?<number>[+-]?(\d+(\.\d*)?|\.\d+))(?<suffix>[KMGTPE]i|[numkMGTPE]|[eE](?<exponent>[+-]?(\d+(\.\d*)?|\.\d+)))?$")]
    private static partial Regex Syntax();
}

/// <summary>Reads a quantity from a JSON string or number; writes the text as it was read.</summary>
public sealed class QuantityJsonConverter : JsonConverter<Quantity>
{
    /// <inheritdoc/>
    public override Quantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException("expected a quantity such as 15Gi or 500Mi"),
        };
        return Quantity.TryParse(text, out var quantity, out var error) ? quantity : throw new JsonException(error);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Quantity value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
}
