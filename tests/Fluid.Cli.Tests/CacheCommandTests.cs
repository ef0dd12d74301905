using System.Security.Cryptography;

namespace Fluid.Cli.Tests;

/// <summary>`fluid cache master` and `fluid cache worker` as real processes, and the client commands against them.</summary>
public sealed class CacheCommandTests : IDisposable
{
    private readonly CacheCluster _cluster = new("fluid-cache-cli-");
    private readonly string _dir;

    public CacheCommandTests()
    {
        _dir = _cluster.Directory;
    }

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task A_client_told_to_wait_for_its_master_waits_for_one_started_later_and_gives_up_on_one_that_never_comes()
    {
        File.WriteAllText(Path.Combine(_dir, "source", "sub", "hello.txt"), "hello fluid\n");
        var address = $"http://127.0.0.1:{TestPorts.Free()}";
        var gone = Client($"http://127.0.0.1:{TestPorts.Free()}", "cat", "/sub/hello.txt", "--wait-for-master", "2s");
        Assert.NotEqual(0, gone.Exit);
        Assert.Contains("waiting up to 2 s for the master", gone.Stderr, StringComparison.Ordinal);

        // A pod started together with its master: the client is first, the master comes a few seconds later.
        var early = Task.Run(() => Client(address, "cat", "/sub/hello.txt", "--wait-for-master", "60s"));
        await Task.Delay(2000);
        Assert.False(early.IsCompleted);
        StartMaster(address);
        var (exit, stdout, stderr) = await early;
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello fluid\n", stdout);
        Assert.Contains("waiting up to 60 s for the master", stderr, StringComparison.Ordinal);

        var bad = Client(address, "cat", "/sub/hello.txt", "--wait-for-master", "soon");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("--wait-for-master \"soon\" is not a duration", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_master_and_a_worker_serve_a_directory_to_the_client_commands()
    {
        var data = RandomNumberGenerator.GetBytes((9 << 20) + 77);
        File.WriteAllBytes(Path.Combine(_dir, "source", "sub", "data.bin"), data);
        File.WriteAllText(Path.Combine(_dir, "source", "sub", "hello.txt"), "hello fluid\n");
        var master = StartMaster();
        StartWorker(master, "w1");

        var (exit, stdout, stderr) = Client(master, "ls", "/sub");
        Assert.True(exit == 0, stderr);
        Assert.Contains($"{data.Length} ", stdout, StringComparison.Ordinal);
        Assert.Contains("/sub/data.bin", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = Client(master, "read", "/sub/data.bin");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith($"read {data.Length} bytes", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = Client(master, "cat", "/sub/hello.txt");
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello fluid\n", stdout);

        (exit, stdout, _) = Client(master, "stats");
        Assert.Equal(0, exit);
        Assert.Contains("dataset:           default/demo", stdout, StringComparison.Ordinal);
        Assert.Contains("on 1 worker(s)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_killed_with_sigkill_does_not_fail_a_read_and_a_restarted_master_keeps_the_dataset()
    {
        var data = RandomNumberGenerator.GetBytes(20 << 20);
        File.WriteAllBytes(Path.Combine(_dir, "source", "big.bin"), data);
        var master = StartMaster();
        StartWorker(master, "w1");
        var second = StartWorker(master, "w2");

        second.Kill();
        var (exit, stdout, stderr) = Client(master, "read", "/big.bin");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith($"read {data.Length} bytes", stdout, StringComparison.Ordinal);

        _cluster.Daemons[0].Terminate(TimeSpan.FromSeconds(20));
        StartMaster(master);
        Assert.Contains("for dataset default/demo", _cluster.Daemons[0].Output, StringComparison.Ordinal);
        (exit, stdout, stderr) = Client(master, "stat", "/big.bin");
        Assert.True(exit == 0, stderr);
        Assert.Contains($"size: {data.Length}", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_come_from_a_config_file_and_the_environment_and_the_processes_serve_health_and_metrics()
    {
        File.WriteAllText(Path.Combine(_dir, "source", "x.bin"), "0123456789");
        var master = $"http://127.0.0.1:{TestPorts.Free()}";
        File.WriteAllText(Path.Combine(_dir, "master.yaml"), $"data-dir: master\nlisten: {master}\ntoken-file: token\ndataset-file: dataset.yaml\nblock-size: 1Mi\n");
        var daemon = _cluster.Start("cache", "master", "--config", "master.yaml");
        daemon.WaitFor("master listening on");
        var workerHttp = $"http://127.0.0.1:{TestPorts.Free()}";
        StartWorker(master, "w-env", new Dictionary<string, string> { ["FLUID_CACHE_HTTP"] = workerHttp });

        var (exit, stdout, stderr) = Client(master, "read", "/x.bin");
        Assert.True(exit == 0, stderr);
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync($"{master}/healthz"));
        Assert.Equal("ready\n", await http.GetStringAsync($"{master}/readyz"));
        Assert.Equal("ready\n", await http.GetStringAsync($"{workerHttp}/readyz"));
        // The master counts the files with its first sync, in the background: wait for it, not a fixed time.
        var masterMetrics = await ClusterFixture.Eventually("the file count in the master's metrics", async () =>
            await http.GetStringAsync($"{master}/metrics") is var text && text.Contains("fluid_dataset_files{dataset=\"default/demo\"} 1", StringComparison.Ordinal) ? text : null, 30);
        Assert.Contains("fluid_dataset_files{dataset=\"default/demo\"} 1", masterMetrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE fluid_dataset_cache_misses_total counter", masterMetrics, StringComparison.Ordinal);
        var workerMetrics = await http.GetStringAsync($"{workerHttp}/metrics");
        Assert.Contains("fluid_worker_source_reads_total{worker=\"w-env\"} 1", workerMetrics, StringComparison.Ordinal);
        var refused = await http.GetAsync($"{master}/api/v1/cluster");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("cli-test-token", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_settings_are_explained_without_a_stack_trace()
    {
        var (exit, _, stderr) = FluidProcess.Run(_dir, "cache", "master", "--token-file", "token");
        Assert.Equal(1, exit);
        Assert.Contains("--data-dir is required", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = FluidProcess.Run(_dir, "cache", "worker", "--token-file", "missing-token", "--master", "http://127.0.0.1:1");
        Assert.Equal(1, exit);
        Assert.Contains("--token-file: cannot read", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = FluidProcess.Run(_dir, "cache", "worker", "--token-file", "token", "--master", "nope", "--tier", "MEM:/tmp/x:1Gi");
        Assert.Equal(1, exit);
        Assert.Contains("--master: \"nope\" is not an http(s) URL", stderr, StringComparison.Ordinal);

        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_load_walks_directories_prints_what_it_loaded_and_reports_its_progress_to_the_master()
    {
        var files = new Dictionary<string, int> { ["sub/a.bin"] = (3 << 20) + 5, ["sub/deep/b.bin"] = 1000, ["c.bin"] = 42 };
        foreach (var (name, size) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir, "source", name))!);
            File.WriteAllBytes(Path.Combine(_dir, "source", name), RandomNumberGenerator.GetBytes(size));
        }

        var master = StartMaster();
        StartWorker(master, "w1");

        var (exit, stdout, stderr) = Client(master, "load", "/sub", "/c.bin", "--operation-id", "load-1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("loading 3 file(s), 3.00MiB of dataset default/demo into 1 worker(s)", stdout, StringComparison.Ordinal);
        Assert.Contains("loaded /sub: 2 file(s), 3.00MiB", stdout, StringComparison.Ordinal);
        Assert.Contains("loaded /c.bin: 1 file(s), 42.00B", stdout, StringComparison.Ordinal);
        Assert.Contains("done: 3 file(s), 3.00MiB in ", stdout, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(master) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "cli-test-token");
        using var progress = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("api/v1/operations/load-1"));
        var total = files.Values.Sum(v => (long)v);
        Assert.Equal(total, progress.RootElement.GetProperty("totalBytes").GetInt64());
        Assert.Equal(total, progress.RootElement.GetProperty("loadedBytes").GetInt64());
        Assert.Equal(3, progress.RootElement.GetProperty("loadedFiles").GetInt64());
        Assert.True(progress.RootElement.GetProperty("done").GetBoolean());

        (exit, _, stderr) = Client(master, "load", "/nope");
        Assert.Equal(1, exit);
        Assert.Contains("/nope: no such file or directory in dataset default/demo", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_short_circuits_through_the_block_files_a_worker_in_another_mount_namespace_passes_it()
    {
        // As a FUSE pod and a worker pod on one node: only the worker's Unix socket is shared; its tier is a
        // tmpfs mounted in the worker's own mount namespace, so no block file path resolves for the client.
        var text = string.Concat(Enumerable.Range(0, 60_000).Select(i => $"line {i} of a file read through passed descriptors\n"));
        File.WriteAllText(Path.Combine(_dir, "source", "sub", "lines.txt"), text);
        var master = StartMaster();
        var tier = Path.Combine(_dir, "pod-w1");
        Directory.CreateDirectory(tier);
        StartWorker(
            master,
            "pod-w1",
            extraArgs: ["--local-socket", Path.Combine(_dir, "w1.sock")],
            wrapper: ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "mount -t tmpfs tmpfs \"$0\" && exec \"$@\"", tier]);
        var load = Client(master, "load", "/sub/lines.txt");
        Assert.True(load.Exit == 0, load.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tier));

        var read = Client(master, "read", "/sub/lines.txt");
        Assert.True(read.Exit == 0, read.Stderr);
        var blocks = (text.Length + (1 << 20) - 1) >> 20;
        Assert.Contains($"short-circuit blocks {blocks}, direct source reads 0", read.Stdout, StringComparison.Ordinal);
        var cat = Client(master, "cat", "/sub/lines.txt");
        Assert.True(cat.Exit == 0, cat.Stderr);
        Assert.Equal(text, cat.Stdout);
    }

    private string StartMaster(string? address = null) => _cluster.StartMaster(address);

    private FluidDaemon StartWorker(string master, string id, Dictionary<string, string>? environment = null, string[]? extraArgs = null, string[]? wrapper = null) =>
        _cluster.StartWorker(master, id, environment, extraArgs, wrapper);

    private (int Exit, string Stdout, string Stderr) Client(string master, params string[] args) => _cluster.Client(master, args);

}
