using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Protocol;

/// <summary>
/// Passing an open file over a Unix socket (SCM_RIGHTS), so a short-circuit reader can read a worker's
/// block file it cannot see by path: the worker runs in another pod, with its tiers in its own volumes.
/// A peer that receives with a plain recv(2) simply never gets the descriptor (the kernel drops it).
/// </summary>
internal static unsafe partial class FilePassing
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCmsgCloexec = 0x40000000;

    // struct cmsghdr on 64-bit Linux: size_t cmsg_len; int cmsg_level; int cmsg_type; then the data, aligned to 8.
    private const int CmsgHeader = 16;
    private const int CmsgSpace = CmsgHeader + 8;

    /// <summary>Sends every byte of <paramref name="data"/>, with <paramref name="file"/>'s descriptor attached to the first.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> data, SafeHandle file)
    {
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var control = stackalloc byte[CmsgSpace];
            new Span<byte>(control, CmsgSpace).Clear();
            *(ulong*)control = CmsgHeader + sizeof(int);
            *(int*)(control + 8) = SolSocket;
            *(int*)(control + 12) = ScmRights;
            *(int*)(control + CmsgHeader) = (int)file.DangerousGetHandle();
            fixed (byte* bytes = data)
            {
                var iov = new IoVec { Base = bytes, Length = (nuint)data.Length };
                var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = CmsgSpace };
                nint sent;
                while ((sent = SendMessage(Handle(socket), &message, 0)) < 0)
                {
                    WaitOrThrow(socket, SelectMode.SelectWrite, "sendmsg");
                }

                SocketIo.SendAll(socket, data[(int)sent..]);
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/>, taking a descriptor that came with its first bytes (null when none did); false when the peer closed first.</summary>
    public static bool TryReceiveExactly(Socket socket, Span<byte> buffer, out SafeFileHandle? file)
    {
        file = null;
        var control = stackalloc byte[CmsgSpace * 2];
        nint read;
        fixed (byte* bytes = buffer)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)buffer.Length };
            var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = CmsgSpace * 2 };
            if (!socket.Poll(socket.ReceiveTimeout > 0 ? TimeSpan.FromMilliseconds(socket.ReceiveTimeout) : Timeout.InfiniteTimeSpan, SelectMode.SelectRead))
            {
                throw new IOException("the worker did not answer in time");
            }

            while ((read = ReceiveMessage(Handle(socket), &message, MsgCmsgCloexec)) < 0)
            {
                WaitOrThrow(socket, SelectMode.SelectRead, "recvmsg");
            }

            if (message.ControlLength >= CmsgHeader + sizeof(int)
                && *(int*)(control + 8) == SolSocket
                && *(int*)(control + 12) == ScmRights)
            {
                // Only one descriptor is ever sent; a peer sending more gets the extra ones closed.
                var count = (int)((*(ulong*)control - CmsgHeader) / sizeof(int));
                file = new SafeFileHandle(*(int*)(control + CmsgHeader), ownsHandle: true);
                for (var i = 1; i < count; i++)
                {
                    Close(*(int*)(control + CmsgHeader + (i * sizeof(int))));
                }
            }
        }

        if (read == 0 && buffer.Length > 0)
        {
            file?.Dispose();
            file = null;
            return false;
        }

        return SocketIo.TryReceiveExactly(socket, buffer[(int)read..]);
    }

    private static int Handle(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    /// <summary>
    /// After a socket system call failed: returns when it should be tried again (EINTR; EAGAIN once the socket is
    /// ready for <paramref name="mode"/>), throws an <see cref="IOException"/> naming <paramref name="call"/> otherwise.
    /// </summary>
    internal static void WaitOrThrow(Socket socket, SelectMode mode, string call)
    {
        const int EAgain = 11;
        const int EIntr = 4;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EAgain)
        {
            socket.Poll(-1, mode);
        }
        else if (errno != EIntr)
        {
            throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    // struct msghdr on 64-bit Linux.
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint ReceiveMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
