using System.Diagnostics;

namespace Fluid.Embedded.Agent;

/// <summary>The host's mounts as the agent needs them: is a path a mount point, and making a volume shared.</summary>
internal static class MountTable
{
    /// <summary>The mount points of this process's namespace (octal escapes of /proc/self/mountinfo decoded).</summary>
    public static HashSet<string> MountPoints()
    {
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                points.Add(Decode(fields[4]));
            }
        }

        return points;
    }

    /// <summary>Whether the path is a mount point.</summary>
    public static bool IsMountPoint(string path) => MountPoints().Contains(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));

    private static readonly Lock Gate = new();

    // Containers holding each shared directory: a container stopping must not undo the bind a newer one uses.
    private static readonly Dictionary<string, int> Users = new(StringComparer.Ordinal);

    /// <summary>Makes the host directory a shared mount (binding it onto itself first if it is not a mount point), so mounts made under it in a container's namespace show on the host; <paramref name="newUser"/> counts a container that will call <see cref="ReleaseShared"/>.</summary>
    public static void MakeShared(string path, bool newUser)
    {
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        Directory.CreateDirectory(path);
        lock (Gate)
        {
            if (!IsMountPoint(path))
            {
                Mount("--bind", path, path);
            }

            Mount("--make-shared", path);
            if (newUser)
            {
                Users[path] = Users.GetValueOrDefault(path) + 1;
            }
        }
    }

    /// <summary>A container is done with the directory: its bind onto itself is undone once no container holds it and nothing is mounted below it (also one left by an earlier agent).</summary>
    public static void ReleaseShared(string path)
    {
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        lock (Gate)
        {
            var users = Users.GetValueOrDefault(path) - 1;
            if (users > 0)
            {
                Users[path] = users;
                return;
            }

            Users.Remove(path);
            var entries = File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f.Length > 4).ToList();
            var selfBind = entries.Any(f => Decode(f[4]) == path && Decode(f[3]) == path);
            if (!selfBind || entries.Any(f => Decode(f[4]).StartsWith(path + "/", StringComparison.Ordinal)))
            {
                return;
            }

            try
            {
                Run("umount", path);
            }
            catch (IOException)
            {
                // Still busy; the bind is harmless and is reused by the next FUSE here.
            }
        }
    }

    /// <summary>Runs mount(8) and throws with its message when it fails.</summary>
    public static void Mount(params string[] arguments) => Run("mount", arguments);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new IOException($"{program} did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IOException($"{program} {string.Join(' ', arguments)}: {error.Trim()}");
        }
    }

    private static string Decode(string field) =>
        field.Contains('\\', StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : field;
}
