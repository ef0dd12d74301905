using System.Diagnostics;
using System.Globalization;
using Fluid.Embedded.Agent;
using Fluid.Kube;
using Fluid.Kube.Http;

namespace Fluid.Cli.Commands;

/// <summary>
/// The fluidd that `fluid up` starts on this machine: its directory ($FLUID_HOME/server, FLUID_HOME defaulting
/// to ~/.fluid), its PID file and log, and starting or stopping it in the background.
/// </summary>
internal static class EmbeddedFluidd
{
    /// <summary>The server's data directory.</summary>
    public static string Directory => ClusterConnection.EmbeddedServerDirectory;

    /// <summary>The kubeconfig fluidd writes for its clients.</summary>
    public static string Kubeconfig => ClusterConnection.EmbeddedKubeconfigPath;

    private static string PidFile => Path.Combine(Directory, "fluidd.pid");

    /// <summary>Where the background fluidd's output goes.</summary>
    public static string LogFile => Path.Combine(Directory, "fluidd.log");

    /// <summary>The PID of the running background fluidd, or null.</summary>
    public static int? RunningPid() => LocalProcess.ReadPidFile(PidFile);

    /// <summary>A client of the running fluidd, starting one in the background first when none runs; reports what it does.</summary>
    public static async Task<ClusterConnection> EnsureRunningAsync(Action<string> report, CancellationToken ct)
    {
        if (RunningPid() is { } pid && File.Exists(Kubeconfig))
        {
            var existing = ClusterConnection.OpenEmbedded();
            if (await AnswersAsync(existing.Client, ct).ConfigureAwait(false))
            {
                report($"fluidd is running (pid {pid}, {existing.Url})");
                return existing;
            }

            existing.Dispose();
        }

        System.IO.Directory.CreateDirectory(Directory);
        File.Delete(Kubeconfig);
        var self = FluidProgram.Self();
        // A small shell starts fluidd in its own session with its output in the log, so it outlives this command.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-c", "setsid \"$@\" >>\"$LOG\" 2>&1 </dev/null & echo $!", "fluid-up", self.Path, .. self.Prefix, "server", "--data-dir", Directory, "--port", "0"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LOG"] = LogFile;
        using (var shell = Process.Start(start) ?? throw new CliException("could not start fluidd: /bin/sh did not start"))
        {
            var text = await shell.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await shell.WaitForExitAsync(ct).ConfigureAwait(false);
            if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var started))
            {
                throw new CliException($"could not start fluidd; see {LogFile}");
            }

            LocalProcess.WritePidFile(PidFile, started);
            report($"started fluidd (pid {started}, data in {Directory}, log {LogFile})");
        }

        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (RunningPid() is null)
            {
                throw new CliException($"fluidd stopped while starting: {LastLines(LogFile, 5)} (full log: {LogFile})");
            }

            if (File.Exists(Kubeconfig))
            {
                var connection = ClusterConnection.OpenEmbedded(TimeSpan.FromSeconds(10));
                if (await AnswersAsync(connection.Client, ct).ConfigureAwait(false))
                {
                    return connection;
                }

                connection.Dispose();
            }

            await Task.Delay(250, ct).ConfigureAwait(false);
        }

        throw new CliException($"fluidd did not answer within 90 s; see {LogFile}");
    }

    /// <summary>Stops the background fluidd (SIGTERM, then waits); false when none was running.</summary>
    public static async Task<bool> StopAsync(TimeSpan grace, CancellationToken ct)
    {
        if (RunningPid() is not { } pid)
        {
            return false;
        }

        LocalProcess.Signal(pid, "TERM");
        var deadline = DateTimeOffset.UtcNow + grace;
        while (RunningPid() is not null)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                LocalProcess.Signal(pid, "KILL");
                await Task.Delay(500, ct).ConfigureAwait(false);
                break;
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }

        File.Delete(PidFile);
        return true;
    }

    private static async Task<bool> AnswersAsync(KubeClient client, CancellationToken ct)
    {
        try
        {
            await client.Resource("v1", "Namespace").ListAsync(new Kube.Resources.ListOptions { Limit = 1 }, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or KubeApiException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    internal static string LastLines(string file, int count) =>
        File.Exists(file) ? string.Join(" | ", File.ReadLines(file).TakeLast(count)) : "(no log)";
}
