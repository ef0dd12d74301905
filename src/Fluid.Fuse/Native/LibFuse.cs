using System.Runtime.InteropServices;

namespace Fluid.Fuse.Native;

/// <summary>The libfuse3 low-level API (3.12+ loop configuration).</summary>
internal static unsafe partial class LibFuse
{
    private const string Library = "libfuse3.so.3";

    [LibraryImport(Library, EntryPoint = "fuse_session_new")]
    public static partial nint SessionNew(FuseArgs* args, FuseLowLevelOps* ops, nuint opsSize, nint userdata);

    [LibraryImport(Library, EntryPoint = "fuse_session_mount", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SessionMount(nint session, string mountpoint);

    [LibraryImport(Library, EntryPoint = "fuse_session_loop_mt_312")]
    public static partial int SessionLoopMt(nint session, nint config);

    [LibraryImport(Library, EntryPoint = "fuse_session_fd")]
    public static partial int SessionFd(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_session_process_buf")]
    public static partial void SessionProcessBuf(nint session, FuseBuf* buffer);

    [LibraryImport(Library, EntryPoint = "fuse_session_exit")]
    public static partial void SessionExit(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_session_unmount")]
    public static partial void SessionUnmount(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_session_destroy")]
    public static partial void SessionDestroy(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_opt_free_args")]
    public static partial void OptFreeArgs(FuseArgs* args);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_create")]
    public static partial nint LoopConfigCreate();

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_destroy")]
    public static partial void LoopConfigDestroy(nint config);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_max_threads")]
    public static partial void LoopConfigSetMaxThreads(nint config, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_idle_threads")]
    public static partial void LoopConfigSetIdleThreads(nint config, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_clone_fd")]
    public static partial void LoopConfigSetCloneFd(nint config, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_req_userdata")]
    public static partial nint RequestUserdata(nint request);

    [LibraryImport(Library, EntryPoint = "fuse_reply_err")]
    public static partial int ReplyErr(nint request, int error);

    [LibraryImport(Library, EntryPoint = "fuse_reply_none")]
    public static partial void ReplyNone(nint request);

    [LibraryImport(Library, EntryPoint = "fuse_reply_entry")]
    public static partial int ReplyEntry(nint request, FuseEntryParam* entry);

    [LibraryImport(Library, EntryPoint = "fuse_reply_attr")]
    public static partial int ReplyAttr(nint request, Stat* attr, double attrTimeout);

    [LibraryImport(Library, EntryPoint = "fuse_reply_open")]
    public static partial int ReplyOpen(nint request, FuseFileInfo* info);

    [LibraryImport(Library, EntryPoint = "fuse_reply_write")]
    public static partial int ReplyWrite(nint request, nuint count);

    [LibraryImport(Library, EntryPoint = "fuse_reply_create")]
    public static partial int ReplyCreate(nint request, FuseEntryParam* entry, FuseFileInfo* info);

    [LibraryImport(Library, EntryPoint = "fuse_reply_buf")]
    public static partial int ReplyBuf(nint request, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "fuse_reply_statfs")]
    public static partial int ReplyStatfs(nint request, StatVfs* stat);

    [LibraryImport(Library, EntryPoint = "fuse_add_direntry")]
    public static partial nuint AddDirentry(nint request, byte* buffer, nuint size, byte* name, Stat* stat, long nextOffset);

    [LibraryImport(Library, EntryPoint = "fuse_add_direntry_plus")]
    public static partial nuint AddDirentryPlus(nint request, byte* buffer, nuint size, byte* name, FuseEntryParam* entry, long nextOffset);
}

/// <summary>The few libc calls the mount needs.</summary>
internal static partial class LibC
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EBUSY = 16;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EROFS = 30;
    public const int EINTR = 4;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOSPC = 28;
    public const int ENOTEMPTY = 39;
    public const int ENOSYS = 38;
    public const int ENOTCONN = 107;
    public const int EXDEV = 18;
    public const int ENAMETOOLONG = 36;
    public const int OWrOnly = 1;
    public const int ORdWr = 2;
    public const int MntDetach = 2;
    public const int ORdOnly = 0;
    public const int OAccMode = 3;
    public const int OTrunc = 0x200;

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Stat(string path, out Stat stat);
}
