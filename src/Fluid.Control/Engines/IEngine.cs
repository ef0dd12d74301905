using Fluid.Api.Meta;
using Fluid.Api.Serialization;

namespace Fluid.Control.Engines;

/// <summary>
/// A runtime engine as a reconciler drives it: Validate, then Setup until it reports ready, then
/// CreateVolume, then Sync on every later pass; Operate for data operations, Scale for the scale
/// subresource, Shutdown when the runtime is deleted.
/// </summary>
public interface IEngine
{
    /// <summary>Runtime type used in node label names, e.g. "cache" or "alluxio".</summary>
    string RuntimeType { get; }

    /// <summary>Checks the dataset and runtime; errors stop setup, warnings (e.g. ignored fields) are reported as events.</summary>
    EngineValidation Validate();

    /// <summary>Runs the setup steps in their fixed order, stopping at the first one that is not done yet.</summary>
    Task<SetupResult> SetupAsync(CancellationToken ct = default);

    /// <summary>Creates the dataset's PersistentVolume and PersistentVolumeClaim.</summary>
    Task CreateVolumeAsync(CancellationToken ct = default);

    /// <summary>Runs the sync steps in their fixed order and reports the runtime's health.</summary>
    Task<SyncResult> SyncAsync(CancellationToken ct = default);

    /// <summary>Plans and creates the objects that carry out a data operation (e.g. a DataLoad's Job).</summary>
    Task<IReadOnlyList<Cluster.ObjectKey>> OperateAsync(KubeObject operation, CancellationToken ct = default);

    /// <summary>How far a running data operation has got (status.progress), or null when the engine cannot tell.</summary>
    Task<Api.V1Alpha1.OperationProgress?> ProgressAsync(KubeObject operation, CancellationToken ct = default);

    /// <summary>Sets the number of workers.</summary>
    Task ScaleAsync(int workers, CancellationToken ct = default);

    /// <summary>Removes everything the engine created, volume first, and unbinds the dataset.</summary>
    Task ShutdownAsync(CancellationToken ct = default);
}

/// <summary>The outcome of validation: errors and warnings, each naming its field.</summary>
public sealed record EngineValidation(IReadOnlyList<FieldIssue> Errors, IReadOnlyList<FieldIssue> Warnings)
{
    /// <summary>True when there is no error.</summary>
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Steps of setup, in their fixed order.</summary>
public enum SetupStep
{
    /// <summary>Create the master and wait for it.</summary>
    Master,

    /// <summary>Prepare the under file systems (the dataset's sources).</summary>
    Ufs,

    /// <summary>Create the workers (and the lazily started FUSE) and wait for them.</summary>
    Workers,

    /// <summary>Record the runtime as set up.</summary>
    Ready,

    /// <summary>Bind the dataset to the runtime.</summary>
    Bind,
}

/// <summary>Steps of sync, in their fixed order.</summary>
public enum SyncStep
{
    /// <summary>Metadata of the sources (total size, file count).</summary>
    Metadata,

    /// <summary>Worker replicas against the spec.</summary>
    Replicas,

    /// <summary>Workloads against the runtime spec.</summary>
    Runtime,

    /// <summary>Health of the components.</summary>
    Health,

    /// <summary>Runtime status.</summary>
    Status,

    /// <summary>Cache figures of the dataset.</summary>
    CacheStates,

    /// <summary>Mounts of the sources.</summary>
    Mounts,

    /// <summary>Labels of the nodes that hold the cache.</summary>
    NodeLabels,
}

/// <summary>Where setup stopped: ready, or the step that is still waiting and why.</summary>
public sealed record SetupResult(bool Ready, SetupStep ReachedStep, string Message)
{
    /// <summary>How long a reconciler should wait before calling setup again when not ready.</summary>
    public TimeSpan RequeueAfter { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The outcome of a sync pass.</summary>
public sealed record SyncResult(RuntimeHealth Health, IReadOnlyList<SyncStep> StepsRun)
{
    /// <summary>Sync again this soon, sooner than the reconciler's usual period (e.g. while the dataset's figures are being computed); null for the usual period.</summary>
    public TimeSpan? RequeueAfter { get; init; }
}

/// <summary>Health of the runtime's components.</summary>
public sealed record RuntimeHealth(bool Healthy, string Message);
