using System.CommandLine;
using System.Text.Json.Nodes;
using Fluid.Embedded.Agent;
using Fluid.Kube;
using Spectre.Console;

namespace Fluid.Cli.Commands;

/// <summary>`fluid up` and `fluid down`: the whole embedded platform from one file, on this machine.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Manifest files or directories (*.yaml, *.yml, *.json) with Datasets and their runtimes; - reads standard input.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for each dataset to be bound and mounted, e.g. 90s or 5m (default 3m).",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(3),
            CustomParser = Duration,
        };
        var command = new Command("up", """
            Bring datasets up on this machine and mount them as directories. Starts fluidd in the background when it
            is not running (data in $FLUID_HOME/server, FLUID_HOME defaults to ~/.fluid), applies the manifests, waits
            for each Dataset to be Bound to its runtime, mounts it through FUSE and prints one line per dataset:

              default/demo mounted at /runtime-mnt/fluid/default/demo/fluid-fuse

            The directory is readable by any local program. The same YAML runs on a cluster (kubectl apply -f).
            Needs root (pods run in their own mount namespaces; FUSE mounts) and fuse3.

              fluid up -f examples/local-cacheruntime.yaml
              fluid load demo
              fluid down
            """)
        {
            files, timeout,
        };
        command.SetAction(async (result, ct) =>
        {
            Preflight();
            var documents = Cluster.ApplyCommand.Read(result.GetValue(files)!);
            using var connection = await EmbeddedFluidd.EnsureRunningAsync(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"), ct).ConfigureAwait(false);
            var client = connection.Client;
            if (await Cluster.ApplyCommand.ApplyAsync(connection, documents, force: true, ct).ConfigureAwait(false) != 0)
            {
                return 1;
            }

            var datasets = documents.Where(d => d.Json?["kind"]?.GetValue<string>() == "Dataset").Select(d => d.Json!).ToList();
            var failed = false;
            foreach (var dataset in datasets)
            {
                var ns = dataset["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
                var name = dataset["metadata"]!["name"]!.GetValue<string>();
                var path = await UpAsync(client, ns, name, result.GetValue(timeout), ct).ConfigureAwait(false);
                if (path is null)
                {
                    failed = true;
                    continue;
                }

                Console.WriteLine($"{ns}/{name} mounted at {path}");
            }

            return failed ? 1 : 0;
        });
        return command;
    }

    public static Command CreateDown()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Delete the objects of these manifests first (their datasets' caches, mounts and volumes go with them).",
            Arity = ArgumentArity.OneOrMore,
        };
        var purge = new Option<bool>("--purge") { Description = "Also remove fluidd's store ($FLUID_HOME/server): every object is forgotten." };
        var command = new Command("down", """
            Stop the fluidd that `fluid up` started: its pods (masters, workers, FUSE mounts) stop with it. Objects stay
            in its store, so the next `fluid up` brings them back, unless -f deletes them first or --purge forgets all.

              fluid down -f examples/local-cacheruntime.yaml
            """)
        {
            files, purge,
        };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(files) is { Length: > 0 } paths)
            {
                if (EmbeddedFluidd.RunningPid() is null)
                {
                    throw new CliException("fluidd is not running, so nothing can be deleted; start it with `fluid up -f FILE` first, or use `fluid down --purge` to forget every object");
                }

                using var connection = await EmbeddedFluidd.EnsureRunningAsync(_ => { }, ct).ConfigureAwait(false);
                if (await Cluster.DeleteCommand.DeleteManifestsAsync(connection, paths, TimeSpan.FromMinutes(2), ct).ConfigureAwait(false) != 0)
                {
                    throw new CliException("some objects were not deleted (see above); fluidd keeps running so you can look: fluid get datasets");
                }
            }

            Console.WriteLine(await EmbeddedFluidd.StopAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false) ? "fluidd stopped" : "fluidd was not running");
            if (result.GetValue(purge) && Directory.Exists(EmbeddedFluidd.Directory))
            {
                Directory.Delete(EmbeddedFluidd.Directory, recursive: true);
                Console.WriteLine($"removed {EmbeddedFluidd.Directory}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>A kubectl-style duration option value (90s, 5m, 1h30m).</summary>
    internal static TimeSpan Duration(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Fluid.Api.Core.GoDuration.TryParse(text, out var duration, out var error) && duration.Value > TimeSpan.Zero)
        {
            return duration.Value;
        }

        result.AddError($"{"--timeout"} \"{text}\": {error ?? "must be more than 0"}; give a duration such as 90s, 5m or 1h");
        return default;
    }

    private static void Preflight()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new CliException("fluid up runs the cache as Linux processes with FUSE mounts; use a Linux machine, or a cluster with kubectl apply -f");
        }

        if (!LocalProcess.IsRoot())
        {
            throw new CliException("fluid up needs root: its pods run in their own mount namespaces and the dataset is mounted through FUSE; run it again with sudo");
        }

        if (!File.Exists("/dev/fuse"))
        {
            throw new CliException("/dev/fuse is missing: load the fuse module (modprobe fuse), or on a container give it --device /dev/fuse");
        }

        if (!new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/lib", "/usr/lib64" }.Any(d => File.Exists(Path.Combine(d, "libfuse3.so.3"))))
        {
            throw new CliException("libfuse3 is not installed; install it with: sudo apt-get install -y fuse3");
        }
    }

    /// <summary>Waits for the dataset to be bound, asks for its FUSE here and waits for the mount; null (with the reason printed) on failure.</summary>
    private static async Task<string?> UpAsync(KubeClient client, string ns, string name, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var datasets = client.Resource("data.fluid.io/v1alpha1", "Dataset");
        string? path = null;
        string? problem = null;
        var requested = false;
        await AnsiConsole.Status().StartAsync($"{ns}/{name}: waiting to be bound", async status =>
        {
            while (DateTimeOffset.UtcNow < deadline)
            {
                var dataset = await datasets.TryGetAsync(name, ns, ct).ConfigureAwait(false);
                var phase = dataset?["status"]?["phase"]?.GetValue<string>() ?? "NotBound";
                if (await BlockerAsync(client, ns, name, dataset, ct).ConfigureAwait(false) is { } blocker)
                {
                    problem = blocker;
                    return;
                }

                if (phase == "Bound")
                {
                    // The dataset's claim (named after it) says which volume, and the volume where its FUSE mounts.
                    var claim = await client.Resource("v1", "PersistentVolumeClaim").TryGetAsync(name, ns, ct).ConfigureAwait(false);
                    var pv = claim?["spec"]?["volumeName"]?.GetValue<string>() is { } volume
                        ? await client.Resource("v1", "PersistentVolume").TryGetAsync(volume, cancellationToken: ct).ConfigureAwait(false)
                        : null;
                    var fusePath = pv?["spec"]?["csi"]?["volumeAttributes"]?["fluid_path"]?.GetValue<string>();
                    if (fusePath is not null)
                    {
                        status.Status($"{ns}/{name}: bound, mounting at {fusePath}");
                        if (!requested)
                        {
                            var nodes = await client.Resource("v1", "Node").ListAsync(cancellationToken: ct).ConfigureAwait(false);
                            foreach (var node in nodes.Items)
                            {
                                await FuseNodes.RequestAsync(client, node["metadata"]!["name"]!.GetValue<string>(), ns, name, ct).ConfigureAwait(false);
                            }

                            requested = true;
                        }

                        if (FuseNodes.IsServing(fusePath))
                        {
                            path = fusePath;
                            return;
                        }
                    }
                }
                else
                {
                    status.Status($"{ns}/{name}: {phase}, waiting for its runtime");
                }

                await Task.Delay(500, ct).ConfigureAwait(false);
            }

            problem = $"not mounted within {timeout.TotalSeconds:0} s; see `fluid describe dataset {name} -n {ns}` and `kubectl get pods -n {ns}` with KUBECONFIG={EmbeddedFluidd.Kubeconfig}";
        }).ConfigureAwait(false);
        if (problem is not null)
        {
            Console.Error.WriteLine($"error: {ns}/{name}: {problem}");
        }

        return path;
    }

    // What stops a dataset for good until the user acts: a runtime the engine rejects, a missing Secret, a crash-looping pod.
    private static async Task<string?> BlockerAsync(KubeClient client, string ns, string name, JsonObject? dataset, CancellationToken ct)
    {
        if (dataset is null)
        {
            return "the dataset is gone (deleted while waiting)";
        }

        foreach (var condition in dataset["status"]?["conditions"] as JsonArray ?? [])
        {
            if (condition?["status"]?.GetValue<string>() == "False" && condition["type"]?.GetValue<string>() is "SecretsReady")
            {
                return $"{condition["reason"]}: {condition["message"]}";
            }
        }

        var events = await client.Resource("v1", "Event").ListAsync(new Kube.Resources.ListOptions { FieldSelector = "type=Warning" }, ns, ct).ConfigureAwait(false);
        foreach (var e in events.Items)
        {
            var reason = e["reason"]?.GetValue<string>();
            var involved = e["involvedObject"]?["name"]?.GetValue<string>() ?? "";
            if (reason is "InvalidSpec" or "NoEngine" && involved == name)
            {
                return $"runtime {name}: {e["message"]}";
            }

            if (reason is "BackOff" or "CreateContainerConfigError" && IsRuntimePod(involved, name))
            {
                return $"pod {involved}: {e["message"]} (logs: kubectl logs {involved} -n {ns})";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a pod is one of the runtime's: master and worker StatefulSet pods, FUSE DaemonSet pods. A prefix
    /// match would take dataset `a-b`'s pods for dataset `a`'s.
    /// </summary>
    internal static bool IsRuntimePod(string pod, string runtime) =>
        pod.StartsWith(runtime + "-", StringComparison.Ordinal)
        && System.Text.RegularExpressions.Regex.IsMatch(pod[(runtime.Length + 1)..], "^(master-[0-9]+|worker-[0-9]+|fuse-[a-z0-9]+)$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
}
