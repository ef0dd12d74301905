using Fluid.Control.Naming;

namespace Fluid.Control.Tests;

public class FluidLabelsTests
{
    private const string Uid = "3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b";

    [Fact]
    public void Label_names_follow_upstreams_forms()
    {
        Assert.Equal("fluid.io/s-default-spark", FluidLabels.Common("default", "spark", Uid));
        Assert.Equal("fluid.io/s-alluxio-default-spark", FluidLabels.Runtime("alluxio", "default", "spark", Uid));
        Assert.Equal("fluid.io/s-h-alluxio-m-default-spark", FluidLabels.MemoryCapacity("alluxio", "default", "spark", Uid));
        Assert.Equal("fluid.io/s-h-alluxio-d-default-spark", FluidLabels.DiskCapacity("alluxio", "default", "spark", Uid));
        Assert.Equal("fluid.io/s-h-alluxio-t-default-spark", FluidLabels.TotalCapacity("alluxio", "default", "spark", Uid));
        Assert.Equal("fluid.io/f-default-spark", FluidLabels.Fuse("default", "spark", Uid));
        Assert.Equal("fluid.io/dataset-num", FluidLabels.DatasetNum);
        Assert.Equal("default_spark", FluidLabels.ExclusiveValue("default", "spark"));
        Assert.Equal("default-spark", FluidLabels.DatasetIdValue("default", "spark", Uid));
    }

    [Fact]
    public void A_label_of_62_characters_is_kept_and_one_of_63_becomes_the_prefix_and_the_dataset_uid()
    {
        var name43 = new string('a', 43);
        var kept = FluidLabels.Common("default", name43, Uid);
        Assert.Equal(62, kept.Length);
        Assert.Equal($"fluid.io/s-default-{name43}", kept);

        var name44 = new string('a', 44);
        Assert.Equal($"fluid.io/s-{Uid}", FluidLabels.Common("default", name44, Uid));
        Assert.Equal($"fluid.io/s-h-fluid-t-{Uid}", FluidLabels.TotalCapacity("fluid", "default", name44, Uid));
        Assert.Equal($"fluid.io/f-{Uid}", FluidLabels.Fuse("default", name44, Uid));
        Assert.Equal(Uid, FluidLabels.DatasetIdValue(new string('n', 40), name44, Uid));
    }

    [Fact]
    public void Without_a_dataset_uid_a_long_label_is_left_long_as_upstream_does()
    {
        var name = new string('b', 60);
        Assert.Equal($"fluid.io/s-default-{name}", FluidLabels.Common("default", name, null));
    }

    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(1023L, "1023B")]
    [InlineData(2L << 30, "2GiB")]
    [InlineData(3L << 29, "1.5GiB")]
    [InlineData(15L << 30, "15GiB")]
    [InlineData(512L << 20, "512MiB")]
    [InlineData(1L << 40, "1TiB")]
    public void Capacity_label_values_are_binary_units_with_four_significant_digits(long bytes, string expected) =>
        Assert.Equal(expected, ByteUnits.Label(bytes));

    [Fact]
    public void Status_sizes_have_two_decimals_and_percentages_one()
    {
        Assert.Equal("1.50GiB", ByteUnits.Status(3L << 29));
        Assert.Equal("0.00B", ByteUnits.Status(0));
        Assert.Equal("42.0%", ByteUnits.Percent(0.42));
    }
}
