using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Ufs;

/// <summary>What <c>statx</c> says about a file: enough for a version (size, mtime, inode).</summary>
internal readonly record struct LinuxFileStatus(bool IsDirectory, bool IsRegularFile, long Size, DateTimeOffset ModifiedTime, ulong Inode)
{
    /// <summary>size-mtimeTicks-inode: changes when a file is rewritten in place or replaced by another.</summary>
    public string Version => FormattableString.Invariant($"{Size}-{ModifiedTime.UtcTicks}-{Inode}");
}

/// <summary>The few Linux calls .NET does not expose: statx (for the inode) and realpath.</summary>
internal static partial class LinuxFiles
{
    private const string LibC = "libc.so.6";
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int SIfMt = 0xF000;
    private const int SIfDir = 0x4000;
    private const int SIfReg = 0x8000;

    /// <summary>errno values the connectors tell apart.</summary>
    public const int ENoEnt = 2;
    public const int EAcces = 13;
    public const int ENotDir = 20;
    public const int ELoop = 40;
    public const int EXDev = 18;
    public const int EIsDir = 21;
    public const int EInval = 22;
    public const int ENotEmpty = 39;
    public const int EExist = 17;

    // struct statx has the same layout on every Linux architecture; only the fields read here are declared.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
    }

    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(LibC, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPath(string path, IntPtr resolved);

    [LibraryImport(LibC, EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);

    [LibraryImport(LibC, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string from, string to);

    /// <summary>rename(2): atomic, replaces a file or an empty directory; the errno on failure, 0 on success.</summary>
    public static int Rename(string from, string to) => RenameNative(from, to) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The path an open file was opened at, as the kernel resolved it (symlinks followed).</summary>
    public static string? OpenedPath(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            return new FileInfo(FormattableString.Invariant($"/proc/self/fd/{fd}")).LinkTarget;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Stat following symlinks; the errno on failure.</summary>
    public static bool TryStat(string path, out LinuxFileStatus status, out int errno)
    {
        var rc = Statx(AtFdCwd, path, 0, StatxBasicStats, out var buffer);
        errno = rc == 0 ? 0 : Marshal.GetLastPInvokeError();
        status = rc == 0 ? ToStatus(buffer) : default;
        return rc == 0;
    }

    /// <summary>Stat of an open file: the file read through this handle, whatever its path names now.</summary>
    public static LinuxFileStatus Stat(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            if (Statx(fd, "", AtEmptyPath, StatxBasicStats, out var buffer) != 0)
            {
                throw new IOException($"statx of an open file failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return ToStatus(buffer);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The canonical path with every symlink resolved; null with the errno when it cannot be resolved.</summary>
    public static string? TryRealPath(string path, out int errno)
    {
        var resolved = RealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        try
        {
            errno = 0;
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    private static LinuxFileStatus ToStatus(in StatxBuffer b)
    {
        var type = b.Mode & SIfMt;
        var ticks = (b.MtimeSeconds * TimeSpan.TicksPerSecond) + (b.MtimeNanoseconds / 100);
        return new LinuxFileStatus(
            type == SIfDir,
            type == SIfReg,
            type == SIfDir ? 0 : (long)b.Size,
            new DateTimeOffset(DateTime.UnixEpoch.Ticks + ticks, TimeSpan.Zero),
            b.Inode);
    }
}
