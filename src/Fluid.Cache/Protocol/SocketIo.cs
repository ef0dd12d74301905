using System.Net.Sockets;

namespace Fluid.Cache.Protocol;

/// <summary>Whole-buffer sends and receives on a blocking socket, shared by both ends of the data protocol.</summary>
public static class SocketIo
{
    /// <summary>Sends every byte of <paramref name="data"/>.</summary>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            data = data[socket.Send(data)..];
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the peer closed the connection first.</summary>
    public static bool TryReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var read = socket.Receive(buffer);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }
}
