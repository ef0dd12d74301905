using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Cache.Client;
using Fluid.Control.Native;
using Fluid.Control.Reconcilers;
using Fluid.Kube.Resources;

namespace Fluid.Control.Tests.Reconcilers;

/// <summary>The reconcilers through the Kubernetes API of a real fluidd, as a user and kubelet would see them.</summary>
public sealed class ReconcilersAgainstFluiddTests(ControllerFixture cluster) : IClassFixture<ControllerFixture>
{
    private const string Fluid = "data.fluid.io/v1alpha1";

    [Fact]
    public async Task A_cache_runtime_comes_up_binds_its_dataset_runs_a_dataload_and_goes_away_only_when_no_pod_uses_it()
    {
        await Create(Dataset("life"));
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"CacheRuntime","metadata":{"name":"life"},"spec":{"runtimeClassName":"fluid","worker":{"replicas":2}}}"""));

        var dataset = await cluster.EventuallyAsync("the dataset's finalizer and NotBound", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "life") is { } d && d["status"]?["phase"]?.GetValue<string>() == "NotBound" ? d : null);
        Assert.Equal(DatasetReconciler.Finalizer, dataset["metadata"]!["finalizers"]![0]!.GetValue<string>());
        Assert.Equal("local:///data", dataset["status"]!["mounts"]![0]!["mountPoint"]!.GetValue<string>());

        var runtime = await cluster.GetAsync(Fluid, "CacheRuntime", "life");
        var master = await cluster.EventuallyAsync("the master StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "life-master"));
        Assert.Equal(runtime!["metadata"]!["uid"]!.GetValue<string>(), master["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        Assert.NotNull(await cluster.GetAsync("v1", "Secret", "life-token"));
        Assert.NotNull(await cluster.GetAsync("v1", "ConfigMap", "life-dataset"));
        Assert.Null(await cluster.GetAsync("apps/v1", "StatefulSet", "life-worker"));

        // Kubelet's part: the master pod runs and is ready.
        await cluster.MarkReadyAsync("StatefulSet", "life-master");
        var worker = await cluster.EventuallyAsync("the worker StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "life-worker"));
        Assert.Equal(2, worker["spec"]!["replicas"]!.GetValue<int>());
        Assert.NotNull(await cluster.EventuallyAsync("the FUSE DaemonSet", () => cluster.GetAsync("apps/v1", "DaemonSet", "life-fuse")));
        Assert.Equal("NotBound", (await cluster.GetAsync(Fluid, "Dataset", "life"))!["status"]!["phase"]!.GetValue<string>());

        await cluster.MarkReadyAsync("StatefulSet", "life-worker");
        await cluster.EventuallyAsync("the dataset Bound", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "life") is { } d && d["status"]?["phase"]?.GetValue<string>() == "Bound" ? d : null);
        var ready = await cluster.EventuallyAsync("the runtime's master and workers Ready", async () =>
            await cluster.GetAsync(Fluid, "CacheRuntime", "life") is { } r && r["status"]?["worker"]?["phase"]?.GetValue<string>() == "Ready" ? r : null);
        Assert.Equal("Ready", ready["status"]!["master"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, ready["status"]!["worker"]!["readyReplicas"]!.GetValue<int>());
        var claim = await cluster.EventuallyAsync("the dataset's PersistentVolumeClaim", () => cluster.GetAsync("v1", "PersistentVolumeClaim", "life"));
        Assert.Equal("default-life", claim["spec"]!["volumeName"]!.GetValue<string>());
        Assert.NotNull(await cluster.GetAsync("v1", "PersistentVolume", "default-life", null));
        Assert.Equal(dataset["metadata"]!["uid"]!.GetValue<string>(), (await cluster.GetAsync(Fluid, "CacheRuntime", "life"))!["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());

        // A DataLoad: Job created by the engine; the job controller's part (Complete) is written by the test.
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"DataLoad","metadata":{"name":"life-warm"},"spec":{"dataset":{"name":"life","namespace":"default"},"target":[{"path":"/train"}]}}"""));
        var job = await cluster.EventuallyAsync("the loader Job", () => cluster.GetAsync("batch/v1", "Job", "life-warm-loader-job"));
        Assert.Contains("/train", job["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        await cluster.EventuallyAsync("the DataLoad Executing holding the dataset's lock", async () =>
            await cluster.GetAsync(Fluid, "DataLoad", "life-warm") is { } l && l["status"]?["phase"]?.GetValue<string>() == "Executing"
            && (await cluster.GetAsync(Fluid, "Dataset", "life"))?["status"]?["operationRef"]?[DataLoadReconciler.LockKey]?.GetValue<string>() == "life-warm" ? l : null);

        await cluster.Client.Resource("batch/v1", "Job").UpdateAsync("life-warm-loader-job", j =>
        {
            j["status"] = new JsonObject { ["succeeded"] = 1, ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True" }) };
            return true;
        }, "default", status: true);
        var done = await cluster.EventuallyAsync("the DataLoad Complete", async () =>
            await cluster.GetAsync(Fluid, "DataLoad", "life-warm") is { } l && l["status"]?["phase"]?.GetValue<string>() == "Complete" ? l : null);
        Assert.NotEqual("Unfinished", done["status"]!["duration"]!.GetValue<string>());
        Assert.Equal("Complete", done["status"]!["conditions"]![0]!["type"]!.GetValue<string>());
        await cluster.EventuallyAsync("the dataset's DataLoad lock released", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "life") is { } d && d["status"]?["operationRef"]?[DataLoadReconciler.LockKey] is null ? d : null);

        // A pod that mounts the dataset's claim holds its deletion.
        await Create(ControllerFixture.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"life-app"},"spec":{"containers":[{"name":"app","image":"busybox"}],"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"life"}}]}}"""));
        await cluster.Client.Resource(Fluid, "Dataset").DeleteAsync("life", "default");
        var warnings = await cluster.EventuallyAsync("a DatasetInUse warning", async () =>
            await cluster.WarningsAsync("Dataset", "life") is { } w && w.Any(x => x.StartsWith("DatasetInUse", StringComparison.Ordinal)) ? w : null);
        Assert.Contains(warnings, w => w.Contains("life-app", StringComparison.Ordinal));
        await Task.Delay(1000);
        Assert.NotNull(await cluster.GetAsync(Fluid, "Dataset", "life"));
        Assert.NotNull(await cluster.GetAsync("apps/v1", "StatefulSet", "life-worker"));

        await cluster.Client.Resource("v1", "Pod").DeleteAsync("life-app", "default", new DeleteOptions { GracePeriodSeconds = 0 });
        await cluster.EventuallyAsync("the dataset gone", async () => await cluster.GetAsync(Fluid, "Dataset", "life") is null ? new JsonObject() : null);
        await cluster.EventuallyAsync("the runtime's objects gone", async () =>
            await cluster.GetAsync("apps/v1", "StatefulSet", "life-worker") is null
            && await cluster.GetAsync("apps/v1", "StatefulSet", "life-master") is null
            && await cluster.GetAsync("v1", "PersistentVolumeClaim", "life") is null
            && await cluster.GetAsync("v1", "PersistentVolume", "default-life", null) is null
            && await cluster.GetAsync(Fluid, "CacheRuntime", "life") is null ? new JsonObject() : null);
    }

    [Fact]
    public async Task A_runtime_deleted_before_its_dataset_shuts_its_engine_down_volume_and_fuse_label_included()
    {
        await Create(Dataset("alone"));
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"CacheRuntime","metadata":{"name":"alone"},"spec":{"runtimeClassName":"fluid","worker":{"replicas":1}}}"""));
        await cluster.EventuallyAsync("the master StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "alone-master"));
        await cluster.MarkReadyAsync("StatefulSet", "alone-master");
        await cluster.EventuallyAsync("the worker StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "alone-worker"));
        await cluster.MarkReadyAsync("StatefulSet", "alone-worker");
        await cluster.EventuallyAsync("the volume", () => cluster.GetAsync("v1", "PersistentVolume", "default-alone", null));
        var runtime = await cluster.GetAsync(Fluid, "CacheRuntime", "alone");
        Assert.Contains(RuntimeReconciler.Finalizer, runtime!["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));

        // A node asked for the dataset's FUSE (as the CSI plugin or fluidd's agent does for a pod).
        await cluster.Client.Resource("v1", "Node").CreateAsync(ControllerFixture.Parse("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"alone-node","labels":{"fluid.io/f-default-alone":"true","keep":"me"}}}"""));
        await cluster.Client.Resource(Fluid, "CacheRuntime").DeleteAsync("alone", "default");
        await cluster.EventuallyAsync("the runtime, its volume and the node's FUSE label gone", async () =>
            await cluster.GetAsync(Fluid, "CacheRuntime", "alone") is null
            && await cluster.GetAsync("v1", "PersistentVolume", "default-alone", null) is null
            && await cluster.GetAsync("v1", "Node", "alone-node", null) is { } node
            && node["metadata"]!["labels"]!["fluid.io/f-default-alone"] is null
            && node["metadata"]!["labels"]!["keep"]!.GetValue<string>() == "me" ? node : null);
        await cluster.EventuallyAsync("the dataset NotBound again", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "alone") is { } d && d["status"]?["phase"]?.GetValue<string>() == "NotBound" ? d : null);
        await cluster.Client.Resource(Fluid, "Dataset").DeleteAsync("alone", "default");
        await cluster.Client.Resource("v1", "Node").DeleteAsync("alone-node");
    }

    [Fact]
    public async Task An_alluxio_runtime_reports_ignored_fields_and_follows_its_scale_subresource()
    {
        await Create(Dataset("scaled"));
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"AlluxioRuntime","metadata":{"name":"scaled"},"spec":{"replicas":1,"properties":{"alluxio.user.block.size.bytes.default":"256MB"}}}"""));
        var warnings = await cluster.EventuallyAsync("an ignored-field warning", async () =>
            await cluster.WarningsAsync("AlluxioRuntime", "scaled") is { } w && w.Any(x => x.StartsWith("FieldIgnored", StringComparison.Ordinal)) ? w : null);
        Assert.Contains(warnings, w => w.Contains("spec.properties", StringComparison.Ordinal));

        await cluster.EventuallyAsync("the master StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "scaled-master"));
        await cluster.MarkReadyAsync("StatefulSet", "scaled-master");
        await cluster.EventuallyAsync("the worker StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "scaled-worker"));
        await cluster.MarkReadyAsync("StatefulSet", "scaled-worker");
        await cluster.EventuallyAsync("the dataset Bound", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "scaled") is { } d && d["status"]?["phase"]?.GetValue<string>() == "Bound" ? d : null);

        // What `kubectl scale alluxioruntime scaled --replicas=3` does.
        var runtimes = cluster.Client.Resource(Fluid, "AlluxioRuntime");
        var scale = await runtimes.GetScaleAsync("scaled", "default");
        scale.Spec.Replicas = 3;
        await runtimes.ReplaceScaleAsync("scaled", scale, "default");
        await cluster.EventuallyAsync("the worker StatefulSet at 3 replicas", async () =>
            await cluster.GetAsync("apps/v1", "StatefulSet", "scaled-worker") is { } s && s["spec"]?["replicas"]?.GetValue<int>() == 3 ? s : null);
    }

    [Fact]
    public async Task Two_dataloads_of_one_dataset_take_turns_and_a_finished_one_goes_after_its_ttl()
    {
        await Create(Dataset("turns"));
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"JuiceFSRuntime","metadata":{"name":"turns"},"spec":{"replicas":1}}"""));
        await cluster.EventuallyAsync("the master StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "turns-master"));
        await cluster.MarkReadyAsync("StatefulSet", "turns-master");
        await cluster.EventuallyAsync("the worker StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "turns-worker"));
        await cluster.MarkReadyAsync("StatefulSet", "turns-worker");
        await cluster.EventuallyAsync("the dataset Bound", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "turns") is { } d && d["status"]?["phase"]?.GetValue<string>() == "Bound" ? d : null);

        foreach (var name in new[] { "turns-a", "turns-b" })
        {
            await Create(ControllerFixture.Parse($$$"""{"apiVersion":"data.fluid.io/v1alpha1","kind":"DataLoad","metadata":{"name":"{{{name}}}"},"spec":{"dataset":{"name":"turns"},"ttlSecondsAfterFinished":1}}"""));
        }

        // One runs, the other waits for the dataset's lock, whichever the controller saw first.
        var (running, waiting) = await cluster.EventuallyAsync("one DataLoad Executing and one Pending on the lock", async () =>
        {
            var a = await cluster.GetAsync(Fluid, "DataLoad", "turns-a");
            var b = await cluster.GetAsync(Fluid, "DataLoad", "turns-b");
            string? Phase(JsonObject? l) => l?["status"]?["phase"]?.GetValue<string>();
            string? Reason(JsonObject? l) => l?["status"]?["conditions"]?[0]?["reason"]?.GetValue<string>();
            return Phase(a) == "Executing" && Phase(b) == "Pending" && Reason(b) == "DatasetLocked" ? Tuple.Create("turns-a", "turns-b")
                : Phase(b) == "Executing" && Phase(a) == "Pending" && Reason(a) == "DatasetLocked" ? Tuple.Create("turns-b", "turns-a")
                : null;
        }).ContinueWith(t => (t.Result.Item1, t.Result.Item2), TaskScheduler.Default);
        Assert.Null(await cluster.GetAsync("batch/v1", "Job", waiting + "-loader-job"));

        await cluster.Client.Resource("batch/v1", "Job").UpdateAsync(running + "-loader-job", j =>
        {
            j["status"] = new JsonObject { ["failed"] = 1, ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit" }) };
            return true;
        }, "default", status: true);
        await cluster.EventuallyAsync("the other DataLoad Executing once the lock is released", async () =>
            await cluster.GetAsync(Fluid, "DataLoad", waiting) is { } l && l["status"]?["phase"]?.GetValue<string>() == "Executing" ? l : null);
        Assert.NotNull(await cluster.GetAsync("batch/v1", "Job", waiting + "-loader-job"));
        await cluster.EventuallyAsync("the failed DataLoad deleted after its ttl", async () => await cluster.GetAsync(Fluid, "DataLoad", running) is null ? new JsonObject() : null);
    }

    [Fact]
    public async Task A_dataset_naming_a_missing_secret_gets_a_condition_and_a_warning_and_recovers_when_it_appears()
    {
        var dataset = Dataset("secret");
        dataset["spec"]!["mounts"]![0]!["mountPoint"] = "s3://bucket/data";
        dataset["spec"]!["mounts"]![0]!["encryptOptions"] = new JsonArray(new JsonObject
        {
            ["name"] = "aws.secretAccessKey",
            ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "s3-creds", ["key"] = "secret" } },
        });
        await Create(dataset);
        var failed = await cluster.EventuallyAsync("a SecretsReady=False condition", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "secret") is { } d && Condition(d, DatasetReconciler.SecretsCondition)?["status"]?.GetValue<string>() == "False" ? d : null);
        Assert.Equal("SecretNotFound", Condition(failed, DatasetReconciler.SecretsCondition)!["reason"]!.GetValue<string>());
        Assert.Contains("spec.mounts[0].encryptOptions[0].valueFrom.secretKeyRef", Condition(failed, DatasetReconciler.SecretsCondition)!["message"]!.GetValue<string>());
        var warnings = await cluster.EventuallyAsync("a SecretNotFound warning", async () =>
            await cluster.WarningsAsync("Dataset", "secret") is { Count: > 0 } w ? w : null);
        Assert.Contains(warnings, w => w.StartsWith("SecretNotFound", StringComparison.Ordinal) && w.Contains("s3-creds", StringComparison.Ordinal));

        await Create(ControllerFixture.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s3-creds"},"stringData":{"secret":"x"}}"""));
        await cluster.EventuallyAsync("SecretsReady=True once the Secret exists", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "secret") is { } d && Condition(d, DatasetReconciler.SecretsCondition)?["status"]?.GetValue<string>() == "True" ? d : null, seconds: 25);
    }

    [Fact]
    public async Task A_runtime_no_engine_serves_gets_a_condition_and_a_warning_naming_the_field()
    {
        await Create(Dataset("alien"));
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"CacheRuntime","metadata":{"name":"alien"},"spec":{"runtimeClassName":"curvine"}}"""));
        var rejected = await cluster.EventuallyAsync("a Validated=False condition", async () =>
            await cluster.GetAsync(Fluid, "CacheRuntime", "alien") is { } r && Condition(r, RuntimeReconciler.ValidCondition) is { } c && c["status"]?.GetValue<string>() == "False" ? r : null);
        Assert.StartsWith("spec.runtimeClassName:", Condition(rejected, RuntimeReconciler.ValidCondition)!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await cluster.EventuallyAsync("a NoEngine warning", async () =>
            await cluster.WarningsAsync("CacheRuntime", "alien") is { } w && w.Any(x => x.StartsWith("NoEngine", StringComparison.Ordinal)) ? w : null);
        Assert.Null(await cluster.GetAsync("apps/v1", "StatefulSet", "alien-master"));
    }

    [Fact]
    public async Task A_dataload_of_a_dataset_without_a_runtime_stays_pending_with_the_reason()
    {
        await Create(Dataset("lonely"));
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"DataLoad","metadata":{"name":"lonely-warm"},"spec":{"dataset":{"name":"lonely","namespace":"default"}}}"""));
        var pending = await cluster.EventuallyAsync("the DataLoad Pending", async () =>
            await cluster.GetAsync(Fluid, "DataLoad", "lonely-warm") is { } l && l["status"]?["phase"]?.GetValue<string>() == "Pending" ? l : null);
        Assert.Equal("TargetDatasetNotBound", pending["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Null(await cluster.GetAsync("batch/v1", "Job", "lonely-warm-loader-job"));
    }

    [Fact]
    public async Task A_dataload_shows_the_real_loaders_growing_progress_and_ends_complete_at_100_percent()
    {
        var root = RealCache.NewRoot();
        var sizes = new Dictionary<string, int>();
        for (var t = 1; t <= 4; t++)
        {
            sizes[$"t{t}/a.bin"] = (t * RealCache.BlockSize) + 1000;
            sizes[$"t{t}/sub/b.bin"] = 5000 * t;
        }

        foreach (var (file, size) in sizes)
        {
            RealCache.WriteSource(root, file, size);
        }

        var dataset = Dataset("prog");
        dataset["spec"]!["mounts"]![0]!["mountPoint"] = $"local://{root}/source";
        dataset["spec"]!["mounts"]![0]!["path"] = "/";
        await Create(dataset);
        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"CacheRuntime","metadata":{"name":"prog"},"spec":{"runtimeClassName":"fluid","worker":{"replicas":1}}}"""));
        var secret = await cluster.EventuallyAsync("the token Secret", () => cluster.GetAsync("v1", "Secret", "prog-token"));
        var token = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![NativeManifests.TokenKey]!.GetValue<string>()));
        var typed = FluidJson.FromNode<Api.V1Alpha1.Dataset>((await cluster.GetAsync(Fluid, "Dataset", "prog"))!);
        await using var cache = await RealCache.StartAsync(root, typed, token, workers: 1);
        cluster.Masters["default/prog"] = cache.Master.Address;
        await cluster.EventuallyAsync("the master StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "prog-master"));
        await cluster.MarkReadyAsync("StatefulSet", "prog-master");
        await cluster.EventuallyAsync("the worker StatefulSet", () => cluster.GetAsync("apps/v1", "StatefulSet", "prog-worker"));
        await cluster.MarkReadyAsync("StatefulSet", "prog-worker");
        await cluster.EventuallyAsync("the dataset Bound", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "prog") is { } d && d["status"]?["phase"]?.GetValue<string>() == "Bound" ? d : null);
        var total = sizes.Values.Sum(v => (long)v);
        var figures = await cluster.EventuallyAsync("the dataset's total size and file count from the master", async () =>
            await cluster.GetAsync(Fluid, "Dataset", "prog") is { } d && d["status"]?["fileNum"]?.GetValue<string>() == "8" ? d : null);
        Assert.Equal(Naming.ByteUnits.Status(total), figures.Str("status.ufsTotal"));
        Assert.Equal("True", Condition(figures, Status.MetadataStatus.Condition)!.Str("status"));

        await Create(ControllerFixture.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"DataLoad","metadata":{"name":"prog-warm"},"spec":{"dataset":{"name":"prog"},"target":[{"path":"/t1"},{"path":"/t2"},{"path":"/t3"},{"path":"/t4"}]}}"""));
        var job = await cluster.EventuallyAsync("the loader Job", () => cluster.GetAsync("batch/v1", "Job", "prog-warm-loader-job"));
        var args = job.Container().Strings("args");
        var uid = (await cluster.GetAsync(Fluid, "DataLoad", "prog-warm"))!["metadata"]!["uid"]!.GetValue<string>();
        Assert.Equal(uid, args.Flag("--operation-id"));
        await cluster.EventuallyAsync("the DataLoad Executing", async () =>
            await cluster.GetAsync(Fluid, "DataLoad", "prog-warm") is { } l && l["status"]?["phase"]?.GetValue<string>() == "Executing" ? l : null);

        // Watch status.progress as `fluid load` would, while the Job's loader runs (here in-process, pausing after each target).
        using var stopWatching = new CancellationTokenSource();
        var seen = new List<JsonObject>();
        var watching = Task.Run(async () =>
        {
            while (!stopWatching.IsCancellationRequested)
            {
                if ((await cluster.GetAsync(Fluid, "DataLoad", "prog-warm"))?["status"]?["progress"] is JsonObject progress)
                {
                    seen.Add((JsonObject)progress.DeepClone());
                }

                await Task.Delay(150);
            }
        });
        await using (var client = await cache.ClientAsync())
        {
            var loader = new DatasetLoader(client);
            var plan = await loader.PlanAsync([.. args.TakeLast(4)], default);
            await loader.LoadAsync(plan, new LoadOptions
            {
                ReportInterval = TimeSpan.FromMilliseconds(200),
                Report = (p, ct) => client.Master.ReportProgressAsync(uid, p, ct),
                TargetLoaded = (_, ct) => Task.Delay(5000, ct), // several controller polls (every ~2 s) see each partway value
            }, default);
        }

        await cluster.Client.Resource("batch/v1", "Job").UpdateAsync("prog-warm-loader-job", j =>
        {
            j["status"] = new JsonObject { ["succeeded"] = 1, ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True" }) };
            return true;
        }, "default", status: true);
        var done = await cluster.EventuallyAsync("the DataLoad Complete", async () =>
            await cluster.GetAsync(Fluid, "DataLoad", "prog-warm") is { } l && l["status"]?["phase"]?.GetValue<string>() == "Complete" ? l : null);
        await stopWatching.CancelAsync();
        await watching;

        var final = done["status"]!["progress"]!;
        Assert.Equal(total, final["totalBytes"]!.GetValue<long>());
        Assert.Equal(total, final["loadedBytes"]!.GetValue<long>());
        Assert.Equal(8, final["totalFiles"]!.GetValue<long>());
        Assert.Equal(8, final["loadedFiles"]!.GetValue<long>());
        Assert.Equal("100.0%", final.Str("percentage"));
        Assert.Equal("0s", final.Str("eta"));
        Assert.True(final["bytesPerSecond"]!.GetValue<long>() > 0);

        var loaded = seen.Select(p => p["loadedBytes"]!.GetValue<long>()).ToList();
        Assert.All(seen, p => Assert.Equal(total, p["totalBytes"]!.GetValue<long>()));
        Assert.True(loaded.Zip(loaded.Skip(1)).All(p => p.Second >= p.First), $"loadedBytes went back: {string.Join(", ", loaded)}");
        Assert.True(loaded.Distinct().Count(b => b > 0 && b < total) >= 2, $"expected the load to be seen part way at least twice: {string.Join(", ", loaded.Distinct())}");
        var partway = seen.First(p => p["loadedBytes"]!.GetValue<long>() is var b && b > 0 && b < total);
        Assert.Matches(@"^\d{1,2}\.\d%$", partway.Str("percentage"));
    }

    private static JsonNode? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == type);

    private static JsonObject Dataset(string name) => new()
    {
        ["apiVersion"] = Fluid,
        ["kind"] = "Dataset",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["mounts"] = new JsonArray(new JsonObject { ["name"] = "data", ["mountPoint"] = "local:///data" }) },
    };

    private async Task Create(JsonObject obj) =>
        await cluster.Client.Resource(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>()).CreateAsync(obj, "default");
}
