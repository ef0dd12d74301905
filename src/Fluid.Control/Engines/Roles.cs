using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.V1Alpha1;

namespace Fluid.Control.Engines;

/// <summary>A workload of the runtime (master, workers or FUSE): created, kept in line with the spec, checked, removed.</summary>
public interface IComponentRole
{
    /// <summary>Creates the component's objects (idempotent).</summary>
    Task SetupAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>True when enough of the component runs to go on.</summary>
    Task<bool> IsReadyAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Brings the component's objects in line with the runtime spec.</summary>
    Task SyncAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Removes the component's objects.</summary>
    Task TeardownAsync(EngineContext ctx, CancellationToken ct);
}

/// <summary>The master role.</summary>
public interface IMasterRole : IComponentRole;

/// <summary>The FUSE role.</summary>
public interface IFuseRole : IComponentRole;

/// <summary>The worker role: the cache itself, its replicas and the nodes it lives on.</summary>
public interface IWorkerRole : IComponentRole
{
    /// <summary>Brings the number of workers in line with the spec.</summary>
    Task SyncReplicasAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Sets the number of workers.</summary>
    Task ScaleAsync(EngineContext ctx, int replicas, CancellationToken ct);

    /// <summary>Labels the nodes where ready workers run and unlabels those they left.</summary>
    Task SyncNodeLabelsAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Removes the cache labels from every node.</summary>
    Task UnlabelNodesAsync(EngineContext ctx, CancellationToken ct);
}

/// <summary>The under file system role: the dataset's sources.</summary>
public interface IUfsRole
{
    /// <summary>Prepares the sources (e.g. their mount options); true when done.</summary>
    Task<bool> PrepareAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Refreshes what is known about the sources (total size, file count).</summary>
    Task SyncMetadataAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Brings the mounted sources in line with the dataset's mounts.</summary>
    Task SyncMountsAsync(EngineContext ctx, CancellationToken ct);
}

/// <summary>The volume role: the dataset's PersistentVolume and claim.</summary>
public interface IVolumeRole
{
    /// <summary>Creates the volume and claim.</summary>
    Task CreateAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Deletes the volume and claim.</summary>
    Task DeleteAsync(EngineContext ctx, CancellationToken ct);
}

/// <summary>The status reporter role: health, runtime status and cache figures from observed objects.</summary>
public interface IStatusReporter
{
    /// <summary>Whether the components are healthy.</summary>
    Task<RuntimeHealth> CheckHealthAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Writes the runtime's status from the observed workloads.</summary>
    Task ReportStatusAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Writes the cache figures into the dataset's and runtime's status; returns how soon to look again when that should be sooner than usual (figures still being computed), else null.</summary>
    Task<TimeSpan?> ReportCacheStatesAsync(EngineContext ctx, CancellationToken ct);
}

/// <summary>The data-operation planner role: the objects that carry out a DataLoad, DataMigrate, ...</summary>
public interface IDataOperationPlanner
{
    /// <summary>The manifests to create for the operation; throws <see cref="EngineInputException"/> for an operation the engine cannot run.</summary>
    IReadOnlyList<JsonObject> Plan(EngineContext ctx, KubeObject operation);

    /// <summary>How far the running operation has got, or null when the engine cannot tell (yet).</summary>
    Task<OperationProgress?> ProgressAsync(EngineContext ctx, KubeObject operation, CancellationToken ct);
}

/// <summary>A problem with the user's objects, naming the field; reconcilers report it as an event and status condition.</summary>
public sealed class EngineInputException(string path, string message) : Exception($"{path}: {message}")
{
    /// <summary>The field at fault, e.g. spec.target[0].path.</summary>
    public string Path { get; } = path;
}
