using System.Runtime.InteropServices;

namespace Fluid.Cache.Ufs;

/// <summary>
/// The synchronous API of libnfs 4 (Debian's libnfs13). A context is one TCP session with one
/// mounted export and must not be used by two threads at once.
/// </summary>
internal static partial class LibNfs
{
    private const string Library = "libnfs.so.13";

    public const int ReadOnly = 0x0;
    public const int WriteOnly = 0x1;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int Truncate = 0x200;

    public const uint TypeMask = 0xF000;
    public const uint TypeDirectory = 0x4000;

    [StructLayout(LayoutKind.Sequential)]
    public struct Stat64
    {
        public ulong Dev;
        public ulong Ino;
        public ulong Mode;
        public ulong Nlink;
        public ulong Uid;
        public ulong Gid;
        public ulong Rdev;
        public ulong Size;
        public ulong Blksize;
        public ulong Blocks;
        public ulong Atime;
        public ulong Mtime;
        public ulong Ctime;
        public ulong AtimeNsec;
        public ulong MtimeNsec;
        public ulong CtimeNsec;
        public ulong Used;
    }

    /// <summary>The head of <c>struct nfsdirent</c>; only the name is read (its inode is unset over NFSv4 in libnfs 4).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DirentHead
    {
        public nint Next;
        public nint Name;
    }

    /// <summary>Mirrors <c>struct nfs_url</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Url
    {
        public nint Server;
        public nint Path;
        public nint File;
    }

    [LibraryImport(Library)]
    public static partial nint nfs_init_context();

    [LibraryImport(Library)]
    public static partial void nfs_destroy_context(nint nfs);

    [LibraryImport(Library)]
    public static partial nint nfs_get_error(nint nfs);

    [LibraryImport(Library)]
    public static partial int nfs_set_version(nint nfs, int version);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void nfs4_set_client_name(nint nfs, string clientName);

    [LibraryImport(Library)]
    public static partial void nfs_set_timeout(nint nfs, int milliseconds);

    [LibraryImport(Library)]
    public static partial void nfs_set_dircache(nint nfs, int enabled);

    [LibraryImport(Library)]
    public static partial void nfs_set_uid(nint nfs, int uid);

    [LibraryImport(Library)]
    public static partial void nfs_set_gid(nint nfs, int gid);

    /// <summary>Parses URL arguments into the context; the only way to set the NFS port in libnfs 4.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint nfs_parse_url_incomplete(nint nfs, string url);

    [LibraryImport(Library)]
    public static partial void nfs_destroy_url(nint url);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_mount(nint nfs, string server, string exportName);

    [LibraryImport(Library)]
    public static partial ulong nfs_get_readmax(nint nfs);

    [LibraryImport(Library)]
    public static partial ulong nfs_get_writemax(nint nfs);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_stat64(nint nfs, string path, out Stat64 st);

    [LibraryImport(Library)]
    public static partial int nfs_fstat64(nint nfs, nint fh, out Stat64 st);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_open(nint nfs, string path, int flags, out nint fh);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_create(nint nfs, string path, int flags, int mode, out nint fh);

    [LibraryImport(Library)]
    public static unsafe partial int nfs_pread(nint nfs, nint fh, ulong offset, ulong count, byte* buffer);

    [LibraryImport(Library)]
    public static unsafe partial int nfs_pwrite(nint nfs, nint fh, ulong offset, ulong count, byte* buffer);

    [LibraryImport(Library)]
    public static partial int nfs_close(nint nfs, nint fh);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_unlink(nint nfs, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_rmdir(nint nfs, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_mkdir(nint nfs, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_rename(nint nfs, string oldPath, string newPath);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nfs_opendir(nint nfs, string path, out nint dir);

    [LibraryImport(Library)]
    public static partial nint nfs_readdir(nint nfs, nint dir);

    [LibraryImport(Library)]
    public static partial void nfs_closedir(nint nfs, nint dir);
}
