using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Fluid.Api.Core;
using Fluid.Api.Schema;
using Fluid.Api.Serialization;

namespace Fluid.Api.Tests.Core;

public class GoDurationTests
{
    [Theory]
    [InlineData("0", "00:00:00", "0s")]
    [InlineData("-0", "00:00:00", "0s")]
    [InlineData("+0", "00:00:00", "0s")]
    [InlineData("30s", "00:00:30", "30s")]
    [InlineData("+5s", "00:00:05", "5s")]
    [InlineData("1h30m", "01:30:00", "1h30m0s")]
    [InlineData("90m", "01:30:00", "1h30m0s")]
    [InlineData("1.5h", "01:30:00", "1h30m0s")]
    [InlineData("300ms", "00:00:00.3", "300ms")]
    [InlineData("0.5ms", "00:00:00.0005", "500µs")]
    [InlineData("2h45m0.5s", "02:45:00.5", "2h45m0.5s")]
    [InlineData("-1m", "-00:01:00", "-1m0s")]
    [InlineData("-1.5s", "-00:00:01.5", "-1.5s")]
    [InlineData("1m0.25s", "00:01:00.25", "1m0.25s")]
    [InlineData("100h", "4.04:00:00", "100h0m0s")]
    [InlineData("1h1h", "02:00:00", "2h0m0s")]
    [InlineData(".5s", "00:00:00.5", "500ms")]
    [InlineData("1.s", "00:00:01", "1s")]
    [InlineData("1500ns", "00:00:00.0000015", "1.5µs")]
    [InlineData("2us", "00:00:00.000002", "2µs")]
    [InlineData("2\u00b5s", "00:00:00.000002", "2µs")]
    [InlineData("2\u03bcs", "00:00:00.000002", "2µs")]
    [InlineData("1ns", "00:00:00", "1ns")]
    [InlineData("0.000000001s", "00:00:00", "1ns")]
    [InlineData("1.000000001s", "00:00:01", "1.000000001s")]
    [InlineData("1.23456789012s", "00:00:01.2345678", "1.23456789s")]
    [InlineData("2562047h47m16.854775807s", "106751.23:47:16.8547758", "2562047h47m16.854775807s")]
    [InlineData("-2562047h47m16.854775808s", "-106751.23:47:16.8547758", "-2562047h47m16.854775808s")]
    public void Parses_go_durations_to_a_time_span_and_the_canonical_form(string text, string expected, string canonical)
    {
        var duration = GoDuration.Parse(text);

        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), duration.Value);
        Assert.Equal(canonical, duration.Canonical);
        Assert.Equal(text, duration.Text);
        Assert.Equal(text, duration.ToString());
    }

    [Theory]
    [InlineData("", "a duration cannot be empty")]
    [InlineData("90", "\"90\" has no unit; write it as \"90s\", \"90m\" or \"90h\"")]
    [InlineData("-90", "\"-90\" has no unit; write it as \"-90s\"")]
    [InlineData("1.5", "\"1.5\" has no unit")]
    [InlineData("2d", "unknown unit \"d\" in \"2d\"; use ns, us, ms, s, m or h (e.g. \"48h\")")]
    [InlineData("1w", "unknown unit \"w\" in \"1w\"; use ns, us, ms, s, m or h (e.g. \"168h\")")]
    [InlineData("5y", "unknown unit \"y\" in \"5y\"; use ns, us, ms, s, m or h (e.g. \"1h30m\")")]
    [InlineData("5H", "unknown unit \"H\" in \"5H\"; units are lower case: use \"5h\"")]
    [InlineData("10sec", "unknown unit \"sec\" in \"10sec\"; use \"10s\"")]
    [InlineData("2hours", "use \"2h\"")]
    [InlineData("1h30", "\"1h30\" ends with a number without a unit (\"30\")")]
    [InlineData("1h 30m", "\"1h 30m\" contains spaces; write a duration without them, e.g. \"1h30m\"")]
    [InlineData(" 30s", "contains spaces")]
    [InlineData("h", "\"h\" must start with a number")]
    [InlineData("--1s", "must start with a number")]
    [InlineData("-", "\"-\" has no number")]
    [InlineData("1..5s", "\"1..5\" in \"1..5s\" is not a number")]
    [InlineData(".s", "\".\" in \".s\" is not a number")]
    [InlineData("3000000h", "\"3000000h\" is too long; a duration can be at most 2562047h47m16.854775807s")]
    [InlineData("2562047h47m16.854775808s", "is too long")]
    [InlineData("99999999999999999999999s", "is too long")]
    public void Rejects_bad_durations_with_a_message_saying_what_to_write(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => GoDuration.Parse(text));

        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.False(GoDuration.TryParse(text, out var value, out var error));
        Assert.Null(value);
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void TryParse_refuses_null()
    {
        Assert.False(GoDuration.TryParse(null, out _, out var error));
        Assert.Contains("cannot be empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "100ns")]
    [InlineData(20L, "2µs")]
    [InlineData(15_000L, "1.5ms")]
    [InlineData(3_000_000L, "300ms")]
    [InlineData(15_000_000L, "1.5s")]
    [InlineData(10_000_001L, "1.0000001s")]
    [InlineData(600_000_000L, "1m0s")]
    [InlineData(900_000_000L, "1m30s")]
    [InlineData(36_000_000_000L, "1h0m0s")]
    [InlineData(54_000_000_000L, "1h30m0s")]
    [InlineData(864_000_000_000L, "24h0m0s")]
    [InlineData(-900_000_000L, "-1m30s")]
    [InlineData(-3_000_000L, "-300ms")]
    public void FromTimeSpan_writes_go_canonical_form(long ticks, string expected)
    {
        var duration = GoDuration.FromTimeSpan(TimeSpan.FromTicks(ticks));

        Assert.Equal(expected, duration.Text);
        Assert.Equal(expected, duration.Canonical);
        Assert.Equal(ticks, duration.Value.Ticks);
        Assert.Equal(duration, GoDuration.Parse(expected));
    }

    [Fact]
    public void FromTimeSpan_refuses_lengths_go_cannot_hold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GoDuration.FromTimeSpan(TimeSpan.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => GoDuration.FromTimeSpan(TimeSpan.FromDays(365 * 300)));
    }

    [Fact]
    public void Durations_are_equal_when_equally_long_whatever_the_spelling()
    {
        var a = GoDuration.Parse("90m");
        var b = GoDuration.Parse("1h30m");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a.Text, b.Text);
        Assert.NotEqual(a, GoDuration.Parse("91m"));
        Assert.False(a.Equals(null));
    }

    [Theory]
    [InlineData("90m")]
    [InlineData("1.5h")]
    [InlineData("2µs")]
    [InlineData("0")]
    [InlineData("-1m")]
    public void Json_round_trip_keeps_the_text_as_written(string text)
    {
        var json = $$"""{"timeout":"{{text}}"}""";

        var holder = FluidJson.Deserialize<Holder>(json);

        Assert.Equal(GoDuration.Parse(text).Value, holder.Timeout!.Value);
        Assert.Equal(json, FluidJson.Serialize(holder));
    }

    [Fact]
    public void Json_reports_bad_text_with_the_parse_message()
    {
        var e = Assert.Throws<JsonException>(() => FluidJson.Deserialize<Holder>("""{"timeout":"2d"}"""));

        Assert.Contains("unknown unit \"d\" in \"2d\"; use ns, us, ms, s, m or h (e.g. \"48h\")", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"timeout":90}""", "got the number 90")]
    [InlineData("""{"timeout":true}""", "got a boolean")]
    [InlineData("""{"timeout":{}}""", "got an object")]
    public void Json_refuses_values_that_are_not_strings(string json, string fragment)
    {
        var e = Assert.Throws<JsonException>(() => FluidJson.Deserialize<Holder>(json));

        Assert.Contains("expected a duration string such as \"30s\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_null_leaves_the_field_unset()
    {
        Assert.Null(FluidJson.Deserialize<Holder>("""{"timeout":null}""").Timeout);
    }

    [Fact]
    public void Appears_in_schemas_as_a_string()
    {
        Assert.Equal("string", typeof(GoDuration).GetCustomAttribute<ScalarSchemaAttribute>()!.Type);
    }

    public sealed class Holder
    {
        public GoDuration? Timeout { get; set; }
    }
}
