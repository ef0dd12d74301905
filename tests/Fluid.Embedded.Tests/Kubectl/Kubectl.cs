using System.Diagnostics;

namespace Fluid.Embedded.Tests.Kubectl;

/// <summary>
/// Runs the real kubectl found on PATH against a kubeconfig, with HOME in a temporary directory
/// so no user configuration or discovery cache is used. No kubectl is a failure, not a skip:
/// ./run-tests.sh installs Debian's kubernetes-client when none is on PATH.
/// </summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _kubeconfig;
    private readonly string _home = Directory.CreateTempSubdirectory("kubectl-home-").FullName;

    public Kubectl(string kubeconfig)
    {
        _kubeconfig = kubeconfig;
        Path = Find() ?? throw new InvalidOperationException(
            "kubectl is not on PATH; these tests need a real kubectl. Install it (Debian: apt-get install kubernetes-client; ./run-tests.sh does this when run as root) and run the tests again.");
    }

    public string Path { get; }

    public static string RepoRoot { get; } = FindRepoRoot();

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var process = Process.Start(Start(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs kubectl and fails the test with its output unless it exits 0; returns stdout.</summary>
    public string Ok(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.True(code == 0, $"kubectl {string.Join(' ', args)} exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }

    /// <summary>kubectl apply of a manifest written to a temporary file (kubectl's create generators send protobuf, which fluidd does not speak).</summary>
    public string Apply(string yaml)
    {
        var file = System.IO.Path.Combine(_home, $"manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        return Ok("apply", "-f", file);
    }

    public ProcessStartInfo Start(params string[] args)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        start.Environment["KUBECONFIG"] = _kubeconfig;
        start.Environment["HOME"] = _home;
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, "kubectl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Fluid.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the tests must run inside the repository (Fluid.slnx not found above " + AppContext.BaseDirectory + ")");
    }
}
