using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Config;

namespace Fluid.Cli.Tests;

/// <summary>
/// The main job end to end on the embedded platform, with nothing faked: `fluid up` starts a real fluidd whose
/// controllers and node agent run a real master, workers and FUSE mount as processes, a DataLoad warms the cache
/// through a real Job, files are read through the mount, workers are scaled while a reader runs, and deleting
/// the dataset leaves no process, mount or host name behind.
/// </summary>
public sealed class UpEndToEndTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("fluid-up-home-").FullName;
    private readonly string _source = Directory.CreateTempSubdirectory("fluid-up-source-").FullName;
    private readonly string _name = "e2e" + Guid.NewGuid().ToString("N")[..6];
    private readonly Dictionary<string, string> _env;

    public UpEndToEndTests()
    {
        _env = new Dictionary<string, string> { ["FLUID_HOME"] = _home };
    }

    [Fact]
    public async Task A_dataset_comes_up_loads_reads_scales_and_goes_away_cleanly()
    {
        var files = WriteSamples();
        var manifest = SamplesManifest("""
              worker:
                replicas: 2
                tieredStore:
                  levels:
                    - processMemory:
                        quota: 256Mi
            """);

        var up = Fluid(TimeSpan.FromMinutes(4), "up", "-f", manifest);
        Assert.True(up.ExitCode == 0, $"fluid up failed:\n{up.Stdout}\n{up.Stderr}\n{Log()}");
        var mount = MountOf(up.Stdout);
        Assert.Contains($"dataset.data.fluid.io/{_name} created", up.Stdout, StringComparison.Ordinal);

        using var client = new KubeClient(KubeConfigLoader.LoadFiles([Path.Combine(_home, "server", "kubeconfig")]));
        var runtimes = client.Resource("data.fluid.io/v1alpha1", "CacheRuntime");
        var datasets = client.Resource("data.fluid.io/v1alpha1", "Dataset");
        var dataset = await datasets.GetAsync(_name, "default");
        Assert.Equal("Bound", dataset["status"]!["phase"]!.GetValue<string>());

        // Warm the cache with a DataLoad, run by the controller as a Job of `fluid cache load`.
        await client.Resource("data.fluid.io/v1alpha1", "DataLoad").CreateAsync(new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "DataLoad",
            ["metadata"] = new JsonObject { ["name"] = _name + "-warm" },
            ["spec"] = new JsonObject { ["dataset"] = new JsonObject { ["name"] = _name, ["namespace"] = "default" } },
        }, "default");
        var load = await WaitAsync("the DataLoad to complete", async () =>
        {
            var current = await client.Resource("data.fluid.io/v1alpha1", "DataLoad").GetAsync(_name + "-warm", "default");
            var phase = current["status"]?["phase"]?.GetValue<string>();
            Assert.NotEqual("Failed", phase);
            return phase == "Complete" ? current : null;
        }, TimeSpan.FromMinutes(2));
        Assert.NotNull(load);

        // The dataset's status tells the truth soon after the load (not at the runtime's next 60 s sync): every file counted, all of it cached.
        var figures = await WaitAsync("the dataset's figures after the load", async () =>
        {
            var status = (await datasets.GetAsync(_name, "default"))["status"];
            return status?["cacheStates"]?["cachedPercentage"]?.GetValue<string>() == "100.0%" ? status : null;
        }, TimeSpan.FromSeconds(45));
        Assert.Equal(files.Count.ToString(CultureInfo.InvariantCulture), figures["fileNum"]!.GetValue<string>());
        var total = files.Sum(f => new FileInfo(Path.Combine(_source, f)).Length);
        Assert.Equal(global::Fluid.Api.Core.Quantity.HumanBytes(total), figures["ufsTotal"]!.GetValue<string>());
        Assert.Equal("100.0%", load["status"]!["progress"]!["percentage"]!.GetValue<string>());
        Assert.Equal(total, load["status"]!["progress"]!["totalBytes"]!.GetValue<long>());

        // Every file read through the mount matches its source.
        foreach (var file in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_source, file)), File.ReadAllBytes(Path.Combine(mount, file)));
        }

        // Scale the workers 2 -> 3 -> 1 while a reader keeps checking every file.
        using var stopReading = new CancellationTokenSource();
        var rounds = 0;
        var failures = new List<string>();
        var reader = Task.Run(() =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                foreach (var file in files)
                {
                    try
                    {
                        if (!File.ReadAllBytes(Path.Combine(mount, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_source, file))))
                        {
                            failures.Add($"{file}: wrong bytes");
                        }
                    }
                    catch (IOException e)
                    {
                        failures.Add($"{file}: {e.Message}");
                    }
                }

                rounds++;
            }
        });
        foreach (var replicas in new[] { 3, 1 })
        {
            await runtimes.MergePatchAsync(_name, new JsonObject { ["spec"] = new JsonObject { ["worker"] = new JsonObject { ["replicas"] = replicas } } }, "default");
            await WaitAsync($"{replicas} running worker(s)", async () =>
            {
                var pods = await client.Resource("v1", "Pod").ListAsync(new Kube.Resources.ListOptions { LabelSelector = $"release={_name},role=fluid-worker" }, "default");
                var running = pods.Items.Count(p => p["status"]?["phase"]?.GetValue<string>() == "Running" && p["metadata"]?["deletionTimestamp"] is null);
                return running == replicas && pods.Items.Count == replicas ? "ok" : null;
            }, TimeSpan.FromMinutes(2));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopReading.CancelAsync();
        await reader;
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(rounds > 0);

        // Deleting the dataset takes its runtime, pods, mount and Service names with it while fluidd keeps running.
        await datasets.DeleteAsync(_name, "default");
        await WaitAsync("the dataset, its pods and its mount to go", async () =>
        {
            var left = await client.Resource("v1", "Pod").ListAsync(new Kube.Resources.ListOptions { LabelSelector = $"release={_name}" }, "default");
            return left.Items.Count == 0 && await datasets.TryGetAsync(_name, "default") is null && !Mounted(_name) && ProcessesOf(_name) == 0 ? "gone" : null;
        }, TimeSpan.FromMinutes(1));
        Assert.Null(await client.Resource("v1", "PersistentVolume").TryGetAsync($"default-{_name}"));
        await WaitAsync("the Service names to leave /etc/hosts", () => Task.FromResult(File.ReadAllText("/etc/hosts").Contains(_name, StringComparison.Ordinal) ? null : "gone"), TimeSpan.FromSeconds(15));
        var node = (await client.Resource("v1", "Node").ListAsync()).Items.Single();
        Assert.DoesNotContain(node["metadata"]!["labels"]!.AsObject(), l => l.Key.Contains(_name, StringComparison.Ordinal));

        var down = Fluid(TimeSpan.FromMinutes(1), "down");
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Contains("fluidd stopped", down.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_secret_and_an_unreachable_source_are_reported_without_crash_loops()
    {
        var manifest = WriteManifest($"""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: {_name}
            spec:
              mounts:
                - name: web
                  mountPoint: http://127.0.0.1:9/nothing-listens-here/
                  path: /
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: CacheRuntime
            metadata:
              name: {_name}
            spec:
              runtimeClassName: fluid
              worker:
                replicas: 1
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: {_name}-locked
            spec:
              mounts:
                - name: bucket
                  mountPoint: s3://bucket/data
                  options:
                    endpoint: http://127.0.0.1:9
                  encryptOptions:
                    - name: aws.accessKeyId
                      valueFrom:
                        secretKeyRef:
                          name: {_name}-missing
                          key: id
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: CacheRuntime
            metadata:
              name: {_name}-locked
            spec:
              runtimeClassName: fluid
            """);
        var up = Fluid(TimeSpan.FromMinutes(4), "up", "-f", manifest, "--timeout", "90s");
        Assert.Equal(1, up.ExitCode);
        Assert.Contains($"default/{_name}-locked: SecretNotFound", up.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Secret default/{_name}-missing does not exist", up.Stderr, StringComparison.Ordinal);

        using var client = new KubeClient(KubeConfigLoader.LoadFiles([Path.Combine(_home, "server", "kubeconfig")]));
        var condition = await WaitAsync("the unreachable source's MetadataSynced condition", async () =>
        {
            var dataset = await client.Resource("data.fluid.io/v1alpha1", "Dataset").GetAsync(_name, "default");
            return (dataset["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(c => c["type"]?.GetValue<string>() == "MetadataSynced" && c["status"]?.GetValue<string>() == "False");
        }, TimeSpan.FromMinutes(1));
        Assert.Contains("127.0.0.1:9", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // Nothing crash-loops: the reachable parts run, the pod that needs the Secret waits with the reason.
        var pods = await client.Resource("v1", "Pod").ListAsync(null, "default");
        Assert.All(pods.Items, p => Assert.All((p["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>(), c => Assert.True(c["restartCount"]!.GetValue<int>() == 0, $"{p["metadata"]!["name"]} restarted: {c.ToJsonString()}")));
        var waiting = pods.Items.Single(p => p["metadata"]!["name"]!.GetValue<string>() == $"{_name}-locked-master-0");
        Assert.Contains($"{_name}-missing", waiting["status"]!["containerStatuses"]![0]!["state"]!["waiting"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_fluidd_is_killed_fluid_up_brings_the_mount_back_with_nothing_of_the_old_one_left()
    {
        var files = WriteSamples();
        var manifest = SamplesManifest("");
        var up = Fluid(TimeSpan.FromMinutes(4), "up", "-f", manifest);
        Assert.True(up.ExitCode == 0, up.Stderr);
        var mount = MountOf(up.Stdout);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_source, files[5])), File.ReadAllBytes(Path.Combine(mount, files[5])));
        var before = FuseProcesses(_name);
        Assert.NotEmpty(before);

        // SIGKILL: no clean-up at all; the pods' processes outlive fluidd.
        var pid = int.Parse(File.ReadAllText(Path.Combine(_home, "server", "fluidd.pid")).Split(' ')[0], CultureInfo.InvariantCulture);
        Process.GetProcessById(pid).Kill();
        await Task.Delay(500);

        up = Fluid(TimeSpan.FromMinutes(4), "up", "-f", manifest);
        Assert.True(up.ExitCode == 0, up.Stderr + Log());
        Assert.Contains($"default/{_name} mounted at {mount}", up.Stdout, StringComparison.Ordinal);
        foreach (var file in files)
        {
            byte[] read;
            try
            {
                read = File.ReadAllBytes(Path.Combine(mount, file));
            }
            catch (IOException e)
            {
                throw new Xunit.Sdk.XunitException($"reading {file} through the mount after `fluid up` said it was mounted: {e.Message}\nmountinfo:\n{string.Join('\n', File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(_name, StringComparison.Ordinal)))}\nfluidd log:\n{Log()}");
            }

            Assert.Equal(File.ReadAllBytes(Path.Combine(_source, file)), read);
        }

        Assert.Empty(FuseProcesses(_name).Intersect(before));
        Assert.Single(File.ReadLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == mount);
    }

    [Fact]
    public void An_invalid_manifest_is_refused_before_anything_starts()
    {
        var manifest = WriteManifest($"""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: {_name}
            spec:
              mounts:
                - mountPoint: ftp://example.com/data
            """);
        var up = Fluid(TimeSpan.FromMinutes(1), "up", "-f", manifest);
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("spec.mounts[0].mountPoint", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", up.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_home, "server", "fluidd.pid")), "fluidd must not start for an invalid manifest");
    }

    public void Dispose()
    {
        Fluid(TimeSpan.FromMinutes(1), "down", "--purge");
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_source, recursive: true);

        // The host directories of this test's datasets (hostPath volumes: the master's state, the mount point, worker
        // sockets) outlive them, as on a cluster; removed here unless something is still mounted below them.
        var mounted = File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).ToList();
        foreach (var root in new[] { "/var/lib/fluid/default", "/runtime-mnt/fluid/default" }.Where(Directory.Exists))
        {
            foreach (var directory in Directory.GetDirectories(root, _name + "*"))
            {
                if (!mounted.Any(m => m.StartsWith(directory + "/", StringComparison.Ordinal) || m == directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
    }

    private List<string> WriteSamples()
    {
        var random = new Random(7);
        var names = new List<string>();
        var sizes = new[] { 0, 1, 4095, 4096, 65_537, 1 << 20, (3 << 20) + 17, 5 << 20 };
        Directory.CreateDirectory(Path.Combine(_source, "nested", "deeper"));
        for (var i = 0; i < sizes.Length; i++)
        {
            var name = i % 3 == 2 ? Path.Combine("nested", i % 2 == 0 ? "deeper" : "", $"part-{i}.bin") : $"file-{i}.bin";
            var bytes = new byte[sizes[i]];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(_source, name), bytes);
            names.Add(name);
        }

        return names;
    }

    // The samples folder as a dataset of this test's name, with a CacheRuntime whose spec adds the given YAML (indented under spec).
    private string SamplesManifest(string runtimeSpec) => WriteManifest($"""
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata:
          name: {_name}
        spec:
          mounts:
            - name: samples
              mountPoint: local://{_source}
              path: /
        ---
        apiVersion: data.fluid.io/v1alpha1
        kind: CacheRuntime
        metadata:
          name: {_name}
        spec:
          runtimeClassName: fluid
        {runtimeSpec}
        """);

    // The directory `fluid up` printed for this test's dataset: "default/NAME mounted at PATH".
    private string MountOf(string stdout)
    {
        var prefix = $"default/{_name} mounted at ";
        return stdout.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim();
    }

    private string WriteManifest(string yaml)
    {
        var path = Path.Combine(_home, $"manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private (int ExitCode, string Stdout, string Stderr) Fluid(TimeSpan timeout, params string[] args) =>
        FluidProcess.Run(FluidProcess.RepoRoot, _env, timeout, args);

    private string Log() => File.Exists(Path.Combine(_home, "server", "fluidd.log")) ? File.ReadAllText(Path.Combine(_home, "server", "fluidd.log")) : "";

    private static bool Mounted(string name) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Contains($"/default/{name}/", StringComparison.Ordinal) || l.Contains($":default/{name} ", StringComparison.Ordinal));

    private static int ProcessesOf(string name) => Processes($"HOSTNAME={name}-").Count;

    private static List<int> FuseProcesses(string name) => Processes($"HOSTNAME={name}-fuse-");

    private static List<int> Processes(string environmentPrefix)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // The agent gives every container its pod's name as HOSTNAME, as kubelet does; children inherit it.
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Any(v => v.StartsWith(environmentPrefix, StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private async Task<T> WaitAsync<T>(string what, Func<Task<T?>> probe, TimeSpan timeout)
        where T : class
    {
        try
        {
            return await ClusterFixture.Eventually(what, probe, timeout.TotalSeconds, pollMilliseconds: 500);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; fluidd log:\n{Log()}", e);
        }
    }
}
