using System.CommandLine;
using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Embedded.Agent;
using Fluid.Kube;
using Fluid.Kube.Http;
using Spectre.Console;

namespace Fluid.Cli.Commands;

/// <summary>`fluid up` and `fluid down`: the whole embedded platform from one file, on this machine.</summary>
internal static class UpCommand
{
    private const string FieldManager = "fluid";

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
            var documents = Read(result.GetValue(files)!);
            using var client = await EmbeddedFluidd.EnsureRunningAsync(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"), ct).ConfigureAwait(false);
            foreach (var document in documents)
            {
                AnsiConsole.WriteLine(await ApplyAsync(client, document.Json!, ct).ConfigureAwait(false));
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
                var documents = Read(paths);
                if (EmbeddedFluidd.RunningPid() is null)
                {
                    throw new CliException("fluidd is not running, so nothing can be deleted; start it with `fluid up -f FILE` first, or use `fluid down --purge` to forget every object");
                }

                using var client = await EmbeddedFluidd.EnsureRunningAsync(_ => { }, ct).ConfigureAwait(false);
                foreach (var document in documents.AsEnumerable().Reverse())
                {
                    await DeleteAsync(client, document.Json!, ct).ConfigureAwait(false);
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

        if (Environment.UserName != "root" && !IsRoot())
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

    private static bool IsRoot() => File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0";

    /// <summary>Reads and validates every manifest; nothing is applied when one is invalid.</summary>
    internal static List<ManifestDocument> Read(string[] paths)
    {
        var documents = new List<ManifestDocument>();
        var problems = new List<string>();
        foreach (var path in paths)
        {
            var found = path == "-" || File.Exists(path) ? [path]
                : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json").Order(StringComparer.Ordinal).ToList()
                : throw new CliException($"-f {path}: no such file or directory");
            foreach (var file in found)
            {
                foreach (var document in ManifestReader.ReadFile(file))
                {
                    ManifestChecks.Run(document);
                    problems.AddRange(document.Errors.Select(e => $"{document.Source}:{document.Display}: {e}"));
                    if (document.Json is not null && document.Errors.Count == 0)
                    {
                        documents.Add(document);
                    }
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new CliException("the manifests are not valid, nothing was applied:\n  " + string.Join("\n  ", problems));
        }

        return documents.Count > 0 ? documents : throw new CliException($"-f {string.Join(' ', paths)}: no objects found");
    }

    private static async Task<string> ApplyAsync(KubeClient client, JsonObject manifest, CancellationToken ct)
    {
        var copy = (JsonObject)manifest.DeepClone();
        var apiVersion = copy["apiVersion"]?.GetValue<string>() ?? "";
        var kind = copy["kind"]?.GetValue<string>() ?? "";
        var metadata = (JsonObject)copy["metadata"]!;
        var name = metadata["name"]?.GetValue<string>() ?? "";
        ResourceClient<JsonObject> resource;
        try
        {
            resource = client.Resource(apiVersion, kind);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{kind}/{name}: {e.Message}");
        }

        if (resource.Descriptor.Namespaced && metadata["namespace"] is null)
        {
            metadata["namespace"] = "default";
        }

        var ns = metadata["namespace"]?.GetValue<string>();
        var before = await resource.TryGetAsync(name, ns, ct).ConfigureAwait(false);
        try
        {
            var after = await resource.ApplyAsync(copy, FieldManager, force: true, ct).ConfigureAwait(false);
            var what = $"{Singular(resource.Descriptor)}/{name}";
            return before is null ? $"{what} created"
                : before["metadata"]?["resourceVersion"]?.GetValue<string>() == after["metadata"]?["resourceVersion"]?.GetValue<string>() ? $"{what} unchanged"
                : $"{what} configured";
        }
        catch (KubeApiException e) when ((int)e.StatusCode is 400 or 409 or 422)
        {
            throw new CliException($"{kind}/{name}: {e.Message}");
        }
    }

    // kubectl names an object kind.group/name, the kind in lower case.
    private static string Singular(Kube.Resources.ResourceDescriptor descriptor) =>
        descriptor.Group.Length == 0 ? descriptor.Kind.ToLowerInvariant() : $"{descriptor.Kind.ToLowerInvariant()}.{descriptor.Group}";

    private static async Task DeleteAsync(KubeClient client, JsonObject manifest, CancellationToken ct)
    {
        var resource = client.Resource(manifest["apiVersion"]?.GetValue<string>() ?? "", manifest["kind"]?.GetValue<string>() ?? "");
        var name = manifest["metadata"]?["name"]?.GetValue<string>() ?? "";
        var ns = resource.Descriptor.Namespaced ? manifest["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        if (await resource.DeleteAsync(name, ns, cancellationToken: ct).ConfigureAwait(false) is null)
        {
            return;
        }

        // Finalizers run the engine's shutdown (volume, node labels); wait for them like kubectl delete does.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (await resource.TryGetAsync(name, ns, ct).ConfigureAwait(false) is { } left)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new CliException($"{manifest["kind"]}/{name} is still there after 60 s, held by finalizers {left["metadata"]?["finalizers"]?.ToJsonString()}; see `fluid describe {manifest["kind"]} {name}`");
            }

            await Task.Delay(250, ct).ConfigureAwait(false);
        }

        Console.WriteLine($"{Singular(resource.Descriptor)} \"{name}\" deleted");
    }

    /// <summary>Waits for the dataset to be bound, asks for its FUSE here and waits for the mount; null (with the reason printed) on failure.</summary>
    private static async Task<string?> UpAsync(KubeClient client, string ns, string name, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var datasets = client.Resource("data.fluid.io/v1alpha1", "Dataset");
        string? path = null;
        string? problem = null;
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
                    var pv = await client.Resource("v1", "PersistentVolume").TryGetAsync($"{ns}-{name}", cancellationToken: ct).ConfigureAwait(false);
                    var fusePath = pv?["spec"]?["csi"]?["volumeAttributes"]?["fluid_path"]?.GetValue<string>();
                    if (fusePath is not null)
                    {
                        status.Status($"{ns}/{name}: bound, mounting at {fusePath}");
                        var nodes = await client.Resource("v1", "Node").ListAsync(cancellationToken: ct).ConfigureAwait(false);
                        foreach (var node in nodes.Items)
                        {
                            await FuseNodes.RequestAsync(client, node["metadata"]!["name"]!.GetValue<string>(), ns, name, ct).ConfigureAwait(false);
                        }

                        if (FuseNodes.IsMounted(fusePath))
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

            if (reason is "BackOff" or "CreateContainerConfigError" && involved.StartsWith(name + "-", StringComparison.Ordinal))
            {
                return $"pod {involved}: {e["message"]} (logs: kubectl logs {involved} -n {ns})";
            }
        }

        return null;
    }
}
