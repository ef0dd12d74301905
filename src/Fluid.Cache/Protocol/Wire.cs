using System.Buffers.Binary;
using System.Text;

namespace Fluid.Cache.Protocol;

/// <summary>What a request asks a worker to do.</summary>
public enum Opcode : ushort
{
    /// <summary>First frame of every connection: protocol version and the runtime's token.</summary>
    Hello = 1,

    /// <summary>Bytes of one block, read through from the source on a miss; the data follows the response header.</summary>
    Read = 2,

    /// <summary>Where a block's file is, for a client on the same host (Unix socket only).</summary>
    OpenLocal = 3,

    /// <summary>Cache a range of blocks (prewarm), without returning data.</summary>
    Load = 4,

    /// <summary>The worker's counters, as JSON.</summary>
    Stats = 5,
}

/// <summary>How a request ended.</summary>
public enum Status : ushort
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>The token was missing or wrong; the connection closes.</summary>
    Unauthorized = 1,

    /// <summary>The file or dataset does not exist.</summary>
    NotFound = 2,

    /// <summary>The request was malformed or out of bounds; the connection closes.</summary>
    BadRequest = 3,

    /// <summary>The source failed; the message says why.</summary>
    SourceError = 4,

    /// <summary>The source file no longer has the version the client asked for.</summary>
    VersionChanged = 5,

    /// <summary>Short-circuit asked for over a connection that is not local.</summary>
    NotLocal = 6,
}

/// <summary>A peer broke the protocol (bad frame, oversized, truncated); the connection is closed.</summary>
public sealed class ProtocolException(string message) : IOException(message);

/// <summary>
/// Frame layout: every frame is a 10-byte header — body length (u32), opcode or status (u16),
/// request id (u32), big-endian — and a body of at most <see cref="MaxBody"/> bytes. A Read
/// response is followed by the raw block bytes its body announces, sent straight from the block
/// file.
/// </summary>
public static class Frame
{
    /// <summary>Header size in bytes.</summary>
    public const int HeaderSize = 10;

    /// <summary>Largest request or response body (data bytes of a Read are not part of it).</summary>
    public const int MaxBody = 64 * 1024;

    /// <summary>Protocol version sent in Hello.</summary>
    public const byte Version = 1;

    /// <summary>Longest token accepted.</summary>
    public const int MaxToken = 512;

    /// <summary>Writes a header.</summary>
    public static void WriteHeader(Span<byte> header, int bodyLength, ushort code, uint requestId)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)bodyLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], code);
        BinaryPrimitives.WriteUInt32BigEndian(header[6..], requestId);
    }

    /// <summary>Reads a header, rejecting bodies larger than <see cref="MaxBody"/>.</summary>
    public static (int BodyLength, ushort Code, uint RequestId) ReadHeader(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > MaxBody)
        {
            throw new ProtocolException($"frame body of {length} bytes exceeds the limit of {MaxBody}");
        }

        return ((int)length, BinaryPrimitives.ReadUInt16BigEndian(header[4..]), BinaryPrimitives.ReadUInt32BigEndian(header[6..]));
    }
}

/// <summary>Writes fields of a frame body.</summary>
public ref struct WireWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    /// <summary>Bytes written so far.</summary>
    public int Position { get; private set; }

    /// <summary>Writes a byte.</summary>
    public void U8(byte value) => Take(1)[0] = value;

    /// <summary>Writes a 32-bit integer.</summary>
    public void I32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    /// <summary>Writes an unsigned 32-bit integer.</summary>
    public void U32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    /// <summary>Writes a 64-bit integer.</summary>
    public void I64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    /// <summary>Writes a string: u16 byte length, then UTF-8.</summary>
    public void Str(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            throw new ProtocolException("string too long for a frame");
        }

        BinaryPrimitives.WriteUInt16BigEndian(Take(2), (ushort)length);
        Encoding.UTF8.GetBytes(value, Take(length));
    }

    /// <summary>Writes raw bytes with a u16 length.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Take(2), checked((ushort)value.Length));
        value.CopyTo(Take(value.Length));
    }

    private Span<byte> Take(int count)
    {
        if (Position + count > _buffer.Length)
        {
            throw new ProtocolException("frame body too large");
        }

        var span = _buffer.Slice(Position, count);
        Position += count;
        return span;
    }
}

/// <summary>Reads fields of a frame body, refusing anything truncated or out of bounds.</summary>
public ref struct WireReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    /// <summary>True when every byte was read.</summary>
    public readonly bool AtEnd => _position == _buffer.Length;

    /// <summary>Reads a byte.</summary>
    public byte U8() => Take(1)[0];

    /// <summary>Reads a 32-bit integer.</summary>
    public int I32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    /// <summary>Reads an unsigned 32-bit integer.</summary>
    public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>Reads a 64-bit integer.</summary>
    public long I64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Reads a string written by <see cref="WireWriter.Str"/>.</summary>
    public string Str()
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length));
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolException("a string is not valid UTF-8");
        }
    }

    /// <summary>Reads bytes written by <see cref="WireWriter.Bytes"/>.</summary>
    public ReadOnlySpan<byte> Bytes() => Take(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));

    /// <summary>Throws unless every byte was read.</summary>
    public readonly void End()
    {
        if (!AtEnd)
        {
            throw new ProtocolException($"{_buffer.Length - _position} unexpected bytes at the end of a frame");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _position + count > _buffer.Length)
        {
            throw new ProtocolException("frame body truncated");
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }
}
