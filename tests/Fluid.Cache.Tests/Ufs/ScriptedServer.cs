using System.Diagnostics;
using System.Text;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>
/// A real server started by one of the scripts in tests/tools, in its own temporary directory.
/// The script prints "pids: ..." once the server answers; disposing kills exactly those processes
/// and deletes the directory.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly List<int> _pids;

    private ScriptedServer(string directory, List<int> pids, TimeSpan startupTime)
    {
        Directory = directory;
        _pids = pids;
        StartupTime = startupTime;
    }

    public string Directory { get; }

    public TimeSpan StartupTime { get; }

    /// <summary>
    /// Runs the script with the environment <paramref name="environment"/> builds (it gets a fresh
    /// attempt number so it can pick new ports), once more if the first attempt fails (a port taken
    /// between choosing and binding it), and throws with the server's log tail if it still fails.
    /// </summary>
    public static async Task<ScriptedServer> StartAsync(string script, Func<Dictionary<string, string>> environment, TimeSpan timeout)
    {
        var failures = new StringBuilder();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory($"fluid-{Path.GetFileNameWithoutExtension(script)}-").FullName;
            var env = environment();
            var started = Stopwatch.StartNew();
            var (exitCode, stdout, stderr) = await RunScriptAsync(script, directory, env, timeout);
            var pidLine = stdout.Split('\n').LastOrDefault(l => l.StartsWith("pids:", StringComparison.Ordinal));
            if (exitCode == 0 && pidLine is not null)
            {
                var pids = pidLine["pids:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
                return new ScriptedServer(directory, pids, started.Elapsed);
            }

            failures.AppendLine($"attempt {attempt}: {script} {directory} with {string.Join(' ', env.Select(e => $"{e.Key}={e.Value}"))} exited {exitCode}");
            failures.AppendLine(stdout.Trim()).AppendLine(stderr.Trim());
            if (!stderr.Contains("--- ", StringComparison.Ordinal))
            {
                failures.AppendLine(LogTail(directory)); // the script died before it could show its logs
            }

            var leftovers = new ScriptedServer(directory, PidFiles(directory), started.Elapsed);
            await leftovers.DisposeAsync();
        }

        throw new InvalidOperationException($"{Path.GetFileName(script)} could not start its server:\n{failures}");
    }

    public async ValueTask DisposeAsync()
    {
        var processes = new List<Process>();
        foreach (var pid in _pids)
        {
            try
            {
                var process = Process.GetProcessById(pid);
                process.Kill();
                processes.Add(process);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }

        foreach (var process in processes)
        {
            using (process)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    // Killed with SIGKILL; it is gone as soon as the kernel reaps it.
                }
            }
        }

        for (var i = 0; i < 5; i++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(
        string script, string directory, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tools", script));
        start.ArgumentList.Add(directory);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, await stderr + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static List<int> PidFiles(string directory) =>
        System.IO.Directory.EnumerateFiles(directory, "*.pid")
            .Select(f => int.TryParse(File.ReadAllText(f).Trim(), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Distinct()
            .ToList();

    private static string LogTail(string directory)
    {
        var tail = new StringBuilder();
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".log", StringComparison.Ordinal) || f.EndsWith(".out", StringComparison.Ordinal)))
        {
            tail.AppendLine($"--- {file}");
            foreach (var line in File.ReadLines(file).TakeLast(20))
            {
                tail.AppendLine(line);
            }
        }

        return tail.ToString();
    }
}
