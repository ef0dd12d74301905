using System.Diagnostics;

namespace Fluid.Cli.Tests;

/// <summary>Runs the real `fluid` program (built next to the tests) as a child process.</summary>
internal static class FluidProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, params string[] args) =>
        Run(workingDirectory, new Dictionary<string, string>(), null, args);

    /// <summary>Runs `fluid ARGS` with extra environment variables and, when given, <paramref name="stdin"/> as its standard input.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, string? stdin, params string[] args) =>
        Run(workingDirectory, environment, stdin, TimeSpan.FromMinutes(2), args);

    /// <summary>Runs `fluid ARGS` to the end with extra environment variables, failing after the timeout.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args) =>
        Run(workingDirectory, environment, null, timeout, args);

    private static (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, string? stdin, TimeSpan timeout, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fluid.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fluid {string.Join(' ', args)} did not finish in {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts `fluid ARGS` in the background; the caller stops it by disposing the result.</summary>
    public static FluidDaemon Start(string workingDirectory, params string[] args) => Start(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Starts `fluid ARGS` in the background with extra environment variables.</summary>
    public static FluidDaemon Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start(workingDirectory, environment, [], args);

    /// <summary>Starts `WRAPPER... dotnet fluid.dll ARGS` in the background (no wrapper: fluid itself).</summary>
    public static FluidDaemon Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] wrapper, string[] args)
    {
        var start = new ProcessStartInfo(wrapper.Length > 0 ? wrapper[0] : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper.Length > 0)
        {
            foreach (var word in wrapper[1..])
            {
                start.ArgumentList.Add(word);
            }

            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fluid.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new FluidDaemon(Process.Start(start)!);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fluid.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the tests must run inside the repository (Fluid.slnx not found above " + AppContext.BaseDirectory + ")");
    }
}

/// <summary>A `fluid` process running in the background, its output collected, killed by PID when disposed.</summary>
internal sealed class FluidDaemon : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    public FluidDaemon(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails with the output so far.</summary>
    public void WaitFor(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never printed \"{text}\" (exited: {_process.HasExited}); output:\n{Output}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for the process to end by itself; fails with its output when it does not in time.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"did not exit within {timeout.TotalSeconds}s; output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no clean-up at all.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM, then waits for a clean exit; returns the exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Kill(_process.Id, 15);
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill();
                throw new TimeoutException($"did not stop within {timeout.TotalSeconds}s of SIGTERM; output:\n{Output}");
            }
        }

        // WaitForExit(timeout) returns before the last output lines are delivered; this waits for them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
