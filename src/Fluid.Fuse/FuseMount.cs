using System.Runtime.InteropServices;
using Fluid.Fuse.Native;

namespace Fluid.Fuse;

/// <summary>How a dataset is mounted.</summary>
public sealed class FuseMountOptions
{
    /// <summary>Extra mount options, each as given to -o (e.g. "allow_other" or "max_read=131072,noatime").</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>Mounted read-write (ReadWriteMany: writes go through to the source); read-only otherwise.</summary>
    public bool ReadWrite { get; init; }

    /// <summary>Threads libfuse may run requests on.</summary>
    public int MaxThreads { get; init; } = 16;
}

/// <summary>
/// A mounted <see cref="DatasetFileSystem"/>: libfuse's multi-threaded loop runs in the foreground on a
/// dedicated thread of this process (never forked off) until <see cref="Dispose"/> unmounts it.
/// </summary>
public sealed unsafe class FuseMount : IDisposable
{
    private const uint DefaultMaxRead = 1 << 20;

    private readonly DatasetFileSystem _fileSystem;
    private readonly TaskCompletionSource<int> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private GCHandle _self;
    private nint _session;
    private Thread? _loop;
    private InheritedConnection? _connection;
    private bool _disposed;

    private FuseMount(string mountpoint, DatasetFileSystem fileSystem)
    {
        Mountpoint = mountpoint;
        _fileSystem = fileSystem;
    }

    /// <summary>The absolute mount point.</summary>
    public string Mountpoint { get; }

    /// <summary>Completes with libfuse's loop result when the mount ends (unmounted here or by someone else).</summary>
    public Task<int> Ended => _ended.Task;

    /// <summary>Mounts <paramref name="fileSystem"/> read-only at <paramref name="mountpoint"/>, cleaning up a stale mount left there by a crashed process first.</summary>
    public static FuseMount Mount(string mountpoint, DatasetFileSystem fileSystem, FuseMountOptions? options = null)
    {
        options ??= new FuseMountOptions();
        mountpoint = Path.GetFullPath(mountpoint).TrimEnd('/');
        if (mountpoint.Length == 0)
        {
            throw new ArgumentException("cannot mount a dataset on /", nameof(mountpoint));
        }

        CleanStale(mountpoint);
        if (!Directory.Exists(mountpoint))
        {
            throw new DirectoryNotFoundException($"mount point {mountpoint} does not exist or is not a directory; create it first");
        }

        var mount = new FuseMount(mountpoint, fileSystem);
        try
        {
            mount.Start(options);
        }
        catch
        {
            mount.Dispose();
            throw;
        }

        return mount;
    }

    /// <summary>Unmounts a mount point whose FUSE server has gone ("Transport endpoint is not connected"); true if there was one.</summary>
    public static bool CleanStale(string mountpoint)
    {
        if (LibC.Stat(mountpoint, out _) == 0 || Marshal.GetLastPInvokeError() != LibC.ENOTCONN)
        {
            return false;
        }

        if (LibC.Umount2(mountpoint, LibC.MntDetach) != 0)
        {
            throw new IOException($"{mountpoint} is a stale FUSE mount (its server is gone) and unmounting it failed with errno {Marshal.GetLastPInvokeError()}; run fusermount3 -u -z {mountpoint}");
        }

        return true;
    }

    /// <summary>
    /// Serves <paramref name="fileSystem"/> on a FUSE connection a <see cref="FuseSupervisor"/> mounted and handed
    /// down: the first server answers the kernel's INIT and records it, a restarted one replays that INIT to
    /// its own libfuse and asks the kernel to resend what the previous server had taken but not answered.
    /// </summary>
    public static FuseMount Serve(InheritedConnection connection, DatasetFileSystem fileSystem, FuseMountOptions? options = null)
    {
        options ??= new FuseMountOptions();
        var mount = new FuseMount(connection.Mountpoint, fileSystem) { _connection = connection };
        try
        {
            mount.CreateSession(options);
            if (LibFuse.SessionMount(mount._session, $"/dev/fd/{connection.Fd}") != 0)
            {
                throw new IOException($"libfuse refused the inherited FUSE descriptor {connection.Fd}");
            }

            mount.Handshake(connection);
            mount.StartLoop(options);
            File.WriteAllText(connection.ServingMarker(Environment.ProcessId), "");
        }
        catch
        {
            mount.Dispose();
            throw;
        }

        return mount;
    }

    /// <summary>The -o string a dataset is mounted with; the supervisor and every server it starts use the same.</summary>
    internal static string OptionString(string dataset, FuseMountOptions options, bool writable) =>
        string.Join(',', new[] { writable ? "rw" : "ro", $"fsname=fluid:{dataset}", "subtype=fluid", $"max_read={DefaultMaxRead}" }.Concat(options.Options));

    /// <summary>A libfuse session for <paramref name="fileSystem"/> (or answering nothing when null) with the dataset's mount options.</summary>
    internal static nint NewSession(string dataset, FuseMountOptions options, DatasetFileSystem? fileSystem, GCHandle self)
    {
        // A file system given a writer is mounted read-write, whatever the options say.
        var mountOptions = OptionString(dataset, options, fileSystem?.Writable ?? options.ReadWrite);
        if (fileSystem is not null)
        {
            // The last max_read given wins, as in libfuse's own parsing.
            fileSystem.MaxRead = mountOptions.Split(',')
                .Where(o => o.StartsWith("max_read=", StringComparison.Ordinal))
                .Select(o => uint.TryParse(o.AsSpan(9), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : DefaultMaxRead)
                .Last();
        }

        string[] argv = ["fluid", "-o", mountOptions];
        var strings = argv.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        var vector = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Length + 1), (nuint)sizeof(nint));
        try
        {
            for (var i = 0; i < strings.Length; i++)
            {
                vector[i] = (byte*)strings[i];
            }

            var args = new FuseArgs { Argc = strings.Length, Argv = vector };
            var ops = fileSystem is null ? default : fileSystem.Writable ? FuseOperations.WritableTable() : FuseOperations.Table();
            var session = LibFuse.SessionNew(&args, &ops, (nuint)sizeof(FuseLowLevelOps), self.IsAllocated ? GCHandle.ToIntPtr(self) : 0);
            // fuse_opt_parse replaced args with a copy of its own.
            LibFuse.OptFreeArgs(&args);
            return session != 0
                ? session
                : throw new ArgumentException($"libfuse refused the mount options \"{mountOptions}\" (its message is on stderr)");
        }
        finally
        {
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            NativeMemory.Free(vector);
        }
    }

    private void CreateSession(FuseMountOptions options)
    {
        _self = GCHandle.Alloc(_fileSystem);
        _session = NewSession(_fileSystem.Dataset, options, _fileSystem, _self);
    }

    private void Start(FuseMountOptions options)
    {
        CreateSession(options);
        if (LibFuse.SessionMount(_session, Mountpoint) != 0)
        {
            throw new IOException($"mounting {Mountpoint} failed (libfuse's message is on stderr); is it already a mount point, or is /dev/fuse missing?");
        }

        StartLoop(options);
        SetReadahead(Mountpoint, _fileSystem.Options.ReadaheadBytes, _fileSystem.Log);
    }

    private void StartLoop(FuseMountOptions options)
    {
        var maxThreads = (uint)Math.Clamp(options.MaxThreads, 1, 256);
        var session = _session;
        _loop = new Thread(() => RunLoop(session, maxThreads)) { IsBackground = true, Name = $"fuse {Mountpoint}" };
        _loop.Start();
    }

    private void Handshake(InheritedConnection connection)
    {
        var record = connection.InitRecord;
        byte[] init;
        if (File.Exists(record))
        {
            init = File.ReadAllBytes(record);
            if (init.Length < FuseKernel.InHeaderSize || BitConverter.ToUInt32(init, 4) != FuseKernel.OpInit)
            {
                throw new IOException($"{record} does not hold a FUSE INIT request; the mount must be made again");
            }

            // The kernel answered INIT long ago: this copy only brings libfuse to the negotiated state, and its
            // reply to a request id the kernel does not know is dropped by the kernel (ENOENT, ignored by libfuse).
            BitConverter.TryWriteBytes(init.AsSpan(8), FuseKernel.ReplayedInitUnique);
            Process(init);
            Resend(connection.Fd);
            _fileSystem.Log.WriteLine($"fluid fuse: resumed serving {Mountpoint} on its open connection ({_fileSystem.ReplayedInodes} node ids replayed)");
            return;
        }

        var buffer = new byte[FuseKernel.ReadBufferSize];
        nint read;
        fixed (byte* bytes = buffer)
        {
            do
            {
                read = LibC.Read(connection.Fd, bytes, (nuint)buffer.Length);
            }
            while (read < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
        }

        if (read < FuseKernel.InHeaderSize)
        {
            throw new IOException($"reading the first request of {Mountpoint} failed (errno {Marshal.GetLastPInvokeError()}); was it unmounted?");
        }

        init = buffer.AsSpan(0, (int)read).ToArray();
        if (BitConverter.ToUInt32(init, 4) == FuseKernel.OpInit)
        {
            // Kept before it is answered: a server killed right after still leaves its successor the negotiation.
            var temporary = record + ".tmp";
            File.WriteAllBytes(temporary, init);
            File.Move(temporary, record, overwrite: true);
        }

        Process(init);
    }

    private void Process(byte[] request)
    {
        fixed (byte* bytes = request)
        {
            var buffer = new FuseBuf { Size = (nuint)request.Length, Mem = bytes, Fd = -1 };
            LibFuse.SessionProcessBuf(_session, &buffer);
        }
    }

    // FUSE_NOTIFY_RESEND (Linux 6.9+): requests the dead server had read but not answered go back to the queue.
    private void Resend(int fd)
    {
        Span<byte> message = stackalloc byte[16];
        BitConverter.TryWriteBytes(message, 16u);
        BitConverter.TryWriteBytes(message[4..], FuseKernel.NotifyResend);
        BitConverter.TryWriteBytes(message[8..], 0UL);
        fixed (byte* bytes = message)
        {
            if (LibC.Write(fd, bytes, 16) != 16)
            {
                _fileSystem.Log.WriteLine($"fluid fuse: the kernel refused FUSE_NOTIFY_RESEND (errno {Marshal.GetLastPInvokeError()}; it needs Linux 6.9+): reads the previous server had taken stay blocked until interrupted");
            }
        }
    }

    private void RunLoop(nint session, uint maxThreads)
    {
        var config = LibFuse.LoopConfigCreate();
        try
        {
            LibFuse.LoopConfigSetMaxThreads(config, maxThreads);
            // Idle threads are never ended: libfuse would otherwise end and start threads all the time under
            // a few concurrent readers, and each new thread has to attach to the runtime (measured: 250+
            // threads started in 4 s of 4-job random 4 KiB reads, ~20 alive at any time).
            LibFuse.LoopConfigSetIdleThreads(config, maxThreads);
            LibFuse.LoopConfigSetCloneFd(config, 0);
            _ended.TrySetResult(LibFuse.SessionLoopMt(session, config));
        }
        catch (Exception e)
        {
            _ended.TrySetException(e);
        }
        finally
        {
            LibFuse.LoopConfigDestroy(config);
        }
    }

    // The kernel caps a FUSE mount's readahead at its bdi's read_ahead_kb (128 KiB by default), whatever init asked for.
    internal static void SetReadahead(string mountpoint, int bytes, TextWriter log)
    {
        if (bytes <= 0)
        {
            return;
        }

        try
        {
            // stat waits for the kernel's INIT to be answered, after which the bdi's setting sticks.
            if (LibC.Stat(mountpoint, out var stat) != 0)
            {
                return;
            }

            var major = ((stat.Dev >> 8) & 0xfff) | ((stat.Dev >> 32) & ~0xfffUL);
            var minor = (stat.Dev & 0xff) | ((stat.Dev >> 12) & ~0xffUL);
            File.WriteAllText($"/sys/class/bdi/{major}:{minor}/read_ahead_kb", (bytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"fluid fuse: could not raise the readahead of {mountpoint}: {e.Message}");
        }
    }

    /// <summary>Unmounts <paramref name="mountpoint"/>, lazily when it is busy; false with the reason logged when that fails too.</summary>
    internal static bool Unmount(string mountpoint, TextWriter log)
    {
        if (LibC.Umount2(mountpoint, 0) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == LibC.EBUSY)
        {
            log.WriteLine($"fluid fuse: {mountpoint} is busy (a process has a file open or its working directory there; see fuser -vm {mountpoint}); detaching it, it goes away when they let go");
            if (LibC.Umount2(mountpoint, LibC.MntDetach) == 0)
            {
                return true;
            }

            error = Marshal.GetLastPInvokeError();
        }

        log.WriteLine($"fluid fuse: unmounting {mountpoint} failed with errno {error}; run fusermount3 -u -z {mountpoint}");
        return false;
    }

    /// <summary>Unmounts and waits for the loop to end.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_session != 0 && _connection is not null)
        {
            // The supervisor owns the mount: this server only stops answering. Its threads sit in read(2) on
            // a descriptor the supervisor keeps open, so they end with the process rather than being joined.
            LibFuse.SessionExit(_session);
            return;
        }

        if (_session != 0)
        {
            LibFuse.SessionExit(_session);
            if (_loop is not null && !_loop.Join(0))
            {
                // Unmounting aborts the connection, which wakes the loop's threads out of read(2).
                Unmount(Mountpoint, _fileSystem.Log);
                if (!_loop.Join(TimeSpan.FromSeconds(30)))
                {
                    throw new IOException($"the FUSE loop of {Mountpoint} did not end within 30 s of unmounting");
                }
            }

            LibFuse.SessionUnmount(_session);
            LibFuse.SessionDestroy(_session);
            _session = 0;
            _fileSystem.Unmounted();
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }
}
