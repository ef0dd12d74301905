using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fluid.Cache.Protocol;
using Fluid.Cache.Ufs;
using Microsoft.Extensions.Logging;

namespace Fluid.Cache.Worker;

/// <summary>
/// The worker's data endpoint: the binary protocol over TCP and, for same-host clients, a Unix
/// socket. A thread per connection with blocking sockets keeps sendfile(2) simple: block bytes
/// go from the block file to the socket without passing through this process.
/// </summary>
public sealed class DataServer : IDisposable
{
    private readonly BlockSource _source;
    private readonly byte[] _token;
    private readonly ILogger _log;
    private readonly List<Socket> _listeners = [];
    private readonly HashSet<Socket> _connections = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string? _localSocket;
    private readonly bool _zeroCopy;

    /// <summary>Starts listening on the options' endpoints.</summary>
    public DataServer(BlockSource source, WorkerOptions options, ILogger log)
    {
        _source = source;
        _zeroCopy = options.ZeroCopySend;
        _token = Encoding.UTF8.GetBytes(options.Token);
        _log = log;
        var tcp = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        tcp.Bind(options.Listen);
        tcp.Listen(128);
        Endpoint = (IPEndPoint)tcp.LocalEndPoint!;
        _listeners.Add(tcp);
        if (options.LocalSocket is { } path)
        {
            File.Delete(path);
            var local = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            local.Bind(new UnixDomainSocketEndPoint(path));
            local.Listen(128);
            _listeners.Add(local);
            _localSocket = path;
        }

        foreach (var listener in _listeners)
        {
            new Thread(() => AcceptLoop(listener)) { IsBackground = true, Name = "fluid-accept" }.Start();
        }
    }

    /// <summary>How long a new connection has to say Hello.</summary>
    public static TimeSpan HandshakeTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection may stay silent (between or inside frames) before it is closed.</summary>
    public static TimeSpan IdleTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The bound TCP endpoint.</summary>
    public IPEndPoint Endpoint { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping.Cancel();
        lock (_lock)
        {
            foreach (var socket in _listeners.Concat(_connections))
            {
                socket.Dispose();
            }

            _connections.Clear();
        }

        if (_localSocket is not null)
        {
            File.Delete(_localSocket);
        }

        _stopping.Dispose();
    }

    private void AcceptLoop(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (connection.AddressFamily != AddressFamily.Unix)
            {
                connection.NoDelay = true;
            }

            // A client that stalls mid-frame or never says Hello does not hold a thread for ever.
            connection.ReceiveTimeout = (int)HandshakeTimeout.TotalMilliseconds;

            lock (_lock)
            {
                _connections.Add(connection);
            }

            new Thread(() => Serve(connection)) { IsBackground = true, Name = "fluid-conn" }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        var isLocal = socket.AddressFamily == AddressFamily.Unix;
        var header = new byte[Frame.HeaderSize];
        var body = ArrayPool<byte>.Shared.Rent(Frame.MaxBody);
        try
        {
            if (!Handshake(socket, header, body))
            {
                return;
            }

            socket.ReceiveTimeout = (int)IdleTimeout.TotalMilliseconds;

            while (!_stopping.IsCancellationRequested)
            {
                if (!SocketIo.TryReceiveExactly(socket, header))
                {
                    return;
                }

                var (length, code, requestId) = Frame.ReadHeader(header);
                if (!SocketIo.TryReceiveExactly(socket, body.AsSpan(0, length)))
                {
                    return;
                }

                if (!Dispatch(socket, (Opcode)code, requestId, body.AsSpan(0, length), isLocal))
                {
                    return;
                }
            }
        }
        catch (ProtocolException e)
        {
            _log.LogWarning("closing a connection that broke the protocol: {Reason}", e.Message);
            TrySend(socket, Status.BadRequest, 0, e.Message);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // The peer went away.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
            lock (_lock)
            {
                _connections.Remove(socket);
            }

            socket.Dispose();
        }
    }

    private bool Handshake(Socket socket, byte[] header, byte[] body)
    {
        if (!SocketIo.TryReceiveExactly(socket, header))
        {
            return false;
        }

        var (length, code, requestId) = Frame.ReadHeader(header);
        if (code != (ushort)Opcode.Hello || length > Frame.MaxToken + 8)
        {
            throw new ProtocolException("the first frame must be Hello");
        }

        if (!SocketIo.TryReceiveExactly(socket, body.AsSpan(0, length)))
        {
            return false;
        }

        var reader = new WireReader(body.AsSpan(0, length));
        var version = reader.U8();
        var token = reader.Bytes();
        reader.End();
        if (version != Frame.Version)
        {
            throw new ProtocolException($"protocol version {version} is not supported; this worker speaks {Frame.Version}");
        }

        if (!CryptographicOperations.FixedTimeEquals(token, _token))
        {
            _log.LogWarning("refused a client with a wrong or missing token");
            TrySend(socket, Status.Unauthorized, requestId, "wrong or missing token; give the runtime's token");
            return false;
        }

        Send(socket, Status.Ok, requestId, []);
        return true;
    }

    private bool Dispatch(Socket socket, Opcode opcode, uint requestId, ReadOnlySpan<byte> body, bool isLocal)
    {
        var reader = new WireReader(body);
        switch (opcode)
        {
            case Opcode.Read:
                {
                    var request = BlockRequest.Read(ref reader, _source.BlockSize);
                    var offset = reader.I32();
                    var length = reader.I32();
                    var flags = (ReadFlags)reader.U8();
                    reader.End();
                    var blockLength = request.BlockLength(_source.BlockSize);
                    if (offset < 0 || length < 0 || (long)offset + length > blockLength)
                    {
                        throw new ProtocolException($"range {offset}+{length} is outside block {request.BlockIndex} of {blockLength} bytes");
                    }

                    return Run(socket, requestId, request, flags, block =>
                    {
                        Span<byte> head = stackalloc byte[13];
                        var writer = new WireWriter(head);
                        writer.I64(length);
                        writer.U32(block.Crc);
                        writer.U8(block.FromSource ? (byte)1 : (byte)0);
                        Send(socket, Status.Ok, requestId, head);
                        if (block.File is { } file)
                        {
                            Native.SendFile(socket, file.Handle, offset, length);
                        }
                        else
                        {
                            SocketIo.SendAll(socket, block.Memory.Slice(offset, length));
                        }

                        _source.Counters.Served(block.FromSource, length, isLocal);
                    });
                }

            case Opcode.OpenLocal:
                {
                    var request = BlockRequest.Read(ref reader, _source.BlockSize);
                    var flags = (ReadFlags)reader.U8();
                    reader.End();
                    if (!isLocal)
                    {
                        Send(socket, Status.NotLocal, requestId, Encoding.UTF8.GetBytes("short-circuit reads need the worker's Unix socket"));
                        return true;
                    }

                    return Run(socket, requestId, request, flags & ~ReadFlags.NoCache, block =>
                    {
                        if (block.File is not { } file)
                        {
                            Send(socket, Status.SourceError, requestId, Encoding.UTF8.GetBytes("the block could not be cached"));
                            return;
                        }

                        var response = new byte[Encoding.UTF8.GetMaxByteCount(file.Path.Length) + 32];
                        var writer = new WireWriter(response);
                        writer.Str(file.Path);
                        writer.I64(file.Length);
                        writer.U32(file.Crc);
                        writer.U8(block.FromSource ? (byte)1 : (byte)0);
                        // The block file's descriptor travels with the answer: the reader may be in another pod that cannot see the path.
                        SendWithFile(socket, requestId, response.AsSpan(0, writer.Position), file.Handle);
                        _source.Counters.Served(block.FromSource, file.Length, local: true);
                    });
                }

            case Opcode.Load:
                {
                    var request = BlockRequest.Read(ref reader, _source.BlockSize);
                    var count = reader.I32();
                    reader.End();
                    if (count is < 1 or > 1 << 20)
                    {
                        throw new ProtocolException($"cannot load {count} blocks in one request");
                    }

                    return Answer(socket, requestId, () =>
                    {
                        var loaded = _source.LoadAsync(request, count, _stopping.Token).GetAwaiter().GetResult();
                        Span<byte> response = stackalloc byte[4];
                        new WireWriter(response).I32(loaded);
                        Send(socket, Status.Ok, requestId, response);
                    });
                }

            case Opcode.Stats:
                reader.End();
                Send(socket, Status.Ok, requestId, JsonSerializer.SerializeToUtf8Bytes(_source.Counters));
                return true;

            default:
                throw new ProtocolException($"unknown opcode {(ushort)opcode}");
        }
    }

    private bool Run(Socket socket, uint requestId, BlockRequest request, ReadFlags flags, Action<BlockData> send) =>
        Answer(socket, requestId, () =>
        {
            if (request.Dataset != _source.Tree.Name)
            {
                Send(socket, Status.NotFound, requestId, Encoding.UTF8.GetBytes($"this worker serves dataset {_source.Tree.Name}, not {request.Dataset}"));
                return;
            }

            using var block = _source.GetAsync(request, flags, _stopping.Token).GetAwaiter().GetResult();
            send(block);
        });

    // Errors of the source are answers, not broken connections.
    private bool Answer(Socket socket, uint requestId, Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is SourceChangedException or UfsVersionChangedException)
        {
            Send(socket, Status.VersionChanged, requestId, Encoding.UTF8.GetBytes(e.Message));
        }
        catch (FileNotFoundException e)
        {
            Send(socket, Status.NotFound, requestId, Encoding.UTF8.GetBytes(e.Message));
        }
        catch (UfsException e)
        {
            _log.LogWarning("source error: {Message}", e.Message);
            Send(socket, Status.SourceError, requestId, Encoding.UTF8.GetBytes(e.Message));
        }

        return true;
    }

    private static void Send(Socket socket, Status status, uint requestId, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[Frame.HeaderSize];
        Frame.WriteHeader(header, body.Length, (ushort)status, requestId);
        SocketIo.SendAll(socket, header);
        SocketIo.SendAll(socket, body);
    }

    // An Ok answer whose frame carries an open file (SCM_RIGHTS); header and body go in one message so the file arrives with the header.
    private static void SendWithFile(Socket socket, uint requestId, ReadOnlySpan<byte> body, SafeHandle file)
    {
        var frame = new byte[Frame.HeaderSize + body.Length];
        Frame.WriteHeader(frame, body.Length, (ushort)Status.Ok, requestId);
        body.CopyTo(frame.AsSpan(Frame.HeaderSize));
        FilePassing.Send(socket, frame, file);
    }

    private static void TrySend(Socket socket, Status status, uint requestId, string message)
    {
        try
        {
            var bytes = Encoding.UTF8.GetBytes(message);
            Send(socket, status, requestId, bytes.AsSpan(0, Math.Min(bytes.Length, 1024)));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void ReadExactly(Store.BlockReader file, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(file.Handle, buffer, offset);
            if (read <= 0)
            {
                throw new IOException($"block file {file.Id} ended before the announced length");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
