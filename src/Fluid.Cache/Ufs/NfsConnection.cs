using System.Runtime.InteropServices;

namespace Fluid.Cache.Ufs;

/// <summary>
/// One libnfs context with the export mounted: a TCP session to the server. Used by one thread at
/// a time; after a failure that is not about a file (a dropped session, a timeout) it is
/// <see cref="Broken"/> and must be disposed rather than reused.
/// </summary>
internal sealed class NfsConnection : IDisposable
{
    public const int NoEntry = 2;
    public const int Exists = 17;
    public const int NotDirectory = 20;
    public const int IsDirectory = 21;
    public const int NotEmpty = 39;

    // errno values that describe a file, not the session: the context stays usable after them.
    // Not EPERM: libnfs returns a bare -1 when it cannot even queue a request.
    private static readonly HashSet<int> FileErrors = [NoEntry, 13, Exists, 18, NotDirectory, IsDirectory, 22, 27, 28, 30, 36, NotEmpty, 122];

    private readonly string _display;
    private nint _context;

    /// <summary>
    /// libnfs 4 encodes every NFSv4 request into a 4 KiB buffer (the WRITE data included), so a v4
    /// write carries at most this much; the rest of the buffer holds the RPC, credential and file handle.
    /// </summary>
    private const int Version4WriteChunk = 3072;

    private NfsConnection(nint context, string display, int version)
    {
        _context = context;
        _display = display;
        var readMax = LibNfs.nfs_get_readmax(context);
        var writeMax = LibNfs.nfs_get_writemax(context);
        ReadChunk = readMax is > 0 and < (8 << 20) ? (int)readMax : 1 << 20;
        WriteChunk = version == 4 ? Version4WriteChunk : writeMax is > 0 and < (8 << 20) ? (int)writeMax : 1 << 20;
    }

    public nint Context => _context;

    /// <summary>The largest single READ to ask for.</summary>
    public int ReadChunk { get; }

    /// <summary>The largest single WRITE to send.</summary>
    public int WriteChunk { get; }

    public bool Broken { get; private set; }

    /// <summary>Creates a context and mounts the export; throws <see cref="UfsException"/> saying what to fix.</summary>
    private static long _sessions;

    public static NfsConnection Open(NfsSettings settings, string display)
    {
        nint context;
        try
        {
            context = LibNfs.nfs_init_context();
        }
        catch (DllNotFoundException)
        {
            throw new UfsException($"mount '{display}': nfs:// mounts need libnfs 4 (libnfs.so.13); install it (Debian/Ubuntu: apt-get install libnfs13)");
        }

        if (context == 0)
        {
            throw new UfsException($"mount '{display}': libnfs could not create a context");
        }

        try
        {
            if (LibNfs.nfs_set_version(context, settings.Version) != 0)
            {
                throw new UfsException($"mount '{display}': this libnfs does not support NFS version {settings.Version}: {ErrorText(context)}");
            }

            // Every session needs its own NFSv4 client identity: libnfs names them all after the process,
            // and a server that sees one name with a new verifier expires the other sessions' state.
            LibNfs.nfs4_set_client_name(context, $"fluid-{Environment.ProcessId}-{Interlocked.Increment(ref _sessions)}-{Guid.NewGuid():N}");
            LibNfs.nfs_set_timeout(context, settings.TimeoutSeconds * 1000);
            // Our own metadata cache decides freshness; libnfs's directory cache would hide new files.
            LibNfs.nfs_set_dircache(context, 0);
            if (settings.Uid is { } uid)
            {
                LibNfs.nfs_set_uid(context, uid);
            }

            if (settings.Gid is { } gid)
            {
                LibNfs.nfs_set_gid(context, gid);
            }

            if (settings.Port is { } port)
            {
                // libnfs 4 has no nfs_set_nfsport; URL arguments are its way to set the port.
                var url = LibNfs.nfs_parse_url_incomplete(context, $"nfs://?nfsport={port}");
                if (url == 0)
                {
                    throw new UfsException($"mount '{display}': libnfs rejected nfsport {port}: {ErrorText(context)}");
                }

                LibNfs.nfs_destroy_url(url);
            }

            var rc = LibNfs.nfs_mount(context, settings.Server, settings.Export);
            if (rc != 0)
            {
                var text = ErrorText(context);
                throw -rc switch
                {
                    NoEntry => new UfsException(
                        $"mount '{display}': NFS server {settings.ServerDisplay} has no export '{settings.Export}' ({text}); check the mount point's first path segment or option export"),
                    13 => new UfsException(
                        $"mount '{display}': NFS server {settings.ServerDisplay} refused to mount '{settings.Export}' ({text}); check the server's export rules for this client"),
                    _ => new UfsException(
                        $"mount '{display}': cannot reach NFS server {settings.ServerDisplay} ({text}); check the server address, option nfsport and that the server runs NFSv{settings.Version}"),
                };
            }

            return new NfsConnection(context, display, settings.Version);
        }
        catch
        {
            LibNfs.nfs_destroy_context(context);
            throw;
        }
    }

    /// <summary>Throws for a negative libnfs return code, marking the session broken unless the error is about a file.</summary>
    public int Check(int rc, string action, string path)
    {
        if (rc >= 0)
        {
            return rc;
        }

        throw Failure(rc, action, path);
    }

    public UfsException Failure(int rc, string action, string path)
    {
        var errno = -rc;
        if (!FileErrors.Contains(errno))
        {
            Broken = true;
        }

        var what = path.Length == 0 ? "the root" : $"'{path}'";
        var text = ErrorText(_context);
        return errno switch
        {
            NoEntry => new UfsException($"mount '{_display}': cannot {action} {what}: it does not exist ({text})"),
            NotEmpty => new UfsException($"mount '{_display}': cannot {action} {what}: the directory is not empty ({text})"),
            13 => new UfsException($"mount '{_display}': cannot {action} {what}: permission denied ({text}); check the export's access rules or options uid/gid"),
            _ => new UfsException($"mount '{_display}': cannot {action} {what}: {text}"),
        };
    }

    public void Dispose()
    {
        if (_context != 0)
        {
            LibNfs.nfs_destroy_context(_context);
            _context = 0;
        }
    }

    private static string ErrorText(nint context)
    {
        var text = Marshal.PtrToStringUTF8(LibNfs.nfs_get_error(context));
        return string.IsNullOrWhiteSpace(text) ? "no detail from libnfs" : text.Trim();
    }
}
