namespace Fluid.Cli.Tests;

/// <summary>
/// A directory with a token, a `local://` source and its Dataset, and `fluid cache` masters and workers
/// started on it as real processes; everything is stopped and removed on dispose.
/// </summary>
internal sealed class CacheCluster : IDisposable
{
    private readonly List<FluidDaemon> _daemons = [];

    public CacheCluster(string prefix)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "source", "sub"));
        File.WriteAllText(Path.Combine(Directory, "token"), "cli-test-token\n");
        File.WriteAllText(Path.Combine(Directory, "dataset.yaml"), $"""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: demo
              namespace: default
            spec:
              mounts:
              - mountPoint: 'local://{Directory}/source'
                name: data
                path: /
            """);
    }

    public string Directory { get; }

    public string Source => Path.Combine(Directory, "source");

    /// <summary>The temporary directory (TMPDIR) of the processes <see cref="Start"/> starts.</summary>
    public string TempDirectory => Path.Combine(Directory, "tmp");

    /// <summary>Daemons in start order, the master first.</summary>
    public IReadOnlyList<FluidDaemon> Daemons => _daemons;

    public void Dispose()
    {
        foreach (var daemon in _daemons)
        {
            daemon.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    public string StartMaster(string? address = null)
    {
        address ??= $"http://127.0.0.1:{TestPorts.Free()}";
        var master = FluidProcess.Start(Directory, "cache", "master", "--data-dir", "master", "--listen", address, "--token-file", "token",
            "--dataset-file", "dataset.yaml", "--block-size", "1Mi", "--secrets-dir", Directory);
        _daemons.Insert(0, master);
        master.WaitFor("master listening on");
        return address;
    }

    /// <summary>
    /// Starts a worker whose tier is the directory named after it; with <paramref name="wrapper"/>, the worker runs
    /// under that command (its last argument followed by `dotnet fluid.dll ...`), e.g. in a mount namespace of its own.
    /// </summary>
    public FluidDaemon StartWorker(string master, string id, Dictionary<string, string>? environment = null, string[]? extraArgs = null, string[]? wrapper = null)
    {
        var tier = Path.Combine(Directory, id);
        string[] args = ["cache", "worker", "--master", master, "--token-file", "token", "--id", id,
            "--listen", $"127.0.0.1:{TestPorts.Free()}", "--tier", $"MEM:{tier}:256Mi", "--block-size", "1Mi", "--secrets-dir", Directory, .. extraArgs ?? []];
        var worker = FluidProcess.Start(Directory, environment ?? [], wrapper ?? [], args);
        _daemons.Add(worker);
        worker.WaitFor($"worker {id} serving default/demo");
        return worker;
    }

    /// <summary>
    /// Starts another `fluid` process in the cluster's directory, stopped with the rest. Its temporary files (a FUSE
    /// supervisor's state, which a SIGKILL leaves behind) go to the cluster's directory, removed with it.
    /// </summary>
    public FluidDaemon Start(params string[] args)
    {
        System.IO.Directory.CreateDirectory(TempDirectory);
        var daemon = FluidProcess.Start(Directory, new Dictionary<string, string> { ["TMPDIR"] = TempDirectory }, args);
        _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>A `fluid cache` client command against <paramref name="master"/>.</summary>
    public (int Exit, string Stdout, string Stderr) Client(string master, params string[] args) =>
        FluidProcess.Run(Directory, ["cache", .. args, "--master", master, "--token-file", "token", "--secrets-dir", Directory]);

}
