using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Fluid.Cli.Tests;

/// <summary>`fluid cache fuse` as a real process tree (supervisor and server) on a real mount.</summary>
public sealed partial class FuseCommandTests : IDisposable
{
    private readonly CacheCluster _cluster = new("fluid-fuse-cli-");
    private readonly string _mountpoint;
    private FluidDaemon? _fuse;

    public FuseCommandTests()
    {
        _mountpoint = Path.Combine(_cluster.Directory, "mnt");
        Directory.CreateDirectory(_mountpoint);
    }

    public void Dispose()
    {
        if (_fuse is not null)
        {
            var servers = ServerPids();
            _fuse.Terminate(TimeSpan.FromSeconds(20));
            foreach (var pid in servers)
            {
                // A server outlives a supervisor killed by a failing test; it must not keep the mount.
                Run("kill", "-9", pid.ToString(CultureInfo.InvariantCulture));
            }
        }

        Run("umount", "-l", _mountpoint);
        _cluster.Dispose();
    }

    [Fact]
    public void The_server_killed_with_sigkill_under_an_md5sum_loop_is_replaced_and_reads_go_on_without_a_remount()
    {
        var files = Enumerable.Range(0, 4).Select(i => $"f{i}.bin").ToArray();
        foreach (var name in files)
        {
            File.WriteAllBytes(Path.Combine(_cluster.Source, name), RandomNumberGenerator.GetBytes(24 << 20));
        }

        var sums = string.Join("", files.Select(n => $"{Md5(Path.Combine(_cluster.Source, n))}  {Path.Combine(_mountpoint, n)}\n"));
        File.WriteAllText(Path.Combine(_cluster.Directory, "sums"), sums);
        var master = _cluster.StartMaster();
        _cluster.StartWorker(master, "w1");
        Mount(master);

        // Every round drops the files' cached pages (dd nocache) so md5sum's reads reach the server.
        var loop = Process.Start(new ProcessStartInfo("bash", ["-c", $"""
            for round in $(seq 1 12); do
              for f in {_mountpoint}/*.bin; do dd if="$f" iflag=nocache count=0 status=none; done
              md5sum --quiet -c {_cluster.Directory}/sums || exit 1
            done
            """]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _fuse!.WaitFor("standing by");
        Thread.Sleep(300);
        var first = ServerPids().Single();
        Kill(first, 9);
        var resumed = WaitForRead(Path.Combine(_mountpoint, "f2.bin"));
        var second = WaitForServer(except: first);
        Thread.Sleep(500);
        Kill(second, 9);
        WaitForServer(except: second);

        Assert.True(loop.WaitForExit(TimeSpan.FromMinutes(2)), "the md5sum loop hung on the mount");
        Assert.True(loop.ExitCode == 0, $"md5sum failed across the restarts: {loop.StandardOutput.ReadToEnd()}{loop.StandardError.ReadToEnd()}");
        // Measured 0.25-0.5 s; the bound leaves room for a loaded machine (the md5sum loop above proves the reads went on).
        Assert.True(resumed < TimeSpan.FromSeconds(20), $"reads resumed {resumed.TotalSeconds:0.00} s after the kill");
        _fuse!.WaitFor("exited with signal 9; standby server pid ", TimeSpan.FromSeconds(10));
        _fuse.WaitFor("(restart 2)", TimeSpan.FromSeconds(10));
        Assert.True(IsMounted(), "the mount must stay in place");
        Assert.DoesNotContain("Transport endpoint is not connected", _fuse.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_open_across_a_restart_reads_on_with_its_handle_and_sigterm_unmounts()
    {
        var data = RandomNumberGenerator.GetBytes(48 << 20);
        File.WriteAllBytes(Path.Combine(_cluster.Source, "sub", "big.bin"), data);
        var master = _cluster.StartMaster();
        _cluster.StartWorker(master, "w1");
        Mount(master);

        var read = new byte[data.Length];
        using (var stream = new FileStream(Path.Combine(_mountpoint, "sub", "big.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
        {
            stream.ReadExactly(read, 0, 1 << 20);
            var first = ServerPids().Single();
            Kill(first, 9);
            WaitForServer(except: first);
            // The kernel goes on with the handle the dead server gave out; the new one has never seen it.
            stream.ReadExactly(read, 1 << 20, read.Length - (1 << 20));
        }

        Assert.True(data.AsSpan().SequenceEqual(read), "bytes read across the restart differ from the source");
        Assert.Equal(["big.bin"], Directory.GetFiles(Path.Combine(_mountpoint, "sub")).Select(Path.GetFileName));
        // A process working inside the mount makes it busy: SIGTERM says so and detaches it.
        using var inside = Process.Start(new ProcessStartInfo("sleep", ["30"]) { WorkingDirectory = Path.Combine(_mountpoint, "sub") })!;
        try
        {
            Assert.Equal(0, _fuse!.Terminate(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            inside.Kill();
        }

        Assert.False(IsMounted(), "SIGTERM must unmount");
        Assert.Contains($"{_mountpoint} is busy", _fuse.Output, StringComparison.Ordinal);
        Assert.Contains($"unmounted {_mountpoint}", _fuse.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_dataset_or_a_missing_mountpoint_is_explained_and_nothing_stays_mounted()
    {
        var master = _cluster.StartMaster();
        var (exit, _, stderr) = _cluster.Client(master, "fuse", "--mountpoint", _mountpoint, "--dataset", "default/other");
        Assert.Equal(1, exit);
        Assert.Contains("--dataset default/other: the master serves dataset default/demo", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = _cluster.Client(master, "fuse", "--mountpoint", Path.Combine(_cluster.Directory, "nowhere"));
        Assert.Equal(1, exit);
        Assert.Contains("does not exist or is not a directory; create it first", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(IsMounted());
    }

    [Fact]
    public void A_mount_removes_the_state_a_killed_supervisor_of_its_mount_point_left_and_keeps_a_live_ones()
    {
        var master = _cluster.StartMaster();
        var temp = Directory.CreateDirectory(_cluster.TempDirectory).FullName;
        var prefix = Fluid.Fuse.FuseSupervisor.StatePrefix(_mountpoint);
        using var ended = System.Diagnostics.Process.Start("true")!;
        ended.WaitForExit();
        var abandoned = Directory.CreateDirectory(Path.Combine(temp, prefix + "killed")).FullName;
        File.WriteAllText(Path.Combine(abandoned, $"serving.{ended.Id}"), "");
        File.WriteAllText(Path.Combine(abandoned, "nodes"), "journal");
        var live = Directory.CreateDirectory(Path.Combine(temp, prefix + "live")).FullName;
        File.WriteAllText(Path.Combine(live, $"serving.{Environment.ProcessId}"), "");
        var other = Directory.CreateDirectory(Path.Combine(temp, Fluid.Fuse.FuseSupervisor.StatePrefix(_mountpoint + "-other") + "killed")).FullName;

        Mount(master);

        Assert.False(Directory.Exists(abandoned), _fuse!.Output);
        Assert.Contains($"removed {abandoned}, left by an earlier supervisor", _fuse.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(live), "the state of a live server must stay");
        Assert.True(Directory.Exists(other), "another mount point's state is not this mount's business");
        Assert.Single(Directory.GetDirectories(temp, prefix + "*"), d => d != live);
    }

    private void Mount(string master)
    {
        _fuse = _cluster.Start("cache", "fuse", "--mountpoint", _mountpoint, "--master", master, "--token-file", "token", "--secrets-dir", _cluster.Directory);
        _fuse.WaitFor("serving " + _mountpoint);
    }

    // The servers the supervisor started, from its output.
    private List<int> ServerPids()
    {
        var output = _fuse?.Output ?? "";
        return ServerLine().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Where(pid => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal))
            .ToList();
    }

    private int WaitForServer(int except)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (ServerPids().Where(p => p != except).ToList() is [var pid] && _fuse!.Output.Contains($"fuse server pid {pid} serving", StringComparison.Ordinal))
            {
                return pid;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"no new FUSE server after killing {except}:\n{_fuse!.Output}");
    }

    // Time until the first block of a file that is not in the page cache can be read through the mount.
    private static TimeSpan WaitForRead(string path)
    {
        Run("dd", $"if={path}", "iflag=nocache", "count=0", "status=none");
        var clock = Stopwatch.StartNew();
        var result = Run("dd", $"if={path}", "of=/dev/null", "bs=4k", "count=1", "status=none");
        Assert.True(result == 0, $"reading {path} failed after the kill");
        return clock.Elapsed;
    }

    private bool IsMounted() => File.ReadAllText("/proc/self/mountinfo").Contains($" {_mountpoint} ", StringComparison.Ordinal);

    private static string Md5(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }

    private static void Kill(int pid, int signal) => Run("kill", $"-{signal}", pid.ToString(CultureInfo.InvariantCulture));

    private static int Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    [GeneratedRegex(@"fuse server pid (\d+) serving")]
    private static partial Regex ServerLine();
}
