using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Control.Cluster;
using Fluid.Control.Status;

namespace Fluid.Control.Engines;

/// <summary>
/// The engine template: owns the fixed order of setup (master → UFS → workers → ready → bind),
/// of sync (metadata → replicas → runtime → health → status → cache states → mounts → node
/// labels) and of shutdown (volume → FUSE → node labels → workers → master → unbind). A runtime
/// kind only supplies its roles and its validation; it never reorders steps.
/// </summary>
public abstract class EngineTemplate : IEngine
{
    /// <summary>Creates the template over one dataset and runtime.</summary>
    protected EngineTemplate(EngineContext context) => Context = context;

    /// <summary>The dataset, runtime and cluster.</summary>
    protected EngineContext Context { get; }

    /// <inheritdoc/>
    public abstract string RuntimeType { get; }

    /// <summary>The master role.</summary>
    protected abstract IMasterRole Master { get; }

    /// <summary>The UFS role.</summary>
    protected abstract IUfsRole Ufs { get; }

    /// <summary>The worker role.</summary>
    protected abstract IWorkerRole Workers { get; }

    /// <summary>The FUSE role.</summary>
    protected abstract IFuseRole Fuse { get; }

    /// <summary>The volume role.</summary>
    protected abstract IVolumeRole Volume { get; }

    /// <summary>The status reporter role.</summary>
    protected abstract IStatusReporter Reporter { get; }

    /// <summary>The data-operation planner role.</summary>
    protected abstract IDataOperationPlanner Planner { get; }

    /// <inheritdoc/>
    public EngineValidation Validate()
    {
        var errors = new List<FieldIssue>();
        var warnings = new List<FieldIssue>();
        if (Context.Dataset.Metadata.Name != Context.Runtime.Metadata.Name || (Context.Dataset.Metadata.Namespace ?? "default") != Context.Namespace)
        {
            errors.Add(new FieldIssue("metadata.name", $"the runtime {Context.Namespace}/{Context.Name} must have the name and namespace of its dataset ({Context.Dataset.Metadata.Key})"));
        }

        ValidateKind(errors, warnings);
        return new EngineValidation(errors, warnings);
    }

    /// <summary>Kind-specific checks: add errors that stop setup and warnings such as ignored fields.</summary>
    protected abstract void ValidateKind(List<FieldIssue> errors, List<FieldIssue> warnings);

    /// <inheritdoc/>
    public async Task<SetupResult> SetupAsync(CancellationToken ct = default)
    {
        var validation = Validate();
        if (!validation.IsValid)
        {
            throw new EngineInputException(validation.Errors[0].Path, string.Join("; ", validation.Errors.Select(e => e.ToString())));
        }

        await Master.SetupAsync(Context, ct).ConfigureAwait(false);
        if (!await Master.IsReadyAsync(Context, ct).ConfigureAwait(false))
        {
            return new SetupResult(false, SetupStep.Master, "waiting for the master to be ready");
        }

        if (!await Ufs.PrepareAsync(Context, ct).ConfigureAwait(false))
        {
            return new SetupResult(false, SetupStep.Ufs, "waiting for the sources to be prepared");
        }

        await Workers.SetupAsync(Context, ct).ConfigureAwait(false);
        await Fuse.SetupAsync(Context, ct).ConfigureAwait(false);
        if (!await Workers.IsReadyAsync(Context, ct).ConfigureAwait(false))
        {
            return new SetupResult(false, SetupStep.Workers, "waiting for a worker to be ready");
        }

        await Reporter.ReportStatusAsync(Context, ct).ConfigureAwait(false);
        await BindDatasetAsync(ct).ConfigureAwait(false);
        return new SetupResult(true, SetupStep.Bind, "the runtime is set up and the dataset is bound");
    }

    /// <inheritdoc/>
    public Task CreateVolumeAsync(CancellationToken ct = default) => Volume.CreateAsync(Context, ct);

    /// <inheritdoc/>
    public async Task<SyncResult> SyncAsync(CancellationToken ct = default)
    {
        var steps = new List<SyncStep>();
        await Ufs.SyncMetadataAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.Metadata);
        await Workers.SyncReplicasAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.Replicas);
        await Master.SyncAsync(Context, ct).ConfigureAwait(false);
        await Workers.SyncAsync(Context, ct).ConfigureAwait(false);
        await Fuse.SyncAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.Runtime);
        var health = await Reporter.CheckHealthAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.Health);
        await Reporter.ReportStatusAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.Status);
        var again = await Reporter.ReportCacheStatesAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.CacheStates);
        await Ufs.SyncMountsAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.Mounts);
        await Workers.SyncNodeLabelsAsync(Context, ct).ConfigureAwait(false);
        steps.Add(SyncStep.NodeLabels);
        return new SyncResult(health, steps) { RequeueAfter = again };
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ObjectKey>> OperateAsync(KubeObject operation, CancellationToken ct = default)
    {
        var manifests = Planner.Plan(Context, operation);
        var keys = new List<ObjectKey>();
        foreach (var manifest in manifests)
        {
            await Context.Cluster.ApplyAsync(manifest, ct).ConfigureAwait(false);
            keys.Add(ObjectKey.Of(manifest));
        }

        return keys;
    }

    /// <inheritdoc/>
    public Task<Api.V1Alpha1.OperationProgress?> ProgressAsync(KubeObject operation, CancellationToken ct = default) => Planner.ProgressAsync(Context, operation, ct);

    /// <inheritdoc/>
    public Task ScaleAsync(int workers, CancellationToken ct = default)
    {
        if (workers < 0)
        {
            throw new EngineInputException("spec.replicas", $"{workers} workers: the number of workers cannot be negative");
        }

        return Workers.ScaleAsync(Context, workers, ct);
    }

    /// <inheritdoc/>
    public async Task ShutdownAsync(CancellationToken ct = default)
    {
        await Volume.DeleteAsync(Context, ct).ConfigureAwait(false);
        await Fuse.TeardownAsync(Context, ct).ConfigureAwait(false);
        await Workers.UnlabelNodesAsync(Context, ct).ConfigureAwait(false);
        await Workers.TeardownAsync(Context, ct).ConfigureAwait(false);
        await Master.TeardownAsync(Context, ct).ConfigureAwait(false);
        var dataset = await Context.Cluster.GetAsync(Context.DatasetKey, ct).ConfigureAwait(false);
        if (dataset is not null)
        {
            var status = DatasetStatusDerivation.Unbind(DatasetStatusDerivation.ReadStatus(dataset));
            await Context.Cluster.UpdateStatusAsync(Context.DatasetKey, DatasetStatusDerivation.ToJson(status), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The runtime entry the dataset's status lists once bound.</summary>
    protected abstract Api.V1Alpha1.DatasetRuntime DescribeRuntime();

    private async Task BindDatasetAsync(CancellationToken ct)
    {
        var dataset = await Context.Cluster.GetAsync(Context.DatasetKey, ct).ConfigureAwait(false)
            ?? throw new EngineInputException("metadata.name", $"dataset {Context.DatasetKey.Namespace}/{Context.DatasetKey.Name} does not exist; create it before its runtime");
        var status = DatasetStatusDerivation.Bind(DatasetStatusDerivation.ReadStatus(dataset), DescribeRuntime(), Context.Clock.GetUtcNow(), Context.Dataset.Spec.Mounts);
        await Context.Cluster.UpdateStatusAsync(Context.DatasetKey, DatasetStatusDerivation.ToJson(status), ct).ConfigureAwait(false);
    }
}
