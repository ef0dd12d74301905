using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fluid.Fuse.Native;

/// <summary>
/// The [UnmanagedCallersOnly] entry points libfuse calls. Each finds its file system through the
/// session's user data and never lets an exception reach native code: the file system's own
/// errno, or EIO after logging the exception.
/// </summary>
internal static unsafe class FuseOperations
{
    public static FuseLowLevelOps Table() => new()
    {
        Init = (nint)(delegate* unmanaged[Cdecl]<nint, FuseConnInfo*, void>)&Init,
        Lookup = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, void>)&Lookup,
        Forget = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, ulong, void>)&Forget,
        Getattr = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, FuseFileInfo*, void>)&Getattr,
        Open = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, FuseFileInfo*, void>)&Open,
        Read = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, nuint, long, FuseFileInfo*, void>)&Read,
        Release = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, FuseFileInfo*, void>)&Release,
        Opendir = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, FuseFileInfo*, void>)&Opendir,
        Readdir = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, nuint, long, FuseFileInfo*, void>)&Readdir,
        Readdirplus = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, nuint, long, FuseFileInfo*, void>)&Readdirplus,
        Releasedir = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, FuseFileInfo*, void>)&Releasedir,
        Statfs = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, void>)&Statfs,
    };

    /// <summary>The table of a read-write mount: the read-only one and the operations that change the source.</summary>
    public static FuseLowLevelOps WritableTable()
    {
        var ops = Table();
        ops.Create = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, uint, FuseFileInfo*, void>)&Create;
        ops.Write = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, nuint, long, FuseFileInfo*, void>)&Write;
        ops.Flush = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, FuseFileInfo*, void>)&Flush;
        ops.Fsync = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, int, FuseFileInfo*, void>)&Fsync;
        ops.Setattr = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, Stat*, int, FuseFileInfo*, void>)&Setattr;
        ops.Mkdir = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, uint, void>)&Mkdir;
        ops.Unlink = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, void>)&Unlink;
        ops.Rmdir = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, void>)&Rmdir;
        ops.Rename = (nint)(delegate* unmanaged[Cdecl]<nint, ulong, byte*, ulong, byte*, uint, void>)&Rename;
        return ops;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Create(nint request, ulong parent, byte* name, uint mode, FuseFileInfo* info) =>
        Run(request, "create", fs => fs.Create(request, parent, Name(name), info));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Write(nint request, ulong ino, byte* data, nuint size, long offset, FuseFileInfo* info) =>
        Run(request, "write", fs => fs.Write(request, info->Fh, new ReadOnlySpan<byte>(data, (int)Math.Min(size, int.MaxValue)), offset));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Flush(nint request, ulong ino, FuseFileInfo* info) =>
        Run(request, "flush", fs => Replied(request, fs.Flush(info->Fh)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Fsync(nint request, ulong ino, int dataOnly, FuseFileInfo* info) =>
        Run(request, "fsync", fs => Replied(request, fs.Flush(info->Fh)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Setattr(nint request, ulong ino, Stat* attributes, int toSet, FuseFileInfo* info) =>
        Run(request, "setattr", fs => fs.Setattr(request, ino, attributes, toSet, info));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Mkdir(nint request, ulong parent, byte* name, uint mode) =>
        Run(request, "mkdir", fs => fs.Mkdir(request, parent, Name(name)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Unlink(nint request, ulong parent, byte* name) =>
        Run(request, "unlink", fs => Replied(request, fs.Unlink(parent, Name(name), directory: false)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Rmdir(nint request, ulong parent, byte* name) =>
        Run(request, "rmdir", fs => Replied(request, fs.Unlink(parent, Name(name), directory: true)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Rename(nint request, ulong parent, byte* name, ulong newParent, byte* newName, uint flags) =>
        Run(request, "rename", fs => Replied(request, fs.Rename(parent, Name(name), newParent, Name(newName), flags)));

    private static string Name(byte* name) => Marshal.PtrToStringUTF8((nint)name)!;

    // An operation that answers with an errno only (0 included): the reply is made here.
    private static int Replied(nint request, int error)
    {
        LibFuse.ReplyErr(request, error);
        return 0;
    }

    private static void Run(nint request, string operation, Func<DatasetFileSystem, int> action)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, action(fs));
        }
        catch (Exception e)
        {
            Fail(request, fs, operation, e);
        }
    }

    private static DatasetFileSystem Of(nint request) =>
        (DatasetFileSystem)GCHandle.FromIntPtr(LibFuse.RequestUserdata(request)).Target!;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Init(nint userdata, FuseConnInfo* conn)
    {
        try
        {
            ((DatasetFileSystem)GCHandle.FromIntPtr(userdata).Target!).Init(conn);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"fluid fuse: init failed: {e}");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Lookup(nint request, ulong parent, byte* name)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Lookup(request, parent, Marshal.PtrToStringUTF8((nint)name)!));
        }
        catch (Exception e)
        {
            Fail(request, fs, "lookup", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Forget(nint request, ulong ino, ulong count)
    {
        try
        {
            Of(request).Forget(ino, count);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"fluid fuse: forget failed: {e}");
        }

        LibFuse.ReplyNone(request);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Getattr(nint request, ulong ino, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Getattr(request, ino));
        }
        catch (Exception e)
        {
            Fail(request, fs, "getattr", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Open(nint request, ulong ino, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Open(request, ino, info));
        }
        catch (Exception e)
        {
            Fail(request, fs, "open", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Read(nint request, ulong ino, nuint size, long offset, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Read(request, ino, info->Fh, (int)Math.Min(size, int.MaxValue), offset));
        }
        catch (Exception e)
        {
            Fail(request, fs, "read", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Release(nint request, ulong ino, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            LibFuse.ReplyErr(request, fs.Release(info->Fh));
        }
        catch (Exception e)
        {
            Fail(request, fs, "release", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Opendir(nint request, ulong ino, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Opendir(request, ino, info));
        }
        catch (Exception e)
        {
            Fail(request, fs, "opendir", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Readdir(nint request, ulong ino, nuint size, long offset, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Readdir(request, ino, info->Fh, (int)Math.Min(size, 1 << 20), offset, plus: false));
        }
        catch (Exception e)
        {
            Fail(request, fs, "readdir", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Readdirplus(nint request, ulong ino, nuint size, long offset, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Readdir(request, ino, info->Fh, (int)Math.Min(size, 1 << 20), offset, plus: true));
        }
        catch (Exception e)
        {
            Fail(request, fs, "readdirplus", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Releasedir(nint request, ulong ino, FuseFileInfo* info)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            fs.Releasedir(info->Fh);
            LibFuse.ReplyErr(request, 0);
        }
        catch (Exception e)
        {
            Fail(request, fs, "releasedir", e);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Statfs(nint request, ulong ino)
    {
        DatasetFileSystem? fs = null;
        try
        {
            fs = Of(request);
            Finish(request, fs.Statfs(request));
        }
        catch (Exception e)
        {
            Fail(request, fs, "statfs", e);
        }
    }

    // The operation replied itself when it returned 0; otherwise its errno is the reply.
    private static void Finish(nint request, int error)
    {
        if (error != 0)
        {
            LibFuse.ReplyErr(request, error);
        }
    }

    private static void Fail(nint request, DatasetFileSystem? fs, string operation, Exception e)
    {
        var error = DatasetFileSystem.ErrorOf(e);
        try
        {
            if (error == LibC.EIO)
            {
                (fs?.Log ?? Console.Error).WriteLine($"fluid fuse: {operation} failed: {e}");
            }
        }
        catch (IOException)
        {
            // Nowhere left to log to; the caller still gets its errno.
        }

        LibFuse.ReplyErr(request, error);
    }
}
