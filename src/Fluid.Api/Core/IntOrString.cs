using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>A value that is either an integer or a string, such as a port number or name.</summary>
[JsonConverter(typeof(IntOrStringJsonConverter))]
[ScalarSchema("int-or-string")]
public sealed class IntOrString : IEquatable<IntOrString>
{
    private IntOrString(int? number, string? text)
    {
        Number = number;
        Text = text;
    }

    /// <summary>The integer, when this holds one.</summary>
    public int? Number { get; }

    /// <summary>The string, when this holds one.</summary>
    public string? Text { get; }

    /// <summary>An integer value.</summary>
    public static IntOrString FromInt(int value) => new(value, null);

    /// <summary>A string value.</summary>
    public static IntOrString FromString(string value) => new(null, value);

    /// <summary>Implicit conversion from an integer.</summary>
    public static implicit operator IntOrString(int value) => FromInt(value);

    /// <summary>Implicit conversion from a string.</summary>
    public static implicit operator IntOrString(string value) => FromString(value);

    /// <inheritdoc/>
    public bool Equals(IntOrString? other) => other is not null && Number == other.Number && Text == other.Text;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IntOrString);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Number, Text);

    /// <inheritdoc/>
    public override string ToString() => Text ?? Number!.Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads a JSON number or string; writes back the same form.</summary>
public sealed class IntOrStringJsonConverter : JsonConverter<IntOrString>
{
    /// <inheritdoc/>
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var n) => IntOrString.FromInt(n),
            JsonTokenType.String => IntOrString.FromString(reader.GetString()!),
            _ => throw new JsonException("expected an integer or a string"),
        };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.Number is { } n)
        {
            writer.WriteNumberValue(n);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
