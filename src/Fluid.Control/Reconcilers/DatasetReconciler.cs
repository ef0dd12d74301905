using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Engines;
using Fluid.Kube.Controllers;
using Fluid.Kube.Http;

namespace Fluid.Control.Reconcilers;

/// <summary>
/// Keeps a Dataset's finalizer, phase, mounts and conditions true: NotBound until its runtime has
/// bound it (the runtime reconciler does that once set up), credentials it names checked, and its
/// deletion held while a pod mounts its volume, then the engine shut down and the finalizer removed.
/// </summary>
public sealed class DatasetReconciler(ControllerContext context) : IReconciler
{
    /// <summary>The finalizer upstream puts on every dataset (same name, so both controllers agree).</summary>
    public const string Finalizer = "fluid-dataset-controller-finalizer";

    /// <summary>Condition type of a dataset whose referenced Secret is missing or lacks a key.</summary>
    public const string SecretsCondition = "SecretsReady";

    private static readonly TimeSpan InUseRetry = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ControllerContext.SplitKey(key);
        var datasets = context.Client.Resource<Dataset>();
        var dataset = await datasets.TryGetAsync(name, ns, cancellationToken).ConfigureAwait(false);
        if (dataset is null)
        {
            return ReconcileResult.Done;
        }

        if (Finalizers.IsBeingDeleted(dataset))
        {
            return await DeleteAsync(dataset, cancellationToken).ConfigureAwait(false);
        }

        if (!Finalizers.Has(dataset, Finalizer))
        {
            dataset = await Finalizers.AddAsync(datasets, dataset, Finalizer, cancellationToken).ConfigureAwait(false);
        }

        var secretProblem = await CheckSecretsAsync(dataset, cancellationToken).ConfigureAwait(false);
        var runtime = await context.FindRuntimeAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var now = context.Clock.GetUtcNow();
        await datasets.UpdateAsync(name, current =>
        {
            var before = FluidJson.ToNode(current.Status ?? new DatasetStatus()).ToJsonString();
            var status = current.Status ?? new DatasetStatus();
            var bound = status.Phase == DatasetPhases.Bound && runtime is not null;
            if (!bound)
            {
                status.Phase = DatasetPhases.NotBound;
                status.Runtimes = null;
                status.CacheStates = null;
            }

            // Upstream lists the mounts being served; the spec is the truth, so copy it on every pass.
            status.Mounts = current.Spec.Mounts is { Count: > 0 } mounts ? FluidJson.FromNode<List<Mount>>(System.Text.Json.JsonSerializer.SerializeToNode(mounts, FluidJson.Options)!) : null;
            status.Conditions = SetCondition(status.Conditions, secretProblem is null
                ? new DatasetCondition { Type = SecretsCondition, Status = "True", Reason = "SecretsFound", Message = "every Secret the dataset references exists with its key" }
                : new DatasetCondition { Type = SecretsCondition, Status = "False", Reason = secretProblem.Value.Reason, Message = secretProblem.Value.Message }, now);
            current.Status = status;
            return FluidJson.ToNode(status).ToJsonString() != before;
        }, ns, status: true, cancellationToken: cancellationToken).ConfigureAwait(false);

        if (secretProblem is { } problem)
        {
            await context.Events.RecordAsync(dataset, EventType.Warning, problem.Reason, problem.Message, cancellationToken).ConfigureAwait(false);

            // Requeue with the queue's growing backoff, so a Secret created later is picked up without a crash loop.
            return ReconcileResult.Requeue;
        }

        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> DeleteAsync(Dataset dataset, CancellationToken ct)
    {
        if (!Finalizers.Has(dataset, Finalizer))
        {
            return ReconcileResult.Done;
        }

        var ns = dataset.Metadata.Namespace ?? "default";
        var name = dataset.Metadata.Name ?? "";
        var users = await PodsUsingAsync(ns, name, ct).ConfigureAwait(false);
        if (users.Count > 0)
        {
            await context.Events.RecordAsync(dataset, EventType.Warning, "DatasetInUse",
                $"the dataset cannot be deleted while pods use its volume (PersistentVolumeClaim {name}): {string.Join(", ", users)}; delete those pods first", ct).ConfigureAwait(false);
            return ReconcileResult.RequeueAfter(InUseRetry);
        }

        if (await context.FindRuntimeAsync(ns, name, ct).ConfigureAwait(false) is { } runtime)
        {
            try
            {
                await context.CreateEngine(dataset, runtime).ShutdownAsync(ct).ConfigureAwait(false);
            }
            catch (EngineInputException e)
            {
                // No engine serves this runtime, so it created nothing to shut down; the deletion goes on.
                await context.Events.RecordAsync(dataset, EventType.Warning, "ShutdownSkipped", e.Message, ct).ConfigureAwait(false);
            }
        }

        await Finalizers.RemoveAsync(context.Client.Resource<Dataset>(), dataset, Finalizer, ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private async Task<List<string>> PodsUsingAsync(string ns, string claim, CancellationToken ct)
    {
        var pods = await context.Cluster.ListAsync("v1", "Pod", ns, null, ct).ConfigureAwait(false);
        return [.. pods
            .Where(p => p["spec"]?["volumes"] is JsonArray volumes
                && volumes.Any(v => v?["persistentVolumeClaim"]?["claimName"]?.GetValue<string>() == claim))
            .Select(p => p["metadata"]?["name"]?.GetValue<string>() ?? "")
            .Order(StringComparer.Ordinal)];
    }

    private async Task<(string Reason, string Message)?> CheckSecretsAsync(Dataset dataset, CancellationToken ct)
    {
        var ns = dataset.Metadata.Namespace ?? "default";
        var references = new List<(string Path, SecretKeySelector Selector)>();
        Collect(references, "spec.sharedEncryptOptions", dataset.Spec.SharedEncryptOptions);
        var mounts = dataset.Spec.Mounts ?? [];
        for (var i = 0; i < mounts.Count; i++)
        {
            Collect(references, $"spec.mounts[{i}].encryptOptions", mounts[i].EncryptOptions);
        }

        foreach (var (path, selector) in references)
        {
            JsonObject? secret;
            try
            {
                secret = await context.Client.Resource("v1", "Secret").TryGetAsync(selector.Name, ns, ct).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Forbidden)
            {
                return ("SecretNotReadable", $"{path}: Secret {ns}/{selector.Name} cannot be read by the controller: {e.ApiMessage}");
            }

            if (secret is null)
            {
                return ("SecretNotFound", $"{path}: Secret {ns}/{selector.Name} does not exist; create it in namespace {ns} or fix the name");
            }

            if (selector.Key is { Length: > 0 } k && secret["data"]?[k] is null && secret["stringData"]?[k] is null)
            {
                return ("SecretKeyNotFound", $"{path}: Secret {ns}/{selector.Name} has no key \"{k}\"; add it or fix secretKeyRef.key");
            }
        }

        return null;
    }

    private static void Collect(List<(string, SecretKeySelector)> into, string path, List<EncryptOption>? options)
    {
        for (var i = 0; i < (options?.Count ?? 0); i++)
        {
            if (options![i].ValueFrom?.SecretKeyRef is { } selector)
            {
                into.Add(($"{path}[{i}].valueFrom.secretKeyRef", selector));
            }
        }
    }

    private static List<DatasetCondition> SetCondition(List<DatasetCondition>? conditions, DatasetCondition condition, DateTimeOffset now)
    {
        var result = (conditions ?? []).Where(c => c.Type != condition.Type).ToList();
        var previous = conditions?.FirstOrDefault(c => c.Type == condition.Type);
        if (previous is not null && previous.Status == condition.Status && previous.Reason == condition.Reason && previous.Message == condition.Message)
        {
            result.Add(previous);
            return result;
        }

        condition.LastUpdateTime = now;
        condition.LastTransitionTime = previous is not null && previous.Status == condition.Status ? previous.LastTransitionTime : now;
        result.Add(condition);
        return result;
    }
}
