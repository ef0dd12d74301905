using System.Diagnostics;
using System.Runtime.InteropServices;
using Fluid.Fuse.Native;

namespace Fluid.Fuse;

/// <summary>
/// Keeps a dataset's FUSE connection open while the server behind it comes and goes: it mounts, holds the
/// /dev/fuse descriptor, and starts a server process that inherits it. When the server dies (a crash, a
/// SIGKILL, an upgrade) the mount stays in place, callers wait instead of failing with "Transport endpoint
/// is not connected", and a new server takes over the same connection.
/// </summary>
public sealed class FuseSupervisor : IDisposable
{
    private readonly TextWriter _log;
    private readonly DirectoryInfo _state;
    private nint _session;
    private bool _unmounted;

    private FuseSupervisor(string mountpoint, nint session, int fd, DirectoryInfo state, TextWriter log)
    {
        Mountpoint = mountpoint;
        _session = session;
        _state = state;
        _log = log;
        Connection = new InheritedConnection(fd, mountpoint, state.FullName);
    }

    /// <summary>The absolute mount point.</summary>
    public string Mountpoint { get; }

    /// <summary>What each server inherits.</summary>
    public InheritedConnection Connection { get; }

    /// <summary>Servers started after the first.</summary>
    public int Restarts { get; private set; }

    /// <summary>The variables a server process needs in its environment to serve this mount.</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment => Connection.ServerEnvironment();

    /// <summary>Mounts the dataset at <paramref name="mountpoint"/> (cleaning up a stale mount first) and keeps its connection.</summary>
    public static FuseSupervisor Mount(string mountpoint, string dataset, FuseMountOptions? options = null, TextWriter? log = null)
    {
        options ??= new FuseMountOptions();
        log ??= Console.Error;
        mountpoint = Path.GetFullPath(mountpoint).TrimEnd('/');
        if (mountpoint.Length == 0)
        {
            throw new ArgumentException("cannot mount a dataset on /", nameof(mountpoint));
        }

        FuseMount.CleanStale(mountpoint);
        if (!Directory.Exists(mountpoint))
        {
            throw new DirectoryNotFoundException($"mount point {mountpoint} does not exist or is not a directory; create it first");
        }

        var session = FuseMount.NewSession(dataset, options, null, default);
        if (LibFuse.SessionMount(session, mountpoint) != 0)
        {
            LibFuse.SessionDestroy(session);
            throw new IOException($"mounting {mountpoint} failed (libfuse's message is on stderr); is it already a mount point, or is /dev/fuse missing?");
        }

        // libfuse opened /dev/fuse close-on-exec; the copy servers inherit is not.
        var fd = LibC.Dup(LibFuse.SessionFd(session));
        if (fd < 0)
        {
            LibFuse.SessionUnmount(session);
            LibFuse.SessionDestroy(session);
            throw new IOException($"duplicating the FUSE descriptor of {mountpoint} failed with errno {Marshal.GetLastPInvokeError()}");
        }

        var prefix = StatePrefix(mountpoint);
        RemoveAbandonedStates(prefix, log);
        var state = Directory.CreateTempSubdirectory(prefix);
        return new FuseSupervisor(mountpoint, session, fd, state, log);
    }

    /// <summary>
    /// How the names of a mount point's state directories (in the temp directory) begin: a supervisor killed
    /// with SIGKILL leaves its directory behind, and the next one for the same mount point removes it.
    /// </summary>
    public static string StatePrefix(string mountpoint)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(mountpoint).TrimEnd('/')));
        return $"fluid-fuse-{Convert.ToHexStringLower(hash)[..16]}-";
    }

    // A state directory is abandoned when no server process it names as serving is alive.
    private static void RemoveAbandonedStates(string prefix, TextWriter log)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), prefix + "*"))
        {
            try
            {
                var live = Directory.GetFiles(directory, "serving.*")
                    .Any(f => int.TryParse(Path.GetExtension(f).TrimStart('.'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && Directory.Exists($"/proc/{pid}"));
                if (!live)
                {
                    Directory.Delete(directory, recursive: true);
                    log.WriteLine($"removed {directory}, left by an earlier supervisor of this mount point");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.WriteLine($"could not remove {directory}, left by an earlier supervisor of this mount point: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Runs servers until <paramref name="stop"/> fires (then unmounts) or the mount goes away. Once a server
    /// serves, a standby is started next to it (connected, idle); when the serving one ends while the mount is in
    /// place, the standby is told to take over (<see cref="TakeOverCommand"/> on its standard input) and another
    /// standby is started. Without a live standby a new server is started, with a growing pause if servers keep
    /// failing before they serve. A server that fails before the mount ever answered ends the run: the mount is
    /// removed and its exit code returned. <paramref name="startServer"/> gets true for a standby; the process
    /// must have its standard input redirected.
    /// </summary>
    public async Task<int> RunAsync(Func<bool, Process> startServer, int readaheadBytes, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(startServer);
        var quickFailures = 0;
        var standbyFailures = 0;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stop.Register(() => stopped.TrySetResult());
        var server = startServer(false);
        Process? standby = null;
        // stat of the mount point waits for the server to answer INIT; then the bdi takes the readahead.
        _ = Task.Run(() => FuseMount.SetReadahead(Mountpoint, readaheadBytes, _log), CancellationToken.None);
        try
        {
            while (true)
            {
                if (standby is { HasExited: true })
                {
                    standbyFailures++;
                    _log.WriteLine($"fluid fuse: the standby server (pid {standby.Id}) exited with {Describe(standby.ExitCode)}"
                        + (standbyFailures >= 3 ? "; running without a standby from now on" : ""));
                    standby.Dispose();
                    standby = null;
                }

                if (standby is null && standbyFailures < 3 && File.Exists(Connection.ServingMarker(server.Id)))
                {
                    standby = startServer(true);
                }

                var exited = server.WaitForExitAsync(CancellationToken.None);
                await Task.WhenAny(exited, stopped.Task, Task.Delay(standby is null ? 200 : 2000, CancellationToken.None)).ConfigureAwait(false);
                if (stopped.Task.IsCompleted)
                {
                    Unmount();
                    Stop(standby);
                    if (!server.WaitForExit(TimeSpan.FromSeconds(15)))
                    {
                        server.Kill(entireProcessTree: true);
                    }

                    return 0;
                }

                if (!server.HasExited)
                {
                    continue;
                }

                var code = server.ExitCode;
                if (!IsMounted(Mountpoint))
                {
                    _log.WriteLine($"fluid fuse: {Mountpoint} was unmounted from outside; stopping");
                    _unmounted = true;
                    Stop(standby);
                    return code;
                }

                if (!File.Exists(Connection.InitRecord))
                {
                    _log.WriteLine($"fluid fuse: the server exited with code {code} before it could serve {Mountpoint}; unmounting");
                    Unmount();
                    Stop(standby);
                    return code == 0 ? 1 : code;
                }

                // Pause only between servers that die before they serve (a crash loop), not after a kill of a working one.
                var served = File.Exists(Connection.ServingMarker(server.Id));
                File.Delete(Connection.ServingMarker(server.Id));
                quickFailures = served ? 0 : quickFailures + 1;
                Restarts++;
                var dead = server.Id;
                server.Dispose();
                if (standby is { HasExited: false } && TryTakeOver(standby))
                {
                    _log.WriteLine($"fluid fuse: the server of {Mountpoint} (pid {dead}) exited with {Describe(code)}; standby server pid {standby.Id} takes over the connection (restart {Restarts})");
                    server = standby;
                    standby = null;
                    continue;
                }

                var pause = quickFailures <= 1 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(10_000, 100 << Math.Min(quickFailures, 10)));
                _log.WriteLine($"fluid fuse: the server of {Mountpoint} (pid {dead}) exited with {Describe(code)}; starting another on the same connection"
                    + (pause > TimeSpan.Zero ? $" in {pause.TotalSeconds:0.#} s" : "") + $" (restart {Restarts})");
                if (pause > TimeSpan.Zero)
                {
                    await Task.WhenAny(Task.Delay(pause, CancellationToken.None), stopped.Task).ConfigureAwait(false);
                }

                server = startServer(false);
            }
        }
        finally
        {
            server.Dispose();
            standby?.Dispose();
        }
    }

    /// <summary>The line a standby server waits for on its standard input before it takes the connection over.</summary>
    public const string TakeOverCommand = "serve";

    private static bool TryTakeOver(Process standby)
    {
        try
        {
            standby.StandardInput.WriteLine(TakeOverCommand);
            standby.StandardInput.Flush();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    // A standby exits when its standard input closes.
    private static void Stop(Process? standby)
    {
        if (standby is null || standby.HasExited)
        {
            return;
        }

        standby.StandardInput.Close();
        if (!standby.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            standby.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Whether <paramref name="mountpoint"/> is a fluid FUSE mount now (read from /proc/self/mountinfo: never blocks on the mount).</summary>
    public static bool IsMounted(string mountpoint)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            var fields = line.Split(' ');
            if (separator < 0 || fields.Length < 5)
            {
                continue;
            }

            var type = line[(separator + 3)..].Split(' ')[0];
            if (type == "fuse.fluid" && Unescape(fields[4]) == mountpoint)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Unmounts (if the mount is still there), closes the connection and removes the servers' state.</summary>
    public void Dispose()
    {
        Unmount();
        if (_session != 0)
        {
            LibFuse.SessionDestroy(_session);
            _session = 0;
            LibC.Close(Connection.Fd);
        }

        try
        {
            _state.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Unmount()
    {
        if (!_unmounted && IsMounted(Mountpoint))
        {
            FuseMount.Unmount(Mountpoint, _log);
        }

        _unmounted = true;
    }

    private static string Describe(int code) => code > 128 && code < 160 ? $"signal {code - 128}" : $"code {code}";

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field.AsSpan(i + 1, 3)))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(ReadOnlySpan<char> digits) => digits.Length == 3 && digits[0] is >= '0' and <= '7' && digits[1] is >= '0' and <= '7' && digits[2] is >= '0' and <= '7';
}
