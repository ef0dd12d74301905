using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>
/// A duration written the way Go's <c>time.ParseDuration</c> reads it, as Kubernetes
/// <c>metav1.Duration</c> fields are: "30s", "1h30m", "1.5h", "300ms", "-1m", "0".
/// Units are ns, us (or µs), ms, s, m and h; every number but a bare 0 needs one.
/// </summary>
/// <remarks>
/// The text is kept as written so that a manifest reads back unchanged; two durations are equal
/// when they last equally long ("90m" equals "1h30m"). Like Go, the magnitude is limited to what
/// fits in a signed 64-bit count of nanoseconds (about 292 years).
/// </remarks>
[JsonConverter(typeof(GoDurationJsonConverter))]
[ScalarSchema("string")]
public sealed class GoDuration : IEquatable<GoDuration>
{
    private const long NanosPerTick = 100;
    private const long NanosPerMicrosecond = 1_000;
    private const long NanosPerMillisecond = 1_000_000;
    private const long NanosPerSecond = 1_000_000_000;
    private const long NanosPerMinute = 60 * NanosPerSecond;
    private const long NanosPerHour = 60 * NanosPerMinute;

    private const string UnitList = "ns, us, ms, s, m or h";

    private static readonly BigInteger MaxMagnitude = new(long.MaxValue);

    private static readonly Dictionary<string, long> Units = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = NanosPerMicrosecond,
        ["\u00b5s"] = NanosPerMicrosecond, // micro sign
        ["\u03bcs"] = NanosPerMicrosecond, // Greek small letter mu
        ["ms"] = NanosPerMillisecond,
        ["s"] = NanosPerSecond,
        ["m"] = NanosPerMinute,
        ["h"] = NanosPerHour,
    };

    // Units people write from habit, and the Go unit that means the same thing.
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sec"] = "s",
        ["secs"] = "s",
        ["second"] = "s",
        ["seconds"] = "s",
        ["min"] = "m",
        ["mins"] = "m",
        ["minute"] = "m",
        ["minutes"] = "m",
        ["hr"] = "h",
        ["hrs"] = "h",
        ["hour"] = "h",
        ["hours"] = "h",
        ["msec"] = "ms",
        ["msecs"] = "ms",
        ["millisecond"] = "ms",
        ["milliseconds"] = "ms",
        ["usec"] = "us",
        ["microsecond"] = "us",
        ["microseconds"] = "us",
        ["nsec"] = "ns",
        ["nanosecond"] = "ns",
        ["nanoseconds"] = "ns",
    };

    private readonly long _nanoseconds;

    private GoDuration(long nanoseconds, string text)
    {
        _nanoseconds = nanoseconds;
        Text = text;
        Value = TimeSpan.FromTicks(nanoseconds / NanosPerTick);
    }

    /// <summary>The length of time, truncated to whole ticks (100 ns).</summary>
    public TimeSpan Value { get; }

    /// <summary>The duration as it was written ("90m" stays "90m").</summary>
    public string Text { get; }

    /// <summary>Go's canonical spelling (<c>time.Duration.String()</c>): "1h30m0s", "1.5s", "300ms", "0s", "2µs".</summary>
    public string Canonical => Format(_nanoseconds);

    /// <summary>Reads a Go duration; throws <see cref="FormatException"/> with a message saying what to write instead.</summary>
    public static GoDuration Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>Reads a Go duration; on failure returns false and a message saying what to write instead.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out GoDuration? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = Check(text, out var nanoseconds);
        if (error is not null)
        {
            return false;
        }

        value = new GoDuration(nanoseconds, text!);
        return true;
    }

    /// <summary>A duration of the given length, written in Go's canonical form; throws when it is beyond about 292 years.</summary>
    public static GoDuration FromTimeSpan(TimeSpan value)
    {
        const long maxTicks = long.MaxValue / NanosPerTick;
        if (value.Ticks is > maxTicks or < -maxTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a Go duration can be at most about 292 years long");
        }

        var nanoseconds = value.Ticks * NanosPerTick;
        return new GoDuration(nanoseconds, Format(nanoseconds));
    }

    /// <inheritdoc/>
    public bool Equals(GoDuration? other) => other is not null && _nanoseconds == other._nanoseconds;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as GoDuration);

    /// <inheritdoc/>
    public override int GetHashCode() => _nanoseconds.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => Text;

    // Returns null and the length in nanoseconds, or an error message.
    private static string? Check(string? text, out long nanoseconds)
    {
        nanoseconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return "a duration cannot be empty; write it like \"30s\", \"5m\" or \"1h30m\"";
        }

        if (text.Any(char.IsWhiteSpace))
        {
            var joined = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
            return $"{Quote(text)} contains spaces; write a duration without them, e.g. {Quote(joined.Length > 0 ? joined : "1h30m")}";
        }

        var rest = text.AsSpan();
        var negative = false;
        if (rest[0] is '-' or '+')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        if (rest is "0")
        {
            return null;
        }

        if (rest.IsEmpty)
        {
            return $"{Quote(text)} has no number; write a duration like \"30s\" or \"-5m\"";
        }

        var total = BigInteger.Zero;
        while (!rest.IsEmpty)
        {
            if (!IsNumberChar(rest[0]))
            {
                return $"{Quote(text)} must start with a number before each unit, e.g. \"1h\" or \"1h30m\"";
            }

            var numberLength = 0;
            while (numberLength < rest.Length && IsNumberChar(rest[numberLength]))
            {
                numberLength++;
            }

            var number = rest[..numberLength];
            rest = rest[numberLength..];

            var unitLength = 0;
            while (unitLength < rest.Length && !IsNumberChar(rest[unitLength]))
            {
                unitLength++;
            }

            var unit = rest[..unitLength].ToString();
            rest = rest[unitLength..];

            if (!TryReadNumber(number, out var numerator, out var denominator))
            {
                return $"{Quote(number.ToString())} in {Quote(text)} is not a number; write digits with at most one '.', e.g. \"1.5h\"";
            }

            if (unit.Length == 0)
            {
                return MissingUnit(text, number.ToString());
            }

            if (!Units.TryGetValue(unit, out var scale))
            {
                return UnknownUnit(text, number.ToString(), unit);
            }

            total += numerator * scale / denominator;
            if (total > MaxMagnitude + 1)
            {
                return TooLong(text);
            }
        }

        if (total > MaxMagnitude + (negative ? 1 : 0))
        {
            return TooLong(text);
        }

        nanoseconds = negative ? (long)-total : (long)total;
        return null;
    }

    private static bool IsNumberChar(char c) => c is '.' or (>= '0' and <= '9');

    // Reads digits with an optional fraction ("1", "1.5", ".5", "1.") as numerator / 10^fraction digits.
    private static bool TryReadNumber(ReadOnlySpan<char> number, out BigInteger numerator, out BigInteger denominator)
    {
        numerator = BigInteger.Zero;
        denominator = BigInteger.One;
        var dot = number.IndexOf('.');
        if (dot >= 0 && number[(dot + 1)..].Contains('.'))
        {
            return false;
        }

        if (number.Length == (dot >= 0 ? 1 : 0))
        {
            return false;
        }

        foreach (var c in number)
        {
            if (c != '.')
            {
                numerator = (numerator * 10) + (c - '0');
            }
        }

        if (dot >= 0)
        {
            denominator = BigInteger.Pow(10, number.Length - dot - 1);
        }

        return true;
    }

    private static string MissingUnit(string text, string number)
    {
        var whole = text.TrimStart('-', '+');
        if (whole == number)
        {
            return $"{Quote(text)} has no unit; write it as {Quote(text + "s")}, {Quote(text + "m")} or {Quote(text + "h")}";
        }

        return $"{Quote(text)} ends with a number without a unit ({Quote(number)}); add one of {UnitList}, e.g. {Quote(text + "s")}";
    }

    private static string UnknownUnit(string text, string number, string unit)
    {
        var prefix = $"unknown unit {Quote(unit)} in {Quote(text)}";
        if (Units.ContainsKey(unit.ToLowerInvariant()))
        {
            return $"{prefix}; units are lower case: use {Quote(number + unit.ToLowerInvariant())}";
        }

        if (Synonyms.TryGetValue(unit, out var go))
        {
            return $"{prefix}; use {Quote(number + go)}";
        }

        var hours = unit.ToLowerInvariant() switch
        {
            "d" or "day" or "days" => 24m,
            "w" or "week" or "weeks" => 7 * 24m,
            _ => 0m,
        };
        var example = "1h30m";
        if (hours > 0 && decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) && count < 1_000_000m)
        {
            example = (count * hours).ToString("0.##########", CultureInfo.InvariantCulture) + "h";
        }

        return $"{prefix}; use {UnitList} (e.g. {Quote(example)})";
    }

    private static string TooLong(string text) =>
        $"{Quote(text)} is too long; a duration can be at most 2562047h47m16.854775807s (about 292 years)";

    private static string Quote(string text) => "\"" + text + "\"";

    // Go's time.Duration.String(): h/m/s for a second or more, else ms, µs or ns with a fraction.
    private static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var magnitude = nanoseconds < 0 ? (ulong)-(nanoseconds + 1) + 1 : (ulong)nanoseconds;
        var result = new StringBuilder();
        if (nanoseconds < 0)
        {
            result.Append('-');
        }

        if (magnitude < NanosPerSecond)
        {
            var (unit, digits) = magnitude switch
            {
                < NanosPerMicrosecond => ("ns", 0),
                < NanosPerMillisecond => ("\u00b5s", 3),
                _ => ("ms", 6),
            };
            AppendFraction(result, magnitude, digits);
            return result.Append(unit).ToString();
        }

        var seconds = magnitude / NanosPerSecond;
        var hours = seconds / 3600;
        var minutes = seconds / 60 % 60;
        if (hours > 0)
        {
            result.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            result.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        AppendFraction(result, (seconds % 60 * NanosPerSecond) + (magnitude % NanosPerSecond), 9);
        return result.Append('s').ToString();
    }

    // Appends value / 10^digits with the fraction's trailing zeros (and a bare point) left out.
    private static void AppendFraction(StringBuilder result, ulong value, int digits)
    {
        var scale = (ulong)Math.Pow(10, digits);
        result.Append((value / scale).ToString(CultureInfo.InvariantCulture));
        var fraction = value % scale;
        if (fraction != 0)
        {
            var text = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
            result.Append('.').Append(text);
        }
    }
}

/// <summary>Reads a Go duration from a JSON string; writes it back as it was written.</summary>
public sealed class GoDurationJsonConverter : JsonConverter<GoDuration>
{
    /// <inheritdoc/>
    public override GoDuration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            var what = reader.TokenType switch
            {
                JsonTokenType.Number => "the number " + Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True or JsonTokenType.False => "a boolean",
                JsonTokenType.StartObject => "an object",
                JsonTokenType.StartArray => "a list",
                _ => "a " + reader.TokenType.ToString().ToLowerInvariant(),
            };
            throw new JsonException($"expected a duration string such as \"30s\" or \"1h30m\", got {what}; quote it and give it a unit");
        }

        var text = reader.GetString();
        return GoDuration.TryParse(text, out var value, out var error) ? value : throw new JsonException(error);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, GoDuration value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);
}
