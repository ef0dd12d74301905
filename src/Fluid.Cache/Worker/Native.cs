using System.Net.Sockets;
using System.Runtime.InteropServices;
using Fluid.Cache.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Worker;

/// <summary>Zero-copy send of a file range to a socket with sendfile(2).</summary>
internal static partial class Native
{
    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/> to the socket.</summary>
    public static void SendFile(Socket socket, SafeFileHandle file, long offset, long count)
    {
        var outFd = (int)socket.SafeHandle.DangerousGetHandle();
        var inFd = (int)file.DangerousGetHandle();
        while (count > 0)
        {
            var sent = SendFile64(outFd, inFd, ref offset, (nint)Math.Min(count, 1 << 30));
            if (sent > 0)
            {
                count -= sent;
                continue;
            }

            if (sent == 0)
            {
                throw new IOException("the block file ended before the announced length");
            }

            FilePassing.WaitOrThrow(socket, SelectMode.SelectWrite, "sendfile");
        }
    }

    [LibraryImport("libc", EntryPoint = "sendfile64", SetLastError = true)]
    private static partial nint SendFile64(int outFd, int inFd, ref long offset, nint count);
}
