using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Engines;
using Fluid.Control.Native;
using Fluid.Control.Status;

namespace Fluid.Control.Tests;

public class NativeEngineTests
{
    [Fact]
    public async Task Setup_creates_the_master_first_and_the_workers_only_once_the_master_is_ready()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var engine = world.Engine();

        var first = await engine.SetupAsync();
        Assert.False(first.Ready);
        Assert.Equal(SetupStep.Master, first.ReachedStep);
        Assert.Equal(
            ["apply Secret/default/demo-token", "apply ConfigMap/default/demo-dataset", "apply Service/default/demo-master", "apply StatefulSet/default/demo-master"],
            world.Cluster.Writes);
        Assert.Null(world.Get("apps/v1", "StatefulSet", "demo-worker"));

        world.ReportStatefulSet("demo-master", ready: 1);
        var second = await engine.SetupAsync();
        Assert.Equal(SetupStep.Workers, second.ReachedStep);
        Assert.NotNull(world.Get("apps/v1", "StatefulSet", "demo-worker"));
        Assert.NotNull(world.Get("apps/v1", "DaemonSet", "demo-fuse"));
        Assert.Equal("NotBound", world.Require("data.fluid.io/v1alpha1", "Dataset", "demo")["status"]?["phase"]?.GetValue<string>() ?? "NotBound");

        world.ReportStatefulSet("demo-worker", ready: 1);
        var third = await engine.SetupAsync();
        Assert.True(third.Ready);
        var dataset = world.Require("data.fluid.io/v1alpha1", "Dataset", "demo");
        Assert.Equal("Bound", dataset.Str("status.phase"));
        Assert.Equal("demo", dataset.Str("status.runtimes[0].name"));
        Assert.Equal("default", dataset.Str("status.runtimes[0].namespace"));
        Assert.Equal("Accelerate", dataset.Str("status.runtimes[0].category"));
        Assert.Equal("cache", dataset.Str("status.runtimes[0].type"));
        Assert.Equal("Ready", dataset.Str("status.conditions[0].type"));
        Assert.Equal("DatasetReady", dataset.Str("status.conditions[0].reason"));
        Assert.Equal("local:///var/lib/fluid-samples", dataset.Str("status.mounts[0].mountPoint"));
    }

    [Fact]
    public async Task The_token_survives_later_setups_so_running_workers_keep_talking_to_the_master()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        await world.Engine().SetupAsync();
        var token = world.Require("v1", "Secret", "demo-token").Str("stringData.token");
        Assert.Equal(64, token.Length);
        await world.Engine().SetupAsync();
        Assert.Equal(token, world.Require("v1", "Secret", "demo-token").Str("stringData.token"));
        Assert.Single(world.Cluster.Writes, w => w.StartsWith("apply Secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CacheRuntime_status_shows_each_components_phase_counts_and_upstreams_conditions()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var engine = world.Engine();
        await engine.SetupAsync();
        world.ReportStatefulSet("demo-master", ready: 1);
        await engine.SetupAsync();
        world.ReportStatefulSet("demo-worker", ready: 1);
        await engine.SetupAsync();

        var status = world.Require("data.fluid.io/v1alpha1", "CacheRuntime", "demo")["status"]!;
        Assert.Equal("Ready", status.Str("master.phase"));
        Assert.Equal("PartialReady", status.Str("worker.phase"));
        Assert.Equal(2, status["worker"]!["desiredReplicas"]!.GetValue<int>());
        Assert.Equal(1, status["worker"]!["readyReplicas"]!.GetValue<int>());
        Assert.Equal(1, status["worker"]!["unavailableReplicas"]!.GetValue<int>());
        Assert.Equal("Ready", status.Str("client.phase"));
        Assert.Equal("app=fluid,release=demo,role=fluid-worker", status.Str("selector"));
        var conditions = ((JsonArray)status["conditions"]!).ToDictionary(c => c!.Str("type"), c => c!);
        Assert.Equal("Master is ready", conditions["MasterReady"]!.Str("reason"));
        Assert.Equal("True", conditions["MasterReady"]!.Str("status"));
        Assert.Equal("Workers are ready", conditions["WorkersReady"]!.Str("reason"));
        Assert.Equal("The workers are partially ready.", conditions["WorkersReady"]!.Str("message"));
        Assert.Equal("Workers are initialized", conditions["WorkersInitialized"]!.Str("reason"));
        Assert.Equal("Fuses are initialized", conditions["FusesInitialized"]!.Str("reason"));
    }

    [Fact]
    public async Task Classic_kinds_get_their_own_status_shape()
    {
        var world = TestWorld.FromExample("nfs-efc.yaml");
        world.Runtime.Metadata.CreationTimestamp = world.Clock.Now.AddSeconds(-90);
        var engine = world.Engine();
        await engine.SetupAsync();
        world.ReportStatefulSet("nfs-demo-master", ready: 1);
        await engine.SetupAsync();
        world.ReportStatefulSet("nfs-demo-worker", ready: 3);
        Assert.True((await engine.SetupAsync()).Ready);
        var status = world.Require("data.fluid.io/v1alpha1", "EFCRuntime", "nfs-demo")["status"]!;
        Assert.Equal("Ready", status.Str("masterPhase"));
        Assert.Equal("Ready", status.Str("workerPhase"));
        Assert.Equal(3, status["desiredWorkerNumberScheduled"]!.GetValue<int>());
        Assert.Equal(3, status["workerNumberReady"]!.GetValue<int>());
        Assert.Equal("efc", world.Require("data.fluid.io/v1alpha1", "Dataset", "nfs-demo").Str("status.runtimes[0].type"));
        Assert.Equal("1m30s", status.Str("setupDuration"));
        world.Clock.Now = world.Clock.Now.AddMinutes(10);
        await engine.SyncAsync();
        Assert.Equal("1m30s", world.Require("data.fluid.io/v1alpha1", "EFCRuntime", "nfs-demo")["status"].Str("setupDuration"));
    }

    [Fact]
    public async Task CreateVolume_creates_the_pv_then_the_pvc()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        await world.Engine().CreateVolumeAsync();
        Assert.Equal(["apply PersistentVolume/default-demo", "apply PersistentVolumeClaim/default/demo"], world.Cluster.Writes);
    }

    [Fact]
    public async Task Sync_labels_nodes_of_ready_workers_and_unlabels_nodes_they_left()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var engine = world.Engine();
        await engine.SetupAsync();
        world.ReportStatefulSet("demo-master", ready: 1);
        await engine.SetupAsync();
        world.AddNode("node-a");
        world.AddNode("node-b");
        world.AddNode("node-c");
        world.AddWorkerPod("demo-worker-0", "node-a", ready: true);
        world.AddWorkerPod("demo-worker-1", "node-b", ready: false);

        await engine.SyncAsync();
        var a = world.NodeLabels("node-a");
        Assert.Equal("true", a["fluid.io/s-cache-default-demo"]);
        Assert.Equal("true", a["fluid.io/s-default-demo"]);
        Assert.Equal("default_demo", a["fluid_exclusive"]);
        Assert.Equal("1", a["fluid.io/dataset-num"]);
        Assert.Equal("1GiB", a["fluid.io/s-h-cache-m-default-demo"]);
        Assert.Equal("10GiB", a["fluid.io/s-h-cache-d-default-demo"]);
        Assert.Equal("11GiB", a["fluid.io/s-h-cache-t-default-demo"]);
        Assert.DoesNotContain("fluid.io/s-default-demo", world.NodeLabels("node-b").Keys);

        // The worker moves from node-a to node-c.
        world.AddWorkerPod("demo-worker-0", "node-c", ready: true);
        await engine.SyncAsync();
        Assert.Equal(["kubernetes.io/hostname"], world.NodeLabels("node-a").Keys);
        Assert.Equal("1", world.NodeLabels("node-c")["fluid.io/dataset-num"]);

        // A second sync changes nothing: the count is not bumped twice.
        await engine.SyncAsync();
        Assert.Equal("1", world.NodeLabels("node-c")["fluid.io/dataset-num"]);
    }

    [Fact]
    public async Task Sync_reports_the_masters_statistics_as_the_datasets_cache_states()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var statistics = new FixedStatistics(new CacheFigures(CachedBytes: 3L << 29, CapacityBytes: 22L << 30, UfsTotalBytes: 6L << 30, Hits: 3, Misses: 1, FileCount: 1200));
        var engine = new NativeEngine(world.Context, new CacheRuntimeSource(), statistics);
        await engine.SyncAsync();
        var status = world.Require("data.fluid.io/v1alpha1", "Dataset", "demo")["status"]!;
        Assert.Equal("1.50GiB", status.Str("cacheStates.cached"));
        Assert.Equal("22.00GiB", status.Str("cacheStates.cacheCapacity"));
        Assert.Equal("25.0%", status.Str("cacheStates.cachedPercentage"));
        Assert.Equal("75.0%", status.Str("cacheStates.cacheHitRatio"));
        Assert.Equal("6.00GiB", status.Str("ufsTotal"));
        Assert.Equal("1200", status.Str("fileNum"));
    }

    [Fact]
    public async Task Scale_changes_the_worker_replicas_and_sync_puts_the_spec_back()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var engine = world.Engine();
        await engine.ScaleAsync(5);
        Assert.Equal(5, world.Require("apps/v1", "StatefulSet", "demo-worker")["spec"]!["replicas"]!.GetValue<int>());
        await engine.SyncAsync();
        Assert.Equal(2, world.Require("apps/v1", "StatefulSet", "demo-worker")["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Shutdown_removes_what_setup_created_and_the_node_labels_and_unbinds()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var engine = world.Engine();
        world.AddNode("node-a", new() { ["fluid.io/dataset-num"] = "2", ["fluid_exclusive"] = "other_ds" });
        await engine.SetupAsync();
        world.ReportStatefulSet("demo-master", ready: 1);
        await engine.SetupAsync();
        world.ReportStatefulSet("demo-worker", ready: 1);
        await engine.SetupAsync();
        await engine.CreateVolumeAsync();
        world.AddWorkerPod("demo-worker-0", "node-a", ready: true);
        await engine.SyncAsync();
        Assert.Equal("3", world.NodeLabels("node-a")["fluid.io/dataset-num"]);

        await engine.ShutdownAsync();
        var left = world.Cluster.All.Select(o => Cluster.ObjectKey.Of(o).Kind).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["CacheRuntime", "Dataset", "Node", "Pod"], left);
        Assert.Equal(new Dictionary<string, string> { ["fluid.io/dataset-num"] = "2", ["fluid_exclusive"] = "other_ds" }, world.NodeLabels("node-a"));
        Assert.Equal("NotBound", world.Require("data.fluid.io/v1alpha1", "Dataset", "demo").Str("status.phase"));
        var deletes = world.Cluster.Writes.Where(w => w.StartsWith("delete", StringComparison.Ordinal)).ToList();
        Assert.Equal("delete PersistentVolumeClaim/default/demo", deletes[0]);
        Assert.Equal("delete PersistentVolume/default-demo", deletes[1]);
    }

    [Fact]
    public async Task A_DataLoad_becomes_a_job_running_fluid_cache_load_owned_by_the_DataLoad()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var load = new DataLoad
        {
            Metadata = new ObjectMeta { Name = "warm", Namespace = "default", Uid = "0d1e2f30-0000-4000-8000-000000000003" },
            Spec = new DataLoadSpec { Dataset = new TargetDataset { Name = "demo", Namespace = "default" }, Target = [new TargetPath { Path = "/train", Replicas = 2 }, new TargetPath { Path = "/val" }] },
        };
        var keys = await world.Engine().OperateAsync(load);
        Assert.Equal("Job/default/warm-loader-job", Assert.Single(keys).ToString());
        var job = world.Require("batch/v1", "Job", "warm-loader-job");
        var args = job.Container().Strings("args");
        Assert.Equal(["cache", "load"], args.Take(2));
        Assert.Equal("http://demo-master.default.svc:19998", args.Flag("--master"));
        Assert.Equal("2", args.Flag("--replicas"));
        Assert.Equal("0d1e2f30-0000-4000-8000-000000000003", args.Flag("--operation-id"));
        Assert.Equal(["/train", "/val"], args.TakeLast(2));
        Assert.Equal("DataLoad", job.Str("metadata.ownerReferences[0].kind"));
        Assert.Equal("Never", job.Str("spec.template.spec.restartPolicy"));
        Assert.Equal("dataload-pod", job.Str("spec.template.metadata.labels.role"));
    }

    [Fact]
    public async Task A_DataLoad_with_a_relative_path_or_for_another_dataset_is_refused_naming_the_field()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var relative = new DataLoad
        {
            Metadata = new ObjectMeta { Name = "warm", Namespace = "default", Uid = "u" },
            Spec = new DataLoadSpec { Dataset = new TargetDataset { Name = "demo" }, Target = [new TargetPath { Path = "train" }] },
        };
        Assert.Equal("spec.target[0].path", (await Assert.ThrowsAsync<EngineInputException>(() => world.Engine().OperateAsync(relative))).Path);
        var other = new DataLoad
        {
            Metadata = new ObjectMeta { Name = "warm", Namespace = "default", Uid = "u" },
            Spec = new DataLoadSpec { Dataset = new TargetDataset { Name = "imagenet" } },
        };
        Assert.Equal("spec.dataset.name", (await Assert.ThrowsAsync<EngineInputException>(() => world.Engine().OperateAsync(other))).Path);
        Assert.Empty(world.Cluster.Writes);
    }

    private sealed class FixedStatistics(CacheFigures figures) : ICacheStatisticsSource
    {
        public Task<CacheFigures> GetAsync(EngineContext ctx, CancellationToken ct) => Task.FromResult(figures);

        public Task RequestResyncAsync(EngineContext ctx, CancellationToken ct) => Task.CompletedTask;

        public Task<Fluid.Cache.Protocol.LoadProgress?> GetProgressAsync(EngineContext ctx, string operationId, CancellationToken ct) => Task.FromResult<Fluid.Cache.Protocol.LoadProgress?>(null);
    }
}
