using System.Net;
using System.Net.Sockets;
using System.Text;
using Fluid.Cache.Protocol;

namespace Fluid.Cache.Client;

/// <summary>A worker refused a request; <see cref="Status"/> says how.</summary>
public sealed class WorkerRequestException(Status status, string message) : IOException(message)
{
    /// <summary>The worker's status.</summary>
    public Status Status { get; } = status;
}

/// <summary>
/// One authenticated connection to a worker's data endpoint (TCP, or the Unix socket for
/// short-circuit reads). Requests are answered in order; one caller at a time.
/// </summary>
public sealed class WorkerConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _frame = new byte[Frame.HeaderSize + Frame.MaxBody];
    private uint _nextId;

    private WorkerConnection(Socket socket) => _socket = socket;

    /// <summary>True for a Unix-socket connection.</summary>
    public bool IsLocal => _socket.AddressFamily == AddressFamily.Unix;

    /// <summary>Connects and authenticates; throws <see cref="WorkerRequestException"/> when the token is refused.</summary>
    public static WorkerConnection Open(string address, string? localSocket, string token, TimeSpan timeout)
    {
        Socket socket;
        if (localSocket is not null)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(localSocket));
        }
        else
        {
            var endpoint = ParseEndpoint(address);
            socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var connect = socket.ConnectAsync(endpoint);
            try
            {
                if (!connect.Wait(timeout))
                {
                    throw new IOException($"worker {address} did not accept a connection within {timeout.TotalSeconds:0}s");
                }
            }
            catch (AggregateException e) when (e.InnerException is SocketException inner)
            {
                socket.Dispose();
                throw new IOException($"cannot connect to worker {address}: {inner.Message}", inner);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        socket.SendTimeout = (int)timeout.TotalMilliseconds;
        var connection = new WorkerConnection(socket);
        try
        {
            var tokenBytes = Encoding.UTF8.GetBytes(token);
            var body = new byte[3 + tokenBytes.Length];
            var writer = new WireWriter(body);
            writer.U8(Frame.Version);
            writer.Bytes(tokenBytes);
            connection.Call(Opcode.Hello, body.AsSpan(0, writer.Position), out _);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of a block from <paramref name="offset"/>; returns the block's CRC.</summary>
    public uint Read(BlockRequest request, int offset, Span<byte> destination, ReadFlags flags)
    {
        var writer = new WireWriter(_frame.AsSpan(Frame.HeaderSize));
        request.Write(ref writer);
        writer.I32(offset);
        writer.I32(destination.Length);
        writer.U8((byte)flags);
        var body = Call(Opcode.Read, writer.Position);
        var reader = new WireReader(body);
        var length = reader.I64();
        var crc = reader.U32();
        reader.U8();
        if (length != destination.Length)
        {
            throw new ProtocolException($"the worker announced {length} bytes for a read of {destination.Length}");
        }

        ReceiveExactly(destination);
        return crc;
    }

    /// <summary>Where a block's file is on this host (Unix socket only).</summary>
    /// <remarks>The worker sends the open block file along (the caller owns it); <c>File</c> is null only from a worker that does not.</remarks>
    public (string Path, long Length, uint Crc, Microsoft.Win32.SafeHandles.SafeFileHandle? File) OpenLocal(BlockRequest request, ReadFlags flags)
    {
        var writer = new WireWriter(_frame.AsSpan(Frame.HeaderSize));
        request.Write(ref writer);
        writer.U8((byte)flags);
        Microsoft.Win32.SafeHandles.SafeFileHandle? file = null;
        try
        {
            var reader = new WireReader(Call(Opcode.OpenLocal, writer.Position, out file));
            var path = reader.Str();
            var length = reader.I64();
            var crc = reader.U32();
            return (path, length, crc, file);
        }
        catch
        {
            file?.Dispose();
            throw;
        }
    }

    /// <summary>Asks the worker to cache <paramref name="count"/> blocks from the request's block on.</summary>
    public int Load(BlockRequest request, int count)
    {
        var writer = new WireWriter(_frame.AsSpan(Frame.HeaderSize));
        request.Write(ref writer);
        writer.I32(count);
        var reader = new WireReader(Call(Opcode.Load, writer.Position));
        return reader.I32();
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    private ReadOnlySpan<byte> Call(Opcode opcode, ReadOnlySpan<byte> body, out int length)
    {
        body.CopyTo(_frame.AsSpan(Frame.HeaderSize));
        var result = Call(opcode, body.Length);
        length = result.Length;
        return result;
    }

    private ReadOnlySpan<byte> Call(Opcode opcode, int bodyLength)
    {
        return Call(opcode, bodyLength, out _, takeFile: false);
    }

    private ReadOnlySpan<byte> Call(Opcode opcode, int bodyLength, out Microsoft.Win32.SafeHandles.SafeFileHandle? file, bool takeFile = true)
    {
        file = null;
        var id = ++_nextId;
        Frame.WriteHeader(_frame, bodyLength, (ushort)opcode, id);
        SocketIo.SendAll(_socket, _frame.AsSpan(0, Frame.HeaderSize + bodyLength));

        if (takeFile && IsLocal)
        {
            if (!FilePassing.TryReceiveExactly(_socket, _frame.AsSpan(0, Frame.HeaderSize), out file))
            {
                throw new IOException("the worker closed the connection");
            }
        }
        else
        {
            ReceiveExactly(_frame.AsSpan(0, Frame.HeaderSize));
        }

        var (length, code, responseId) = Frame.ReadHeader(_frame);
        ReceiveExactly(_frame.AsSpan(Frame.HeaderSize, length));
        if (responseId != id && code == (ushort)Status.Ok)
        {
            throw new ProtocolException($"response {responseId} does not answer request {id}");
        }

        var response = _frame.AsSpan(Frame.HeaderSize, length);
        if (code != (ushort)Status.Ok)
        {
            throw new WorkerRequestException((Status)code, Encoding.UTF8.GetString(response));
        }

        return response;
    }

    private void ReceiveExactly(Span<byte> buffer)
    {
        if (!SocketIo.TryReceiveExactly(_socket, buffer))
        {
            throw new IOException("the worker closed the connection");
        }
    }

    private static IPEndPoint ParseEndpoint(string address)
    {
        if (IPEndPoint.TryParse(address, out var endpoint))
        {
            return endpoint;
        }

        var colon = address.LastIndexOf(':');
        if (colon > 0 && int.TryParse(address[(colon + 1)..], out var port))
        {
            var ip = Dns.GetHostAddresses(address[..colon]).First();
            return new IPEndPoint(ip, port);
        }

        throw new ArgumentException($"worker address {address} is not host:port");
    }
}
