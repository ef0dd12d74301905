using System.Diagnostics;

namespace Fluid.Cli.Tests;

/// <summary>Runs the real `fluid` program (built next to the tests) as a child process.</summary>
internal static class FluidProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, params string[] args)
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

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fluid {string.Join(' ', args)} did not finish in 2 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
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
