using System.Diagnostics;
using System.Globalization;

namespace Fluid.Embedded.Agent;

/// <summary>Signalling a local process and telling a reused PID apart, for the agent's containers and `fluid up`'s fluidd.</summary>
public static class LocalProcess
{
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false, RedirectStandardError = true });
        kill?.WaitForExit();
    }

    /// <summary>The fields of /proc/PID/stat after the command name (the state first), or null when the process is gone.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The process's start time in clock ticks (/proc/PID/stat field 22), to tell a reused PID apart.</summary>
    private static string? StartTicks(int pid) => StatFields(pid)?[19];

    /// <summary>Waits until none of the processes runs (gone, or a zombie that has let go of its files and mounts); false when some still run at the deadline.</summary>
    public static bool WaitGone(IReadOnlyCollection<int> pids, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (pids.Any(Runs))
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    private static bool Runs(int pid) => StatFields(pid) is { } fields && fields[0] != "Z";

    /// <summary>Records a process as "PID START-TICKS", so a later reader can tell it from another that got the same PID.</summary>
    public static void WritePidFile(string path, int pid) => File.WriteAllText(path, $"{pid} {StartTicks(pid)}\n");

    /// <summary>The process a PID file records, when that very process still runs; null otherwise.</summary>
    public static int? ReadPidFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var words = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length == 2 && int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && StartTicks(pid) == words[1]
            ? pid
            : null;
    }

    /// <summary>Whether this process runs as root (its effective uid is 0): mount namespaces and FUSE mounts need it.</summary>
    public static bool IsRoot() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0";

    /// <summary>The processes (other than this one) whose environment holds NAME=VALUE.</summary>
    public static List<int> WithEnvironment(string name, string value)
    {
        var wanted = $"{name}={value}";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(wanted, StringComparer.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read.
            }
        }

        return found;
    }
}

/// <summary>The variable every container of an agent carries (and its children inherit), so an agent restarted after a crash finds all of them.</summary>
internal static class AgentMark
{
    public const string Variable = "FLUIDD_AGENT";

    public static string For(string dataDirectory) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..16];
}
