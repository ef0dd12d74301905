using System.Runtime.InteropServices;
using Fluid.Fuse.Native;

namespace Fluid.Fuse;

/// <summary>How a dataset is mounted.</summary>
public sealed class FuseMountOptions
{
    /// <summary>Extra mount options, each as given to -o (e.g. "allow_other" or "max_read=131072,noatime").</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

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

    private void Start(FuseMountOptions options)
    {
        var mountOptions = string.Join(',', new[] { "ro", $"fsname=fluid:{_fileSystem.Dataset}", "subtype=fluid", $"max_read={DefaultMaxRead}" }.Concat(options.Options));
        // The last max_read given wins, as in libfuse's own parsing.
        _fileSystem.MaxRead = mountOptions.Split(',')
            .Where(o => o.StartsWith("max_read=", StringComparison.Ordinal))
            .Select(o => uint.TryParse(o.AsSpan(9), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : DefaultMaxRead)
            .Last();
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
            var ops = FuseOperations.Table();
            _self = GCHandle.Alloc(_fileSystem);
            _session = LibFuse.SessionNew(&args, &ops, (nuint)sizeof(FuseLowLevelOps), GCHandle.ToIntPtr(_self));
            // fuse_opt_parse replaced args with a copy of its own.
            LibFuse.OptFreeArgs(&args);
            if (_session == 0)
            {
                throw new ArgumentException($"libfuse refused the mount options \"{mountOptions}\" (its message is on stderr)");
            }
        }
        finally
        {
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            NativeMemory.Free(vector);
        }

        if (LibFuse.SessionMount(_session, Mountpoint) != 0)
        {
            throw new IOException($"mounting {Mountpoint} failed (libfuse's message is on stderr); is it already a mount point, or is /dev/fuse missing?");
        }

        var maxThreads = (uint)Math.Clamp(options.MaxThreads, 1, 256);
        var session = _session;
        _loop = new Thread(() => RunLoop(session, maxThreads)) { IsBackground = true, Name = $"fuse {Mountpoint}" };
        _loop.Start();
        SetReadahead();
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
    private void SetReadahead()
    {
        if (_fileSystem.Options.ReadaheadBytes <= 0)
        {
            return;
        }

        try
        {
            // stat waits for the kernel's INIT to be answered, after which the bdi's setting sticks.
            if (LibC.Stat(Mountpoint, out var stat) != 0)
            {
                return;
            }

            var major = ((stat.Dev >> 8) & 0xfff) | ((stat.Dev >> 32) & ~0xfffUL);
            var minor = (stat.Dev & 0xff) | ((stat.Dev >> 12) & ~0xffUL);
            File.WriteAllText($"/sys/class/bdi/{major}:{minor}/read_ahead_kb", (_fileSystem.Options.ReadaheadBytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _fileSystem.Log.WriteLine($"fluid fuse: could not raise the readahead of {Mountpoint}: {e.Message}");
        }
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

        if (_session != 0)
        {
            LibFuse.SessionExit(_session);
            if (_loop is not null && !_loop.Join(0))
            {
                // Unmounting aborts the connection, which wakes the loop's threads out of read(2).
                if (LibC.Umount2(Mountpoint, 0) != 0 && Marshal.GetLastPInvokeError() == LibC.EBUSY)
                {
                    LibC.Umount2(Mountpoint, LibC.MntDetach);
                }

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
