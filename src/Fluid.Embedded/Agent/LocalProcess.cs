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

    /// <summary>The process's start time in clock ticks (/proc/PID/stat field 22), to tell a reused PID apart.</summary>
    public static string? StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
