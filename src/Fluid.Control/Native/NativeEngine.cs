using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Cluster;
using Fluid.Control.Engines;
using Fluid.Control.Status;

namespace Fluid.Control.Native;

/// <summary>
/// The native cache engine: this project's own cache (fluid cache master|worker|fuse) behind the
/// engine template, for CacheRuntime with runtimeClassName "fluid" and for the classic cache
/// kinds mapped onto it.
/// </summary>
public sealed class NativeEngine : EngineTemplate
{
    private readonly INativeRuntimeSource _source;
    private readonly NativeCacheSpec _spec;
    private readonly NativeManifests _manifests;
    private readonly NativeRoles _roles;

    /// <summary>Creates the engine for one dataset and runtime of a kind the source reads.</summary>
    public NativeEngine(EngineContext context, INativeRuntimeSource source, ICacheStatisticsSource? statistics = null) : base(context)
    {
        _source = source;
        _spec = source.Read(context.Runtime);
        _manifests = new NativeManifests(new NativeLayout(context, source.RuntimeType), context.Dataset, context.Runtime, _spec);
        _roles = new NativeRoles(_manifests, _spec, source, statistics);
    }

    /// <summary>Registers the native engine for CacheRuntime/fluid and every classic cache kind.</summary>
    public static void Register(EngineRegistry registry, ICacheStatisticsSource? statistics = null)
    {
        INativeRuntimeSource[] sources = [new CacheRuntimeSource(), .. ClassicRuntimeSource.All];
        foreach (var source in sources)
        {
            registry.Register(source.Kind, source.RuntimeClass, ctx => new NativeEngine(ctx, source, statistics));
        }
    }

    /// <summary>The manifests this engine renders (for reconcilers' diagnostics and tests).</summary>
    public NativeManifests Manifests => _manifests;

    /// <inheritdoc/>
    public override string RuntimeType => _source.RuntimeType;

    /// <inheritdoc/>
    protected override IMasterRole Master => _roles;

    /// <inheritdoc/>
    protected override IUfsRole Ufs => _roles;

    /// <inheritdoc/>
    protected override IWorkerRole Workers => _roles.Workers;

    /// <inheritdoc/>
    protected override IFuseRole Fuse => _roles.Fuse;

    /// <inheritdoc/>
    protected override IVolumeRole Volume => _roles;

    /// <inheritdoc/>
    protected override IStatusReporter Reporter => _roles;

    /// <inheritdoc/>
    protected override IDataOperationPlanner Planner => _roles;

    /// <inheritdoc/>
    protected override DatasetRuntime DescribeRuntime() => new()
    {
        Name = Context.Name,
        Namespace = Context.Namespace,
        Category = "Accelerate",
        Type = _source.RuntimeType,
        MasterReplicas = _spec.MasterReplicas,
    };

    /// <inheritdoc/>
    protected override void ValidateKind(List<FieldIssue> errors, List<FieldIssue> warnings)
    {
        errors.AddRange(_spec.Errors);
        warnings.AddRange(_spec.Warnings);
        var mounts = Context.Dataset.Spec.Mounts;
        if (mounts is null || mounts.Count == 0)
        {
            errors.Add(new FieldIssue("spec.mounts", "required: the dataset needs at least one source, e.g. mountPoint: local:///data"));
        }

        var modes = Context.Dataset.Spec.AccessModes ?? [];
        for (var i = 0; i < modes.Count; i++)
        {
            if (!AccessModes.All.Contains(modes[i]))
            {
                errors.Add(new FieldIssue($"spec.accessModes[{i}]", $"\"{modes[i]}\" is not one of {string.Join(", ", AccessModes.All)}"));
            }
        }

        foreach (var tier in _manifests.Tiers().Where(t => (t.High is null) != (t.Low is null)))
        {
            warnings.Add(new FieldIssue("tieredstore", $"the {tier.Medium} tier sets only one of high and low; both are needed, so the worker's default watermarks apply"));
        }
    }

    /// <summary>Master, UFS, volume, status and planner roles of the native engine (one object: they share the manifests).</summary>
    private sealed class NativeRoles(NativeManifests manifests, NativeCacheSpec spec, INativeRuntimeSource source, ICacheStatisticsSource? statistics)
        : IMasterRole, IUfsRole, IVolumeRole, IStatusReporter, IDataOperationPlanner
    {
        public IWorkerRole Workers { get; } = new NativeWorkers(manifests, spec);

        public IFuseRole Fuse { get; } = new NativeFuse(manifests);

        private NativeLayout Layout => manifests.Layout;

        public async Task SetupAsync(EngineContext ctx, CancellationToken ct)
        {
            var tokenKey = new ObjectKey("v1", "Secret", Layout.Namespace, Layout.TokenSecret);
            if (await ctx.Cluster.GetAsync(tokenKey, ct).ConfigureAwait(false) is null)
            {
                await ctx.Cluster.ApplyAsync(manifests.TokenSecret(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))), ct).ConfigureAwait(false);
            }

            await ctx.Cluster.ApplyAsync(manifests.DatasetConfigMap(), ct).ConfigureAwait(false);
            await ctx.Cluster.ApplyAsync(manifests.MasterService(), ct).ConfigureAwait(false);
            await ctx.Cluster.ApplyAsync(manifests.MasterStatefulSet(), ct).ConfigureAwait(false);
        }

        public async Task<bool> IsReadyAsync(EngineContext ctx, CancellationToken ct)
        {
            var master = await ctx.Cluster.GetAsync(Key("apps/v1", "StatefulSet", Layout.Master), ct).ConfigureAwait(false);
            return RuntimeStatusCalculator.FromStatefulSet(master, spec.MasterReplicas).Phase == RuntimePhases.Ready;
        }

        public async Task SyncAsync(EngineContext ctx, CancellationToken ct)
        {
            await ctx.Cluster.ApplyAsync(manifests.MasterService(), ct).ConfigureAwait(false);
            await ctx.Cluster.ApplyAsync(manifests.MasterStatefulSet(), ct).ConfigureAwait(false);
        }

        public async Task TeardownAsync(EngineContext ctx, CancellationToken ct)
        {
            await ctx.Cluster.DeleteAsync(Key("apps/v1", "StatefulSet", Layout.Master), ct).ConfigureAwait(false);
            await ctx.Cluster.DeleteAsync(Key("v1", "Service", Layout.Master), ct).ConfigureAwait(false);
            await ctx.Cluster.DeleteAsync(Key("v1", "ConfigMap", Layout.DatasetConfigMap), ct).ConfigureAwait(false);
            await ctx.Cluster.DeleteAsync(Key("v1", "Secret", Layout.TokenSecret), ct).ConfigureAwait(false);
        }

        // The master reads the sources itself from the dataset ConfigMap; nothing to prepare first.
        public Task<bool> PrepareAsync(EngineContext ctx, CancellationToken ct) => Task.FromResult(true);

        // The master lists the sources itself; this step only asks it to list them again when that is due.
        public async Task SyncMetadataAsync(EngineContext ctx, CancellationToken ct)
        {
            if (statistics is null)
            {
                return;
            }

            try
            {
                if (ResyncDue(await statistics.GetAsync(ctx, ct).ConfigureAwait(false), ctx.MetadataResyncInterval, ctx.Clock.GetUtcNow()))
                {
                    await statistics.RequestResyncAsync(ctx, ct).ConfigureAwait(false);
                }
            }
            catch (MasterUnreachableException)
            {
                // The cache-states step reports an absent master.
            }
        }

        public Task SyncMountsAsync(EngineContext ctx, CancellationToken ct) => ctx.Cluster.ApplyAsync(manifests.DatasetConfigMap(), ct);

        public async Task CreateAsync(EngineContext ctx, CancellationToken ct)
        {
            await ctx.Cluster.ApplyAsync(manifests.PersistentVolume(), ct).ConfigureAwait(false);
            await ctx.Cluster.ApplyAsync(manifests.PersistentVolumeClaim(), ct).ConfigureAwait(false);
        }

        public async Task DeleteAsync(EngineContext ctx, CancellationToken ct)
        {
            await ctx.Cluster.DeleteAsync(Key("v1", "PersistentVolumeClaim", Layout.PersistentVolumeClaim), ct).ConfigureAwait(false);
            await ctx.Cluster.DeleteAsync(new ObjectKey("v1", "PersistentVolume", null, Layout.PersistentVolume), ct).ConfigureAwait(false);
        }

        public async Task<RuntimeHealth> CheckHealthAsync(EngineContext ctx, CancellationToken ct)
        {
            var report = await ObserveAsync(ctx, null, ct).ConfigureAwait(false);
            if (report.Master.Phase != RuntimePhases.Ready)
            {
                return new RuntimeHealth(false, $"the master is {report.Master.Phase} ({report.Master.Ready}/{report.Master.Desired} ready)");
            }

            return report.Worker.Desired > 0 && !report.Worker.ReadyOrPartial
                ? new RuntimeHealth(false, $"no worker is ready (0/{report.Worker.Desired})")
                : new RuntimeHealth(true, $"master ready, {report.Worker.Ready}/{report.Worker.Desired} workers ready");
        }

        public async Task ReportStatusAsync(EngineContext ctx, CancellationToken ct)
        {
            var runtime = await ctx.Cluster.GetAsync(ctx.RuntimeKey, ct).ConfigureAwait(false)
                ?? throw new EngineInputException("metadata.name", $"{ctx.RuntimeKey} does not exist any more");
            var previous = runtime["status"] as JsonObject;
            var report = await ObserveAsync(ctx, previous, ct).ConfigureAwait(false);
            await ctx.Cluster.UpdateStatusAsync(ctx.RuntimeKey, source.Status(report, previous), ct).ConfigureAwait(false);
        }

        public async Task<TimeSpan?> ReportCacheStatesAsync(EngineContext ctx, CancellationToken ct)
        {
            if (statistics is null)
            {
                return null;
            }

            CacheFigures? figures = null;
            string? problem = null;
            try
            {
                figures = await statistics.GetAsync(ctx, ct).ConfigureAwait(false);
            }
            catch (MasterUnreachableException e)
            {
                problem = e.Message;
            }

            if (await ctx.Cluster.GetAsync(ctx.DatasetKey, ct).ConfigureAwait(false) is null)
            {
                return null;
            }

            // Computed from the status as stored at the write, so a DataLoad lock taken meanwhile is kept.
            var sources = Sources(ctx.Dataset);
            DatasetStatus? status = null;
            await ctx.Cluster.UpdateStatusAsync(ctx.DatasetKey, current =>
            {
                var before = FluidJson.FromNode<DatasetStatus>(current);
                status = figures is null ? before : DatasetStatusDerivation.WithCacheStates(before, figures);
                status = DatasetStatusDerivation.WithMetadata(status, figures, problem, sources, ctx.Clock.GetUtcNow());
                var json = DatasetStatusDerivation.ToJson(status);
                return JsonNode.DeepEquals(json, DatasetStatusDerivation.ToJson(before)) ? null : json;
            }, ct).ConfigureAwait(false);

            if (figures is not null && source.StatusHasCacheStates && status?.CacheStates is { } states)
            {
                // Upstream's runtime status carries the same cacheStates as its dataset.
                var wanted = FluidJson.ToNode(states);
                await ctx.Cluster.UpdateStatusAsync(ctx.RuntimeKey, current =>
                {
                    if (JsonNode.DeepEquals(current["cacheStates"], wanted))
                    {
                        return null;
                    }

                    current["cacheStates"] = wanted.DeepClone();
                    return current;
                }, ct).ConfigureAwait(false);
            }

            return status?.UfsTotal == MetadataStatus.Calculating ? CalculatingPoll : null;
        }

        public async Task<OperationProgress?> ProgressAsync(EngineContext ctx, KubeObject operation, CancellationToken ct)
        {
            if (statistics is null || operation is not DataLoad)
            {
                return null;
            }

            try
            {
                return await statistics.GetProgressAsync(ctx, NativeManifests.LoadOperationId(operation), ct).ConfigureAwait(false) is { } report
                    ? OperationProgressDerivation.From(report, now: ctx.Clock.GetUtcNow())
                    : null;
            }
            catch (MasterUnreachableException)
            {
                // The loader's Job outcome still decides the operation; progress shows again when the master answers.
                return null;
            }
        }

        public IReadOnlyList<JsonObject> Plan(EngineContext ctx, KubeObject operation)
        {
            if (operation is not DataLoad load)
            {
                throw new EngineInputException("kind", $"the native cache engine runs DataLoad; {operation.Kind} is not supported by it yet");
            }

            if (load.Spec.Dataset.Name != ctx.Name || (load.Spec.Dataset.Namespace ?? load.Metadata.Namespace ?? "default") != ctx.Namespace)
            {
                throw new EngineInputException("spec.dataset.name", $"the DataLoad targets dataset {load.Spec.Dataset.Namespace ?? load.Metadata.Namespace}/{load.Spec.Dataset.Name}, not {ctx.Namespace}/{ctx.Name}");
            }

            var targets = load.Spec.Target ?? [];
            for (var i = 0; i < targets.Count; i++)
            {
                if (!targets[i].Path.StartsWith('/'))
                {
                    throw new EngineInputException($"spec.target[{i}].path", $"\"{targets[i].Path}\" must be an absolute path in the dataset, e.g. /train");
                }

                if (targets[i].Replicas is < 1 or > 16)
                {
                    throw new EngineInputException($"spec.target[{i}].replicas", $"{targets[i].Replicas} must be from 1 to 16");
                }
            }

            return [manifests.DataLoadJob(load)];
        }

        private async Task<RuntimeReport> ObserveAsync(EngineContext ctx, JsonObject? previousStatus, CancellationToken ct)
        {
            var master = await ctx.Cluster.GetAsync(Key("apps/v1", "StatefulSet", Layout.Master), ct).ConfigureAwait(false);
            var worker = await ctx.Cluster.GetAsync(Key("apps/v1", "StatefulSet", Layout.Worker), ct).ConfigureAwait(false);
            var fuse = await ctx.Cluster.GetAsync(Key("apps/v1", "DaemonSet", Layout.Fuse), ct).ConfigureAwait(false);
            var masterState = RuntimeStatusCalculator.FromStatefulSet(master, spec.MasterReplicas);
            var workerState = RuntimeStatusCalculator.FromStatefulSet(worker, worker?["spec"]?["replicas"]?.GetValue<int>() ?? spec.WorkerReplicas);
            var fuseState = RuntimeStatusCalculator.FromDaemonSet(fuse);
            var previous = previousStatus?["conditions"] is JsonArray conditions ? FluidJson.FromNode<List<RuntimeCondition>>(conditions) : null;
            var now = ctx.Clock.GetUtcNow();
            return new RuntimeReport(masterState, workerState, fuseState,
                RuntimeStatusCalculator.Conditions(masterState, workerState, fuseState, previous, now),
                Layout.WorkerSelectorText, SetupDuration(ctx, previousStatus, masterState, workerState, now));
        }

        // Upstream records once how long the runtime took from creation to a ready master and worker.
        private static string? SetupDuration(EngineContext ctx, JsonObject? previousStatus, ComponentState master, ComponentState worker, DateTimeOffset now)
        {
            if (previousStatus?["setupDuration"] is not null || master.Phase != RuntimePhases.Ready || !worker.ReadyOrPartial
                || ctx.Runtime.Metadata.CreationTimestamp is not { } created || created > now)
            {
                return null;
            }

            return Api.Core.GoDuration.FromTimeSpan(TimeSpan.FromSeconds(Math.Floor((now - created).TotalSeconds))).Text;
        }

        private ObjectKey Key(string apiVersion, string kind, string name) => new(apiVersion, kind, Layout.Namespace, name);
    }

    // While the figures are being computed, look again this soon rather than at the usual sync period.
    private static readonly TimeSpan CalculatingPoll = TimeSpan.FromSeconds(10);

    // A listing that failed is tried again this long after, whether or not periodic resyncs are on.
    private static readonly TimeSpan FailedSyncRetry = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True when the master should list the sources again: nobody has listed them yet and no listing
    /// runs, the last listing failed <see cref="FailedSyncRetry"/> ago, or the resync
    /// <paramref name="interval"/> (when set) has passed since the last one ended.
    /// </summary>
    internal static bool ResyncDue(CacheFigures figures, TimeSpan? interval, DateTimeOffset now) =>
        !figures.Syncing && (figures.LastSyncAttempt is not { } last
            || (figures.SyncError is not null && now - last >= FailedSyncRetry)
            || (interval is { } every && every > TimeSpan.Zero && now - last >= every));

    /// <summary>The dataset's mount points for messages, without any user:password a URL may carry.</summary>
    internal static string Sources(Dataset dataset)
    {
        var points = (dataset.Spec.Mounts ?? []).Select(m => Uri.TryCreate(m.MountPoint, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString()
            : m.MountPoint);
        return string.Join(", ", points);
    }

    private sealed class NativeWorkers(NativeManifests manifests, NativeCacheSpec spec) : IWorkerRole
    {
        private NativeLayout Layout => manifests.Layout;

        private ObjectKey StatefulSetKey => new("apps/v1", "StatefulSet", Layout.Namespace, Layout.Worker);

        public Task SetupAsync(EngineContext ctx, CancellationToken ct) => ctx.Cluster.ApplyAsync(manifests.WorkerStatefulSet(), ct);

        public async Task<bool> IsReadyAsync(EngineContext ctx, CancellationToken ct)
        {
            var state = RuntimeStatusCalculator.FromStatefulSet(await ctx.Cluster.GetAsync(StatefulSetKey, ct).ConfigureAwait(false), spec.WorkerReplicas);
            return state.ReadyOrPartial;
        }

        public Task SyncAsync(EngineContext ctx, CancellationToken ct) => ctx.Cluster.ApplyAsync(manifests.WorkerStatefulSet(), ct);

        public async Task SyncReplicasAsync(EngineContext ctx, CancellationToken ct)
        {
            var current = await ctx.Cluster.GetAsync(StatefulSetKey, ct).ConfigureAwait(false);
            if (current?["spec"]?["replicas"]?.GetValue<int>() != spec.WorkerReplicas)
            {
                await ctx.Cluster.ApplyAsync(manifests.WorkerStatefulSet(), ct).ConfigureAwait(false);
            }
        }

        public Task ScaleAsync(EngineContext ctx, int replicas, CancellationToken ct) => ctx.Cluster.ApplyAsync(manifests.WorkerStatefulSet(replicas), ct);

        public Task TeardownAsync(EngineContext ctx, CancellationToken ct) => ctx.Cluster.DeleteAsync(StatefulSetKey, ct);

        public async Task SyncNodeLabelsAsync(EngineContext ctx, CancellationToken ct)
        {
            var pods = await ctx.Cluster.ListAsync("v1", "Pod", Layout.Namespace, Layout.Selector("worker"), ct).ConfigureAwait(false);
            var current = pods.Where(IsReady).Select(p => p["spec"]?["nodeName"]?.GetValue<string>()).OfType<string>().Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
            var previous = (await LabelledNodesAsync(ctx, ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            var exclusive = manifests.Placement() == PlacementModes.Exclusive;
            foreach (var node in current.Except(previous).Order(StringComparer.Ordinal))
            {
                await RelabelAsync(ctx, node, labels => CacheNodeLabels.Assign(labels, Layout, manifests.Tiers(), exclusive, node), ct).ConfigureAwait(false);
            }

            foreach (var node in previous.Except(current).Order(StringComparer.Ordinal))
            {
                await RelabelAsync(ctx, node, labels => CacheNodeLabels.Unassign(labels, Layout, node), ct).ConfigureAwait(false);
            }
        }

        public async Task UnlabelNodesAsync(EngineContext ctx, CancellationToken ct)
        {
            foreach (var node in await LabelledNodesAsync(ctx, ct).ConfigureAwait(false))
            {
                await RelabelAsync(ctx, node, labels => CacheNodeLabels.Unassign(labels, Layout, node), ct).ConfigureAwait(false);
            }
        }

        private async Task<IEnumerable<string>> LabelledNodesAsync(EngineContext ctx, CancellationToken ct)
        {
            var label = Naming.FluidLabels.Runtime(Layout.RuntimeType, Layout.Namespace, Layout.Name, Layout.DatasetUid);
            var nodes = await ctx.Cluster.ListAsync("v1", "Node", null, new Dictionary<string, string> { [label] = "true" }, ct).ConfigureAwait(false);
            return nodes.Select(n => ObjectKey.Of(n).Name);
        }

        internal static async Task RelabelAsync(EngineContext ctx, string nodeName, Func<IReadOnlyDictionary<string, string>, Dictionary<string, string>> change, CancellationToken ct)
        {
            var node = await ctx.Cluster.GetAsync(new ObjectKey("v1", "Node", null, nodeName), ct).ConfigureAwait(false);
            if (node is null)
            {
                return;
            }

            Manifest.SetLabels(node, change(Manifest.Labels(node)));
            await ctx.Cluster.ApplyAsync(node, ct).ConfigureAwait(false);
        }

        private static bool IsReady(JsonObject pod) =>
            pod["status"]?["conditions"] is JsonArray conditions
            && conditions.Any(c => c?["type"]?.GetValue<string>() == "Ready" && c?["status"]?.GetValue<string>() == "True");
    }

    private sealed class NativeFuse(NativeManifests manifests) : IFuseRole
    {
        private ObjectKey Key => new("apps/v1", "DaemonSet", manifests.Layout.Namespace, manifests.Layout.Fuse);

        public Task SetupAsync(EngineContext ctx, CancellationToken ct) => ctx.Cluster.ApplyAsync(manifests.FuseDaemonSet(), ct);

        // The FUSE starts lazily on the nodes whose pods use the dataset, so setup never waits for it.
        public Task<bool> IsReadyAsync(EngineContext ctx, CancellationToken ct) => Task.FromResult(true);

        public Task SyncAsync(EngineContext ctx, CancellationToken ct) => ctx.Cluster.ApplyAsync(manifests.FuseDaemonSet(), ct);

        // The FUSE label outlives the pods that asked for it (upstream's OnRuntimeDeleted); it goes with the runtime.
        public async Task TeardownAsync(EngineContext ctx, CancellationToken ct)
        {
            await ctx.Cluster.DeleteAsync(Key, ct).ConfigureAwait(false);
            var label = manifests.Layout.FuseNodeLabel;
            foreach (var node in await ctx.Cluster.ListAsync("v1", "Node", null, new Dictionary<string, string> { [label] = "true" }, ct).ConfigureAwait(false))
            {
                await NativeWorkers.RelabelAsync(ctx, ObjectKey.Of(node).Name, labels => labels.Where(l => l.Key != label).ToDictionary(StringComparer.Ordinal), ct).ConfigureAwait(false);
            }
        }
    }
}
