using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Engines;
using Fluid.Control.Status;
using Fluid.Kube.Controllers;

namespace Fluid.Control.Reconcilers;

/// <summary>
/// Runs a DataLoad of policy Once: waits (Pending, with the reason) for its dataset to exist and be
/// bound and for the dataset's DataLoad lock (status.operationRef["DataLoad"]), has the engine create
/// the loader Job, follows the Job to Complete or Failed, releases the lock, and deletes the DataLoad
/// ttlSecondsAfterFinished after it finished. While the Job runs, status.progress follows what the
/// engine learns of the loader's progress; a completed load shows 100%.
/// </summary>
public sealed class DataLoadReconciler(ControllerContext context) : IReconciler
{
    /// <summary>Key of the DataLoad lock in a dataset's status.operationRef, as upstream.</summary>
    public const string LockKey = "DataLoad";

    private static readonly TimeSpan WaitRetry = TimeSpan.FromSeconds(5);

    // The loader reports every second; status.progress follows it this closely while the load runs.
    private static readonly TimeSpan ProgressPoll = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ControllerContext.SplitKey(key);
        var loads = context.Client.Resource<DataLoad>();
        var load = await loads.TryGetAsync(name, ns, cancellationToken).ConfigureAwait(false);
        if (load is null || Finalizers.IsBeingDeleted(load))
        {
            return ReconcileResult.Done;
        }

        var datasetNs = load.Spec.Dataset.Namespace ?? ns;
        var datasetName = load.Spec.Dataset.Name;
        var phase = load.Status?.Phase;
        if (phase is OperationPhases.Complete or OperationPhases.Failed)
        {
            await ReleaseLockAsync(datasetNs, datasetName, name, cancellationToken).ConfigureAwait(false);
            return await ExpireAsync(load, cancellationToken).ConfigureAwait(false);
        }

        if ((load.Spec.Policy ?? Policies.Once) != Policies.Once)
        {
            return await PendAsync(load, "PolicyNotSupported",
                $"spec.policy: \"{load.Spec.Policy}\" is not run by this controller yet; only Once is", null, cancellationToken).ConfigureAwait(false);
        }

        var dataset = await context.Client.Resource<Dataset>().TryGetAsync(datasetName, datasetNs, cancellationToken).ConfigureAwait(false);
        if (dataset is null)
        {
            return await PendAsync(load, "TargetDatasetNotFound", $"spec.dataset: dataset {datasetNs}/{datasetName} does not exist", WaitRetry, cancellationToken).ConfigureAwait(false);
        }

        if (dataset.Status?.Phase != DatasetPhases.Bound)
        {
            return await PendAsync(load, "TargetDatasetNotBound",
                $"spec.dataset: dataset {datasetNs}/{datasetName} is {dataset.Status?.Phase ?? "not yet reconciled"}; it must be Bound to a ready runtime", WaitRetry, cancellationToken).ConfigureAwait(false);
        }

        var holder = await AcquireLockAsync(datasetNs, datasetName, name, cancellationToken).ConfigureAwait(false);
        if (holder is not null)
        {
            return await PendAsync(load, "DatasetLocked", $"DataLoad {holder} is loading dataset {datasetNs}/{datasetName}; this one waits for it", WaitRetry, cancellationToken).ConfigureAwait(false);
        }

        var runtime = await context.FindRuntimeAsync(datasetNs, datasetName, cancellationToken).ConfigureAwait(false);
        if (runtime is null)
        {
            await ReleaseLockAsync(datasetNs, datasetName, name, cancellationToken).ConfigureAwait(false);
            return await PendAsync(load, "RuntimeNotFound", $"dataset {datasetNs}/{datasetName} has no runtime", WaitRetry, cancellationToken).ConfigureAwait(false);
        }

        IEngine engine;
        IReadOnlyList<Cluster.ObjectKey> created;
        try
        {
            engine = context.CreateEngine(dataset, runtime);
            created = await engine.OperateAsync(load, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineInputException e)
        {
            await ReleaseLockAsync(datasetNs, datasetName, name, cancellationToken).ConfigureAwait(false);
            await context.Events.RecordAsync(load, EventType.Warning, "DataLoadInvalid", e.Message, cancellationToken).ConfigureAwait(false);
            return await FinishAsync(load, OperationPhases.Failed, "DataLoadInvalid", e.Message, cancellationToken).ConfigureAwait(false);
        }

        var jobKey = created.FirstOrDefault(k => k.Kind == "Job");
        var job = jobKey.Name is null ? null : await context.Cluster.GetAsync(jobKey, cancellationToken).ConfigureAwait(false);
        var jobState = JobState(job);
        var progress = await engine.ProgressAsync(load, cancellationToken).ConfigureAwait(false);
        if (jobState is { } finished)
        {
            // The Job's outcome decides; on success everything counted is loaded, whatever the last report said.
            var last = progress ?? load.Status?.Progress;
            var final = finished.Phase == OperationPhases.Complete && last is not null ? OperationProgressDerivation.Completed(last) : last;
            await FinishAsync(load, finished.Phase, finished.Reason, finished.Message, final, cancellationToken).ConfigureAwait(false);
            await ReleaseLockAsync(datasetNs, datasetName, name, cancellationToken).ConfigureAwait(false);
            return await ExpireAsync(await loads.GetAsync(name, ns, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        if (phase != OperationPhases.Executing)
        {
            var now = context.Clock.GetUtcNow();
            await loads.UpdateAsync(name, current =>
            {
                var status = current.Status ?? new OperationStatus();
                status.Phase = OperationPhases.Executing;
                status.Duration = OperationPhases.UnfinishedDuration;
                status.LastScheduleTime = now;
                status.Conditions = null;
                status.Progress = progress;
                current.Status = status;
                return true;
            }, ns, status: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            await context.Events.RecordAsync(load, EventType.Normal, "DataLoadJobStarted", $"Job {jobKey.Name} loads dataset {datasetNs}/{datasetName}", cancellationToken).ConfigureAwait(false);
        }
        else if (progress is not null && !SameProgress(load.Status?.Progress, progress))
        {
            await loads.UpdateAsync(name, current =>
            {
                if (current.Status?.Phase != OperationPhases.Executing || SameProgress(current.Status.Progress, progress))
                {
                    return false;
                }

                current.Status.Progress = progress;
                return true;
            }, ns, status: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        // The Job's status changes reach this reconciler through the Job informer; the loader's progress only by asking.
        return ReconcileResult.RequeueAfter(ProgressPoll);
    }

    private static bool SameProgress(OperationProgress? a, OperationProgress? b) =>
        a is null ? b is null : b is not null && JsonNode.DeepEquals(FluidJson.ToNode(a), FluidJson.ToNode(b));

    /// <summary>Complete or Failed from a Job's conditions (as the job controller writes them), or null while it runs.</summary>
    private static (string Phase, string Reason, string Message)? JobState(JsonObject? job)
    {
        if (job?["status"]?["conditions"] is not JsonArray conditions)
        {
            return null;
        }

        foreach (var condition in conditions)
        {
            if (condition?["status"]?.GetValue<string>() != "True")
            {
                continue;
            }

            var type = condition["type"]?.GetValue<string>();
            var message = condition["message"]?.GetValue<string>();
            if (type == "Complete")
            {
                return (OperationPhases.Complete, "JobComplete", message ?? "the loader Job completed");
            }

            if (type == "Failed")
            {
                return (OperationPhases.Failed, condition["reason"]?.GetValue<string>() ?? "JobFailed", message ?? "the loader Job failed");
            }
        }

        return null;
    }

    private async Task<ReconcileResult> PendAsync(DataLoad load, string reason, string message, TimeSpan? retry, CancellationToken ct)
    {
        var changed = false;
        var now = context.Clock.GetUtcNow();
        await context.Client.Resource<DataLoad>().UpdateAsync(load.Metadata.Name ?? "", current =>
        {
            var status = current.Status ?? new OperationStatus();
            var previous = status.Conditions?.FirstOrDefault();
            if (status.Phase == OperationPhases.Pending && previous?.Reason == reason && previous.Message == message)
            {
                return false;
            }

            status.Phase = OperationPhases.Pending;
            status.Duration = OperationPhases.UnfinishedDuration;
            status.Conditions = [new Condition { Type = OperationPhases.Pending, Status = "True", Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now }];
            current.Status = status;
            changed = true;
            return true;
        }, load.Metadata.Namespace, status: true, cancellationToken: ct).ConfigureAwait(false);
        if (changed)
        {
            await context.Events.RecordAsync(load, EventType.Normal, reason, message, ct).ConfigureAwait(false);
        }

        return retry is { } after ? ReconcileResult.RequeueAfter(after) : ReconcileResult.Done;
    }

    private async Task<ReconcileResult> FinishAsync(DataLoad load, string phase, string reason, string message, CancellationToken ct) =>
        await FinishAsync(load, phase, reason, message, load.Status?.Progress, ct).ConfigureAwait(false);

    private async Task<ReconcileResult> FinishAsync(DataLoad load, string phase, string reason, string message, OperationProgress? progress, CancellationToken ct)
    {
        var now = context.Clock.GetUtcNow();
        var started = load.Status?.LastScheduleTime ?? load.Metadata.CreationTimestamp ?? now;
        await context.Client.Resource<DataLoad>().UpdateAsync(load.Metadata.Name ?? "", current =>
        {
            var status = current.Status ?? new OperationStatus();
            status.Phase = phase;
            status.Duration = GoDuration.FromTimeSpan(TimeSpan.FromSeconds(Math.Max(0, Math.Floor((now - started).TotalSeconds)))).Text;
            status.Conditions = [new Condition { Type = phase, Status = "True", Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now }];
            status.Progress = progress;
            if (phase == OperationPhases.Complete)
            {
                status.LastSuccessfulTime = now;
            }

            current.Status = status;
            return true;
        }, load.Metadata.Namespace, status: true, cancellationToken: ct).ConfigureAwait(false);
        await context.Events.RecordAsync(load, phase == OperationPhases.Complete ? EventType.Normal : EventType.Warning, reason, message, ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> ExpireAsync(DataLoad load, CancellationToken ct)
    {
        if (load.Spec.TtlSecondsAfterFinished is not { } ttl)
        {
            return ReconcileResult.Done;
        }

        var finished = load.Status?.Conditions?.Select(c => c.LastTransitionTime).Max() ?? load.Status?.LastSuccessfulTime;
        if (finished is null)
        {
            return ReconcileResult.Done;
        }

        var left = finished.Value.AddSeconds(ttl) - context.Clock.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            return ReconcileResult.RequeueAfter(left);
        }

        await context.Cluster.DeleteAsync(new Cluster.ObjectKey(ControllerContext.FluidApiVersion, "DataLoad", load.Metadata.Namespace ?? "default", load.Metadata.Name ?? ""), ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    /// <summary>Takes the dataset's DataLoad lock for <paramref name="load"/>; returns the other holder, or null when ours.</summary>
    private async Task<string?> AcquireLockAsync(string ns, string dataset, string load, CancellationToken ct)
    {
        string? holder = null;

        // The status write carries the resourceVersion read, so two reconcilers cannot both take the lock.
        await context.Client.Resource<Dataset>().UpdateAsync(dataset, current =>
        {
            var status = current.Status ??= new DatasetStatus();
            holder = status.OperationRef?.GetValueOrDefault(LockKey) is { Length: > 0 } held && held != load ? held : null;
            if (holder is not null || status.OperationRef?.GetValueOrDefault(LockKey) == load)
            {
                return false;
            }

            status.OperationRef ??= [];
            status.OperationRef[LockKey] = load;
            return true;
        }, ns, status: true, cancellationToken: ct).ConfigureAwait(false);
        return holder;
    }

    private async Task ReleaseLockAsync(string ns, string dataset, string load, CancellationToken ct)
    {
        if (await context.Client.Resource<Dataset>().TryGetAsync(dataset, ns, ct).ConfigureAwait(false) is null)
        {
            return;
        }

        await context.Client.Resource<Dataset>().UpdateAsync(dataset, current =>
        {
            if (current.Status?.OperationRef?.GetValueOrDefault(LockKey) != load)
            {
                return false;
            }

            current.Status.OperationRef.Remove(LockKey);
            if (current.Status.OperationRef.Count == 0)
            {
                current.Status.OperationRef = null;
            }

            return true;
        }, ns, status: true, cancellationToken: ct).ConfigureAwait(false);
    }
}
