using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Engines;

namespace Fluid.Control.Tests;

public class EngineTemplateTests
{
    private const string Yaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata: {name: demo, namespace: default}
        spec:
          mounts: [{mountPoint: "local:///data", name: data}]
        ---
        apiVersion: data.fluid.io/v1alpha1
        kind: CacheRuntime
        metadata: {name: demo, namespace: default}
        spec:
          runtimeClassName: fluid
        """;

    [Fact]
    public async Task Setup_stops_at_the_master_while_it_is_not_ready()
    {
        var world = new TestWorld(Yaml);
        var engine = new StepRecordingEngine(world.Context) { MasterReady = false };
        var result = await engine.SetupAsync();
        Assert.False(result.Ready);
        Assert.Equal(SetupStep.Master, result.ReachedStep);
        Assert.Equal(["master.setup", "master.ready?"], engine.Steps);
    }

    [Fact]
    public async Task Setup_stops_at_the_workers_after_creating_them_and_the_fuse()
    {
        var world = new TestWorld(Yaml);
        var engine = new StepRecordingEngine(world.Context) { WorkersReady = false };
        var result = await engine.SetupAsync();
        Assert.Equal(SetupStep.Workers, result.ReachedStep);
        Assert.Equal(["master.setup", "master.ready?", "ufs.prepare", "workers.setup", "fuse.setup", "workers.ready?"], engine.Steps);
    }

    [Fact]
    public async Task Setup_runs_master_then_ufs_then_workers_then_ready_then_binds_the_dataset()
    {
        var world = new TestWorld(Yaml);
        var engine = new StepRecordingEngine(world.Context);
        var result = await engine.SetupAsync();
        Assert.True(result.Ready);
        Assert.Equal(SetupStep.Bind, result.ReachedStep);
        Assert.Equal(["master.setup", "master.ready?", "ufs.prepare", "workers.setup", "fuse.setup", "workers.ready?", "status.report"], engine.Steps);
        var dataset = world.Require("data.fluid.io/v1alpha1", "Dataset", "demo");
        Assert.Equal("Bound", dataset.Str("status.phase"));
        Assert.Equal("recording", dataset.Str("status.runtimes[0].type"));
        Assert.Equal("status Dataset/default/demo", world.Cluster.Writes[^1]);
    }

    [Fact]
    public async Task Sync_runs_its_steps_in_upstreams_order()
    {
        var world = new TestWorld(Yaml);
        var engine = new StepRecordingEngine(world.Context);
        var result = await engine.SyncAsync();
        Assert.Equal(
            [SyncStep.Metadata, SyncStep.Replicas, SyncStep.Runtime, SyncStep.Health, SyncStep.Status, SyncStep.CacheStates, SyncStep.Mounts, SyncStep.NodeLabels],
            result.StepsRun);
        Assert.Equal(
            ["ufs.metadata", "workers.replicas", "master.sync", "workers.sync", "fuse.sync", "status.health", "status.report", "status.cache", "ufs.mounts", "workers.labels"],
            engine.Steps);
    }

    [Fact]
    public async Task Shutdown_removes_the_volume_first_and_the_master_last_and_unbinds_the_dataset()
    {
        var world = new TestWorld(Yaml);
        var engine = new StepRecordingEngine(world.Context);
        await engine.SetupAsync();
        engine.Steps.Clear();
        await engine.ShutdownAsync();
        Assert.Equal(["volume.delete", "fuse.teardown", "workers.unlabel", "workers.teardown", "master.teardown"], engine.Steps);
        var dataset = world.Require("data.fluid.io/v1alpha1", "Dataset", "demo");
        Assert.Equal("NotBound", dataset.Str("status.phase"));
        Assert.Null(dataset["status"]!["runtimes"]);
    }

    [Fact]
    public async Task Setup_refuses_invalid_input_naming_the_field_before_creating_anything()
    {
        var world = new TestWorld(Yaml.Replace("metadata: {name: demo, namespace: default}\nspec:\n  runtimeClassName", "metadata: {name: other, namespace: default}\nspec:\n  runtimeClassName", StringComparison.Ordinal));
        var engine = new StepRecordingEngine(world.Context);
        var error = await Assert.ThrowsAsync<EngineInputException>(() => engine.SetupAsync());
        Assert.Equal("metadata.name", error.Path);
        Assert.Contains("default/demo", error.Message, StringComparison.Ordinal);
        Assert.Empty(engine.Steps);
    }

    [Fact]
    public async Task Operate_applies_what_the_planner_plans_and_scale_refuses_a_negative_count()
    {
        var world = new TestWorld(Yaml);
        var engine = new StepRecordingEngine(world.Context);
        var keys = await engine.OperateAsync(new DataLoad { Metadata = new ObjectMeta { Name = "warm", Namespace = "default" } });
        Assert.Equal("ConfigMap/default/warm-plan", Assert.Single(keys).ToString());
        Assert.NotNull(world.Get("v1", "ConfigMap", "warm-plan"));
        var error = await Assert.ThrowsAsync<EngineInputException>(() => engine.ScaleAsync(-1));
        Assert.Equal("spec.replicas", error.Path);
    }

    /// <summary>An engine kind whose roles record the template's calls, to check the order the template owns.</summary>
    private sealed class StepRecordingEngine : EngineTemplate, IUfsRole, IVolumeRole, IStatusReporter, IDataOperationPlanner
    {
        private readonly ComponentSteps _master;
        private readonly ComponentSteps _workers;
        private readonly ComponentSteps _fuse;

        public StepRecordingEngine(EngineContext context) : base(context)
        {
            _master = new ComponentSteps("master", Steps, () => MasterReady);
            _workers = new ComponentSteps("workers", Steps, () => WorkersReady);
            _fuse = new ComponentSteps("fuse", Steps, () => true);
        }

        public List<string> Steps { get; } = [];

        public bool MasterReady { get; init; } = true;

        public bool WorkersReady { get; init; } = true;

        public override string RuntimeType => "recording";

        protected override IMasterRole Master => _master;

        protected override IUfsRole Ufs => this;

        protected override IWorkerRole Workers => _workers;

        protected override IFuseRole Fuse => _fuse;

        protected override IVolumeRole Volume => this;

        protected override IStatusReporter Reporter => this;

        protected override IDataOperationPlanner Planner => this;

        protected override DatasetRuntime DescribeRuntime() => new() { Name = Context.Name, Namespace = Context.Namespace, Type = RuntimeType };

        protected override void ValidateKind(List<FieldIssue> errors, List<FieldIssue> warnings)
        {
        }

        public Task<bool> PrepareAsync(EngineContext ctx, CancellationToken ct)
        {
            Steps.Add("ufs.prepare");
            return Task.FromResult(true);
        }

        public Task SyncMetadataAsync(EngineContext ctx, CancellationToken ct) => Record("ufs.metadata");

        public Task SyncMountsAsync(EngineContext ctx, CancellationToken ct) => Record("ufs.mounts");

        public Task CreateAsync(EngineContext ctx, CancellationToken ct) => Record("volume.create");

        public Task DeleteAsync(EngineContext ctx, CancellationToken ct) => Record("volume.delete");

        public Task<RuntimeHealth> CheckHealthAsync(EngineContext ctx, CancellationToken ct)
        {
            Steps.Add("status.health");
            return Task.FromResult(new RuntimeHealth(true, "ok"));
        }

        public Task ReportStatusAsync(EngineContext ctx, CancellationToken ct) => Record("status.report");

        public async Task<TimeSpan?> ReportCacheStatesAsync(EngineContext ctx, CancellationToken ct)
        {
            await Record("status.cache");
            return null;
        }

        public IReadOnlyList<JsonObject> Plan(EngineContext ctx, KubeObject operation) =>
            [Control.Cluster.Manifest.New("v1", "ConfigMap", ctx.Namespace, $"{operation.Metadata.Name}-plan")];

        public Task<OperationProgress?> ProgressAsync(EngineContext ctx, KubeObject operation, CancellationToken ct) => Task.FromResult<OperationProgress?>(null);

        private Task Record(string step)
        {
            Steps.Add(step);
            return Task.CompletedTask;
        }
    }

    private sealed class ComponentSteps(string name, List<string> steps, Func<bool> ready) : IMasterRole, IWorkerRole, IFuseRole
    {
        public Task SetupAsync(EngineContext ctx, CancellationToken ct) => Record("setup");

        public Task<bool> IsReadyAsync(EngineContext ctx, CancellationToken ct)
        {
            steps.Add($"{name}.ready?");
            return Task.FromResult(ready());
        }

        public Task SyncAsync(EngineContext ctx, CancellationToken ct) => Record("sync");

        public Task TeardownAsync(EngineContext ctx, CancellationToken ct) => Record("teardown");

        public Task SyncReplicasAsync(EngineContext ctx, CancellationToken ct) => Record("replicas");

        public Task ScaleAsync(EngineContext ctx, int replicas, CancellationToken ct) => Record($"scale {replicas}");

        public Task SyncNodeLabelsAsync(EngineContext ctx, CancellationToken ct) => Record("labels");

        public Task UnlabelNodesAsync(EngineContext ctx, CancellationToken ct) => Record("unlabel");

        private Task Record(string step)
        {
            steps.Add($"{name}.{step}");
            return Task.CompletedTask;
        }
    }
}
