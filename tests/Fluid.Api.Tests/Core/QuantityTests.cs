using System.Text.Json;
using Fluid.Api.Core;
using Fluid.Api.Serialization;

namespace Fluid.Api.Tests.Core;

public class QuantityTests
{
    [Theory]
    [InlineData("15Gi", "16106127360")]
    [InlineData("500M", "500000000")]
    [InlineData("1.5Ti", "1649267441664")]
    [InlineData("100m", "0.1")]
    [InlineData("1e3", "1000")]
    [InlineData("2E", "2000000000000000000")]
    [InlineData("1Ki", "1024")]
    [InlineData("0.5", "0.5")]
    [InlineData("-1Gi", "-1073741824")]
    [InlineData(".5Mi", "524288")]
    [InlineData("7", "7")]
    [InlineData("250u", "0.00025")]
    [InlineData("3n", "0.000000003")]
    [InlineData("1.5e-3", "0.0015")]
    public void Parses_every_suffix_to_its_exact_value(string text, string expected)
    {
        var quantity = Quantity.Parse(text);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), quantity.Value);
        Assert.Equal(text, quantity.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Gi")]
    [InlineData("15 Gi")]
    [InlineData("15GB")]
    [InlineData("15gi")]
    [InlineData("1.2.3")]
    [InlineData("ten")]
    [InlineData("1e99")]
    public void Refuses_what_kubernetes_refuses_with_an_example(string text)
    {
        Assert.False(Quantity.TryParse(text, out _, out var error));
        Assert.Contains(text.Contains('e', StringComparison.Ordinal) && text != "ten" ? "exponent" : "e.g. 15Gi", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rounds_up_to_whole_units_like_kubernetes()
    {
        Assert.Equal(1, Quantity.Parse("100m").ToInt64());
        Assert.Equal(1536, Quantity.Parse("1.5Ki").ToInt64());
    }

    [Fact]
    public void Byte_counts_get_the_largest_whole_binary_unit()
    {
        Assert.Equal("15Gi", Quantity.FromBytes(15L << 30).Text);
        Assert.Equal("1536Ki", Quantity.FromBytes(1536 * 1024).Text);
        Assert.Equal("1000", Quantity.FromBytes(1000).Text);
        Assert.Equal("0", Quantity.FromBytes(0).Text);
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(1023, "1023B")]
    [InlineData(1536, "1.50KiB")]
    [InlineData(56028457779L, "52.18GiB")]
    public void Human_byte_strings_match_upstream_status_style(long bytes, string expected) =>
        Assert.Equal(expected, Quantity.HumanBytes(bytes));

    [Fact]
    public void Equal_amounts_compare_equal_whatever_the_unit()
    {
        Assert.Equal(Quantity.Parse("1Gi"), Quantity.Parse("1024Mi"));
        Assert.True(Quantity.Parse("1G").CompareTo(Quantity.Parse("1Gi")) < 0);
    }

    [Fact]
    public void Json_reads_strings_and_numbers_and_writes_the_text_back()
    {
        var fromNumber = FluidJson.Deserialize<Quantity>("100");
        var fromString = FluidJson.Deserialize<Quantity>("\"1.5Ti\"");

        Assert.Equal(100, fromNumber.Value);
        Assert.Equal("\"1.5Ti\"", FluidJson.Serialize(fromString));
        Assert.Throws<JsonException>(() => FluidJson.Deserialize<Quantity>("\"lots\""));
        Assert.Throws<JsonException>(() => FluidJson.Deserialize<Quantity>("true"));
    }
}
