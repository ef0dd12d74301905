using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Engines;
using Fluid.Kube;
using Fluid.Kube.Controllers;

namespace Fluid.Control.Reconcilers;

/// <summary>
/// Drives the engine of one runtime kind: finds the dataset of the same name, validates (ignored
/// fields as Warning events, errors as a condition), sets up until ready, creates the volume, then
/// syncs on every pass (workloads, replicas from spec.replicas, status, cache states). One class
/// serves every kind the engine registry serves; nothing here knows a kind.
/// </summary>
public sealed class RuntimeReconciler(ControllerContext context, string kind) : IReconciler
{
    /// <summary>Condition type set on a runtime whose spec the engine rejects.</summary>
    public const string ValidCondition = "Validated";

    /// <summary>The finalizer on every runtime this controller serves: its engine is shut down before it goes.</summary>
    public const string Finalizer = "fluid-runtime-controller-finalizer";

    private static readonly TimeSpan DatasetRetry = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SyncPeriod = TimeSpan.FromSeconds(60);

    /// <summary>The runtime kind this reconciler serves.</summary>
    public string Kind => kind;

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ControllerContext.SplitKey(key);
        var runtimes = context.Client.Resource(ControllerContext.FluidApiVersion, kind);
        var json = await runtimes.TryGetAsync(name, ns, cancellationToken).ConfigureAwait(false);
        if (json is null)
        {
            return ReconcileResult.Done;
        }

        var runtime = ControllerContext.ReadRuntime(json);
        var dataset = await context.Client.Resource<Dataset>().TryGetAsync(name, ns, cancellationToken).ConfigureAwait(false);
        if (Finalizers.IsBeingDeleted(json))
        {
            return await DeleteAsync(runtimes, json, runtime, dataset, cancellationToken).ConfigureAwait(false);
        }

        if (!Finalizers.Has(json, Finalizer))
        {
            json = await Finalizers.AddAsync(runtimes, json, Finalizer, cancellationToken).ConfigureAwait(false);
        }

        if (dataset is null || Finalizers.IsBeingDeleted(dataset))
        {
            await context.Events.RecordAsync(runtime, EventType.Warning, "DatasetNotFound",
                $"no dataset {ns}/{name}: a runtime serves the dataset of its own name and namespace; create it", cancellationToken).ConfigureAwait(false);
            return ReconcileResult.RequeueAfter(DatasetRetry);
        }

        if (!OwnerReferences.IsOwnedBy(json, dataset))
        {
            // As upstream: the dataset owns its runtime, so deleting the dataset collects the runtime.
            var references = json["metadata"]?["ownerReferences"] as JsonArray ?? [];
            var owner = OwnerReferences.ControllerReference(dataset);
            var reference = new JsonObject { ["apiVersion"] = owner.ApiVersion, ["kind"] = owner.Kind, ["name"] = owner.Name, ["uid"] = owner.Uid };
            json = await runtimes.MergePatchAsync(name, new JsonObject
            {
                ["metadata"] = new JsonObject { ["ownerReferences"] = new JsonArray([.. references.Select(r => r?.DeepClone()), reference]) },
            }, ns, cancellationToken).ConfigureAwait(false);
            runtime = ControllerContext.ReadRuntime(json);
        }

        IEngine engine;
        try
        {
            engine = context.CreateEngine(dataset, runtime);
        }
        catch (EngineInputException e)
        {
            return await RejectAsync(runtime, json, "NoEngine", e.Message, cancellationToken).ConfigureAwait(false);
        }

        var validation = engine.Validate();
        foreach (var warning in validation.Warnings)
        {
            await context.Events.RecordAsync(runtime, EventType.Warning, "FieldIgnored", warning.ToString(), cancellationToken).ConfigureAwait(false);
        }

        if (!validation.IsValid)
        {
            return await RejectAsync(runtime, json, "InvalidSpec", string.Join("; ", validation.Errors.Select(e => e.ToString())), cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (!IsBoundTo(dataset, runtime))
            {
                var setup = await engine.SetupAsync(cancellationToken).ConfigureAwait(false);
                if (!setup.Ready)
                {
                    return ReconcileResult.RequeueAfter(setup.RequeueAfter);
                }

                await context.Events.RecordAsync(runtime, EventType.Normal, "SetupDone", setup.Message, cancellationToken).ConfigureAwait(false);
            }

            await engine.CreateVolumeAsync(cancellationToken).ConfigureAwait(false);

            // Sync's replicas step brings the workers to spec.replicas, which the scale subresource writes.
            var sync = await engine.SyncAsync(cancellationToken).ConfigureAwait(false);
            return sync.Health.Healthy
                ? ReconcileResult.RequeueAfter(sync.RequeueAfter is { } soon && soon < SyncPeriod ? soon : SyncPeriod)
                : ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(5));
        }
        catch (EngineInputException e)
        {
            return await RejectAsync(runtime, json, "InvalidSpec", e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    // Owned objects are collected by the API server, but the volume (cluster-scoped) and the node labels are
    // not: a runtime deleted before its dataset shuts its engine down here, as upstream's runtime finalizer does.
    private async Task<ReconcileResult> DeleteAsync(ResourceClient<JsonObject> runtimes, JsonObject json, KubeObject runtime, Dataset? dataset, CancellationToken ct)
    {
        if (!Finalizers.Has(json, Finalizer))
        {
            return ReconcileResult.Done;
        }

        if (dataset is not null)
        {
            try
            {
                await context.CreateEngine(dataset, runtime).ShutdownAsync(ct).ConfigureAwait(false);
            }
            catch (EngineInputException e)
            {
                await context.Events.RecordAsync(runtime, EventType.Warning, "ShutdownSkipped", e.Message, ct).ConfigureAwait(false);
            }
        }

        await Finalizers.RemoveAsync(runtimes, json, Finalizer, ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private static bool IsBoundTo(Dataset dataset, KubeObject runtime) =>
        dataset.Status?.Phase == DatasetPhases.Bound
        && dataset.Status.Runtimes?.Any(r => r.Name == runtime.Metadata.Name && r.Namespace == (runtime.Metadata.Namespace ?? "default")) == true;

    private async Task<ReconcileResult> RejectAsync(KubeObject runtime, JsonObject json, string reason, string message, CancellationToken ct)
    {
        await context.Events.RecordAsync(runtime, EventType.Warning, reason, message, ct).ConfigureAwait(false);
        var status = json["status"]?.DeepClone() as JsonObject ?? [];
        var conditions = status["conditions"] as JsonArray ?? [];
        var kept = conditions.Where(c => c?["type"]?.GetValue<string>() != ValidCondition).Select(c => c!.DeepClone()).ToList();
        var previous = conditions.FirstOrDefault(c => c?["type"]?.GetValue<string>() == ValidCondition);
        if (previous?["message"]?.GetValue<string>() != message)
        {
            var now = context.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            kept.Add(new JsonObject
            {
                ["type"] = ValidCondition,
                ["status"] = "False",
                ["reason"] = reason,
                ["message"] = message,
                ["lastProbeTime"] = now,
                ["lastTransitionTime"] = now,
            });
            status["conditions"] = new JsonArray([.. kept]);
            await context.Cluster.UpdateStatusAsync(new Cluster.ObjectKey(ControllerContext.FluidApiVersion, kind, runtime.Metadata.Namespace ?? "default", runtime.Metadata.Name ?? ""), status, ct).ConfigureAwait(false);
        }

        // A spec the engine rejects changes only when the user edits it, which the watch delivers; poll slowly besides.
        return ReconcileResult.RequeueAfter(TimeSpan.FromMinutes(2));
    }
}
