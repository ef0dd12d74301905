using System.Text;
using Fluid.Cache.Store;

namespace Fluid.Cache.Tests.Store;

public class Crc32CTests
{
    // iSCSI, RFC 3720 appendix B.4, and the usual check value.
    [Theory]
    [InlineData("zeros", 0x8A9136AAu)]
    [InlineData("ones", 0x62A8AB43u)]
    [InlineData("ascending", 0x46DD794Eu)]
    [InlineData("descending", 0x113FDB5Cu)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("", 0u)]
    public void Known_vectors_give_the_published_checksums(string name, uint expected)
    {
        var data = name switch
        {
            "zeros" => new byte[32],
            "ones" => Enumerable.Repeat((byte)0xFF, 32).ToArray(),
            "ascending" => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
            "descending" => Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(),
            _ => Encoding.ASCII.GetBytes(name),
        };

        Assert.Equal(expected, Crc32C.Compute(data));
        Assert.Equal(expected, Crc32C.AppendSoftware(0, data));
    }

    [Fact]
    public void The_hardware_path_agrees_with_the_table_on_every_length_up_to_10000_at_odd_alignments()
    {
        var random = new Random(20261122);
        var buffer = new byte[10_000 + 16];
        random.NextBytes(buffer);
        for (var length = 0; length <= 10_000; length++)
        {
            var offset = length % 7;
            var data = buffer.AsSpan(offset, length);
            var software = Crc32C.AppendSoftware(0, data);
            var computed = Crc32C.Compute(data);
            if (computed != software)
            {
                Assert.Fail($"length {length} at offset {offset}: {computed:x8}, the table gives {software:x8}");
            }
        }
    }

    [Theory]
    [InlineData(3 * 8192)]
    [InlineData((3 * 8192) + 1)]
    [InlineData((3 * 8192) + (3 * 256) + 7)]
    [InlineData(100_003)]
    [InlineData((4 << 20) + 5)]
    public void The_three_stream_path_agrees_with_the_table_on_large_inputs(int length)
    {
        var buffer = new byte[length + 3];
        new Random(length).NextBytes(buffer);
        for (var offset = 0; offset < 3; offset++)
        {
            var data = buffer.AsSpan(offset, length);
            Assert.Equal(Crc32C.AppendSoftware(0, data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void Appending_chunks_gives_the_checksum_of_the_whole()
    {
        var random = new Random(7);
        var data = new byte[200_000];
        random.NextBytes(data);
        var whole = Crc32C.Compute(data);
        for (var round = 0; round < 20; round++)
        {
            uint crc = 0;
            var softwareCrc = 0u;
            var offset = 0;
            while (offset < data.Length)
            {
                var chunk = Math.Min(data.Length - offset, random.Next(0, 30_000));
                crc = Crc32C.Append(crc, data.AsSpan(offset, chunk));
                softwareCrc = Crc32C.AppendSoftware(softwareCrc, data.AsSpan(offset, chunk));
                offset += chunk;
            }

            Assert.Equal(whole, crc);
            Assert.Equal(whole, softwareCrc);
        }
    }

    [Fact]
    public void Appending_nothing_keeps_the_checksum()
    {
        var crc = Crc32C.Compute("123456789"u8);
        Assert.Equal(crc, Crc32C.Append(crc, []));
    }

    [Fact]
    public void A_single_flipped_bit_changes_the_checksum()
    {
        var data = new byte[4096];
        new Random(3).NextBytes(data);
        var crc = Crc32C.Compute(data);
        for (var bit = 0; bit < data.Length * 8; bit += 97)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(crc, Crc32C.Compute(data));
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }
}
