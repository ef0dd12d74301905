using System.Runtime.InteropServices;

namespace Fluid.Fuse.Native;

// Layouts of libfuse 3.14 and glibc on x86-64; FuseLayoutTests compares them with gcc's.

/// <summary>struct fuse_args.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseArgs
{
    public int Argc;
    public byte** Argv;
    public int Allocated;
}

/// <summary>struct fuse_buf (libfuse 3.14: no mem_size field yet).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseBuf
{
    public nuint Size;
    public int Flags;
    public byte* Mem;
    public int Fd;
    public long Pos;
}

/// <summary>struct stat (x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Stat
{
    public ulong Dev;
    public ulong Ino;
    public ulong Nlink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public int Pad0;
    public ulong Rdev;
    public long Size;
    public long BlockSize;
    public long Blocks;
    public long AccessSeconds;
    public long AccessNanoseconds;
    public long ModifySeconds;
    public long ModifyNanoseconds;
    public long ChangeSeconds;
    public long ChangeNanoseconds;
    public long Reserved0;
    public long Reserved1;
    public long Reserved2;
}

/// <summary>struct statvfs (x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct StatVfs
{
    public ulong BlockSize;
    public ulong FragmentSize;
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public ulong FilesAvailable;
    public ulong FsId;
    public ulong Flags;
    public ulong NameMax;
    public int Spare0;
    public int Spare1;
    public int Spare2;
    public int Spare3;
    public int Spare4;
    public int Spare5;
}

/// <summary>struct fuse_entry_param.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryParam
{
    public ulong Ino;
    public ulong Generation;
    public Stat Attr;
    public double AttrTimeout;
    public double EntryTimeout;
}

/// <summary>struct fuse_file_info; the C bit fields live in <see cref="Bits"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFileInfo
{
    public const uint DirectIo = 1 << 1;
    public const uint KeepCache = 1 << 2;
    public const uint CacheReaddir = 1 << 6;

    public int Flags;
    public uint Bits;
    public uint Padding2;
    public int Pad;
    public ulong Fh;
    public ulong LockOwner;
    public uint PollEvents;
    public int Pad1;
}

/// <summary>struct fuse_conn_info.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseConnInfo
{
    public const uint AsyncRead = 1 << 0;
    public const uint SpliceWrite = 1 << 7;
    public const uint SpliceMove = 1 << 8;
    public const uint SpliceRead = 1 << 9;
    public const uint AutoInvalData = 1 << 12;
    public const uint ReaddirPlus = 1 << 13;
    public const uint ReaddirPlusAuto = 1 << 14;
    public const uint ParallelDirOps = 1 << 18;

    public uint ProtoMajor;
    public uint ProtoMinor;
    public uint MaxWrite;
    public uint MaxRead;
    public uint MaxReadahead;
    public uint Capable;
    public uint Want;
    public uint MaxBackground;
    public uint CongestionThreshold;
    public uint TimeGranularity;
    public fixed uint Reserved[22];
}

/// <summary>struct fuse_lowlevel_ops: one slot per operation, in the header's order; a null slot answers ENOSYS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLowLevelOps
{
    public nint Init;
    public nint Destroy;
    public nint Lookup;
    public nint Forget;
    public nint Getattr;
    public nint Setattr;
    public nint Readlink;
    public nint Mknod;
    public nint Mkdir;
    public nint Unlink;
    public nint Rmdir;
    public nint Symlink;
    public nint Rename;
    public nint Link;
    public nint Open;
    public nint Read;
    public nint Write;
    public nint Flush;
    public nint Release;
    public nint Fsync;
    public nint Opendir;
    public nint Readdir;
    public nint Releasedir;
    public nint Fsyncdir;
    public nint Statfs;
    public nint Setxattr;
    public nint Getxattr;
    public nint Listxattr;
    public nint Removexattr;
    public nint Access;
    public nint Create;
    public nint Getlk;
    public nint Setlk;
    public nint Bmap;
    public nint Ioctl;
    public nint Poll;
    public nint WriteBuf;
    public nint RetrieveReply;
    public nint ForgetMulti;
    public nint Flock;
    public nint Fallocate;
    public nint Readdirplus;
    public nint CopyFileRange;
    public nint Lseek;
}
