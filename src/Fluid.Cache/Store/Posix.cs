using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Store;

/// <summary>The two Linux calls .NET does not expose the way the store needs them.</summary>
internal static partial class Posix
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const uint StatxNeeded = 0x080 | 0x100 | 0x200; // ctime, inode, size
    private const int StatxSize = 256;

    /// <summary>errno of a rename across file systems.</summary>
    public const int CrossDevice = 18;

    /// <summary>
    /// rename(2): 0, or the errno. Unlike <see cref="File.Move(string, string)"/> it never falls back to a
    /// copy, so it is always cheap enough to call under the store's lock.
    /// </summary>
    public static int Rename(string from, string to) =>
        RenameNative(from, to) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>An <see cref="IOException"/> saying what failed and the errno's message.</summary>
    public static IOException Error(int errno, string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}");

    public static unsafe FileIdentity? Stat(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var buffer = stackalloc byte[StatxSize];
            if (StatxNative((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer) != 0)
            {
                return null;
            }

            // struct statx: stx_mask at 0, stx_ino at 32, stx_size at 40, stx_ctime {s64 sec, u32 nsec} at 96,
            // stx_dev_major and stx_dev_minor at 136 and 140; the layout is the same on every architecture.
            if ((*(uint*)buffer & StatxNeeded) != StatxNeeded)
            {
                return null;
            }

            var device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
            return new FileIdentity(device, *(ulong*)(buffer + 32), *(long*)(buffer + 40), *(long*)(buffer + 96), *(uint*)(buffer + 104));
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string from, string to);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxNative(int directory, string path, int flags, uint mask, byte* buffer);
}
