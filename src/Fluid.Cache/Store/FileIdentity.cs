using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Store;

/// <summary>
/// What changes when a file's bytes change: device, inode, size and change time (ctime), which the
/// kernel sets on every write, truncate, rename and attribute change and which no user call can set back.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ChangeSeconds, uint ChangeNanoseconds)
{
    // A file's ctime comes from a clock that ticks every few milliseconds; a change within the same
    // tick as the ctime we saw would leave it as it was. A ctime older than this cannot be repeated.
    private static readonly TimeSpan ClockTick = TimeSpan.FromMilliseconds(20);

    /// <summary>The identity of an open file; null when the kernel does not report it.</summary>
    public static FileIdentity? Of(SafeFileHandle handle) => Posix.Stat(handle);

    /// <summary>
    /// True when any later change to the file must give it another ctime, so an unchanged identity
    /// proves unchanged bytes. Filesystems that keep whole seconds (ctime nanoseconds 0) must be a
    /// second further on.
    /// </summary>
    public bool IsSettled(DateTime nowUtc)
    {
        var change = DateTime.UnixEpoch.AddTicks((ChangeSeconds * TimeSpan.TicksPerSecond) + (ChangeNanoseconds / 100));
        if (ChangeNanoseconds == 0)
        {
            change = change.AddSeconds(1);
        }

        return change < nowUtc - ClockTick;
    }
}
