using Fluid.Cache.Protocol;

namespace Fluid.Cache.Tests.Protocol;

public class WireTests
{
    [Fact]
    public void Fields_round_trip()
    {
        var buffer = new byte[256];
        var writer = new WireWriter(buffer);
        writer.U8(7);
        writer.I32(-5);
        writer.U32(uint.MaxValue);
        writer.I64(long.MinValue);
        writer.Str("dataset/ü");
        writer.Bytes([1, 2, 3]);

        var reader = new WireReader(buffer.AsSpan(0, writer.Position));
        Assert.Equal(7, reader.U8());
        Assert.Equal(-5, reader.I32());
        Assert.Equal(uint.MaxValue, reader.U32());
        Assert.Equal(long.MinValue, reader.I64());
        Assert.Equal("dataset/ü", reader.Str());
        Assert.Equal([1, 2, 3], reader.Bytes().ToArray());
        reader.End();
    }

    [Fact]
    public void Truncated_bodies_and_trailing_bytes_are_protocol_errors()
    {
        Assert.Throws<ProtocolException>(() => new WireReader([0, 0, 0]).I32());
        Assert.Throws<ProtocolException>(() => new WireReader([0, 10, 65]).Str());
        Assert.Throws<ProtocolException>(() => new WireReader([0, 2, 0xC3, 0x28]).Str());
        Assert.Throws<ProtocolException>(() => new WireReader([1]).End());
        Assert.Throws<ProtocolException>(() => new WireWriter(new byte[3]).I32(1));
    }

    [Fact]
    public void Headers_over_the_body_limit_are_refused()
    {
        var header = new byte[Frame.HeaderSize];
        Frame.WriteHeader(header, Frame.MaxBody, 2, 9);
        Assert.Equal((Frame.MaxBody, (ushort)2, 9u), Frame.ReadHeader(header));

        Frame.WriteHeader(header, Frame.MaxBody + 1, 2, 9);
        Assert.Throws<ProtocolException>(() => Frame.ReadHeader(header));
    }

    [Theory]
    [InlineData("../x", "inside the dataset")]
    [InlineData("/abs", "relative")]
    [InlineData("", "relative")]
    [InlineData("a\\b", "backslash")]
    public void Block_requests_with_escaping_paths_are_refused(string path, string message)
    {
        var body = Encode(new BlockRequest("ns/d", path, "v", 100, 0));

        var e = Assert.Throws<ProtocolException>(() => Decode(body, 64));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, 2)]
    [InlineData(100, -1)]
    [InlineData(-1, 0)]
    public void Block_requests_outside_the_file_are_refused(long size, long index)
    {
        var body = Encode(new BlockRequest("ns/d", "a/b", "v", size, index));

        Assert.Throws<ProtocolException>(() => Decode(body, 64));
    }

    [Fact]
    public void Block_requests_normalize_their_path_and_know_their_length()
    {
        var request = Decode(Encode(new BlockRequest("ns/d", "a//b/./c", "v", 150, 2)), 64);

        Assert.Equal("a/b/c", request.Path);
        Assert.Equal(22, request.BlockLength(64));
    }

    private static byte[] Encode(BlockRequest request)
    {
        var buffer = new byte[512];
        var writer = new WireWriter(buffer);
        request.Write(ref writer);
        return buffer.AsSpan(0, writer.Position).ToArray();
    }

    private static BlockRequest Decode(byte[] body, int blockSize)
    {
        var reader = new WireReader(body);
        return BlockRequest.Read(ref reader, blockSize);
    }
}
