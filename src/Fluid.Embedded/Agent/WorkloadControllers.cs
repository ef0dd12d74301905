using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Fluid.Embedded.Agent;

/// <summary>
/// What kube-controller-manager would do for the one node fluidd has: StatefulSet, DaemonSet and Job pods
/// created from their templates, bound to this node, and their owners' status counted from them.
/// </summary>
internal sealed class WorkloadControllers(KubeClient client, string nodeName, ILogger log, Func<string, bool> ownerHasStoppingPods)
{
    private readonly ResourceClient<JsonObject> _pods = client.Resource("v1", "Pod");

    public async Task SyncAsync(JsonObject node, IReadOnlyList<JsonObject> pods, CancellationToken ct)
    {
        var byOwner = pods.Where(p => Json.Controller(p) is not null).ToLookup(p => Json.Controller(p)!.Value.Uid);
        await foreach (var set in client.Resource("apps/v1", "StatefulSet").ListAllAsync(null, KubeClient.AllNamespaces, ct).ConfigureAwait(false))
        {
            if (!Json.Deleting(set))
            {
                await Guard(set, "StatefulSet", () => SyncStatefulSetAsync(set, [.. byOwner[Json.Uid(set)]], ct)).ConfigureAwait(false);
            }
        }

        await foreach (var set in client.Resource("apps/v1", "DaemonSet").ListAllAsync(null, KubeClient.AllNamespaces, ct).ConfigureAwait(false))
        {
            if (!Json.Deleting(set))
            {
                await Guard(set, "DaemonSet", () => SyncDaemonSetAsync(set, node, [.. byOwner[Json.Uid(set)]], ct)).ConfigureAwait(false);
            }
        }

        await foreach (var job in client.Resource("batch/v1", "Job").ListAllAsync(null, KubeClient.AllNamespaces, ct).ConfigureAwait(false))
        {
            if (!Json.Deleting(job))
            {
                await Guard(job, "Job", () => SyncJobAsync(job, [.. byOwner[Json.Uid(job)]], ct)).ConfigureAwait(false);
            }
        }
    }

    // One broken object (a rejected pod template) must not stop the others from being served.
    private async Task Guard(JsonObject owner, string kind, Func<Task> sync)
    {
        try
        {
            await sync().ConfigureAwait(false);
        }
        catch (KubeApiException e) when (!e.IsGone)
        {
            log.LogWarning("{Kind} {Namespace}/{Name}: {Message}", kind, Json.Namespace(owner), Json.Name(owner), e.ApiMessage ?? e.Message);
        }
    }

    private async Task SyncStatefulSetAsync(JsonObject set, List<JsonObject> owned, CancellationToken ct)
    {
        var name = Json.Name(set);
        var ns = Json.Namespace(set);
        var replicas = (int)(Json.Number(set, "spec", "replicas") ?? 1);
        var parallel = Json.Text(set, "spec", "podManagementPolicy") == "Parallel";
        var byOrdinal = new SortedDictionary<int, JsonObject>();
        foreach (var pod in owned)
        {
            var podName = Json.Name(pod);
            if (podName.StartsWith(name + "-", StringComparison.Ordinal) && int.TryParse(podName.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
            {
                byOrdinal[ordinal] = pod;
            }
        }

        // Finished pods of a StatefulSet are replaced, as the controller does.
        foreach (var (ordinal, pod) in byOrdinal.Where(p => !Json.Deleting(p.Value) && Json.Text(p.Value, "status", "phase") is "Failed" or "Succeeded").ToList())
        {
            await DeletePodAsync(pod, ct).ConfigureAwait(false);
            byOrdinal.Remove(ordinal);
        }

        var surplus = byOrdinal.Keys.Where(o => o >= replicas).OrderDescending().ToList();
        if (surplus.Count > 0)
        {
            // Highest ordinal first; OrderedReady removes one at a time, once the one before it is gone.
            foreach (var ordinal in parallel ? surplus : surplus.Take(1))
            {
                if (!Json.Deleting(byOrdinal[ordinal]))
                {
                    await DeletePodAsync(byOrdinal[ordinal], ct).ConfigureAwait(false);
                }
            }
        }
        else
        {
            for (var ordinal = 0; ordinal < replicas; ordinal++)
            {
                if (byOrdinal.TryGetValue(ordinal, out var existing))
                {
                    if (!parallel && !PodStatus.IsReady(existing))
                    {
                        break;
                    }

                    continue;
                }

                var pod = FromTemplate(set, "apps/v1", "StatefulSet", $"{name}-{ordinal}");
                var labels = (JsonObject)pod["metadata"]!["labels"]!;
                labels["statefulset.kubernetes.io/pod-name"] = $"{name}-{ordinal}";
                labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
                var spec = (JsonObject)pod["spec"]!;
                spec["hostname"] = $"{name}-{ordinal}";
                if (Json.Text(set, "spec", "serviceName") is { Length: > 0 } service)
                {
                    spec["subdomain"] = service;
                }

                byOrdinal[ordinal] = await CreatePodAsync(pod, ns, ct).ConfigureAwait(false);
                if (!parallel)
                {
                    break;
                }
            }
        }

        var revision = Revision(set);
        if (surplus.Count == 0 && RollsOnUpdate(set) && !byOrdinal.Values.Any(Json.Deleting))
        {
            // RollingUpdate: one outdated pod at a time, highest ordinal first, once every other pod is ready
            // (an outdated pod that is not ready is replaced at once: waiting for it could wait forever).
            var outdated = byOrdinal.Where(p => Outdated(p.Value, revision)).OrderByDescending(p => p.Key).Select(p => p.Value).FirstOrDefault();
            if (outdated is not null && (!PodStatus.IsReady(outdated) || byOrdinal.Values.All(PodStatus.IsReady)))
            {
                await DeletePodAsync(outdated, ct).ConfigureAwait(false);
                outdated["metadata"]!["deletionTimestamp"] = Json.Now();
            }
        }

        var live = byOrdinal.Values.Where(p => !Json.Deleting(p)).ToList();
        var ready = live.Count(PodStatus.IsReady);
        var updated = live.Count(p => !Outdated(p, revision));
        await PatchStatusAsync("apps/v1", "StatefulSet", set, new JsonObject
        {
            ["observedGeneration"] = Json.Number(set, "metadata", "generation") ?? 1,
            ["replicas"] = live.Count,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["currentReplicas"] = live.Count,
            ["updatedReplicas"] = updated,
            ["updateRevision"] = revision,
        }, ct).ConfigureAwait(false);
    }

    private async Task SyncDaemonSetAsync(JsonObject set, JsonObject node, List<JsonObject> owned, CancellationToken ct)
    {
        var template = Json.At(set, "spec", "template", "spec");
        var fits = NodeMatching.Fits(template, node);
        var live = owned.Where(p => !Json.Deleting(p)).ToList();
        if (!fits)
        {
            foreach (var pod in live)
            {
                await DeletePodAsync(pod, ct).ConfigureAwait(false);
            }

            live.Clear();
        }
        else
        {
            // Finished pods are replaced, and so is a pod of an older template (RollingUpdate on the one node).
            // The new pod waits until the old one is gone: two FUSE pods must not mount the same path at once.
            var revision = Revision(set);
            var replaced = false;
            foreach (var pod in live.Where(p => Json.Text(p, "status", "phase") is "Failed" or "Succeeded" || (RollsOnUpdate(set) && Outdated(p, revision))).ToList())
            {
                await DeletePodAsync(pod, ct).ConfigureAwait(false);
                live.Remove(pod);
                replaced = true;
            }

            if (live.Count == 0 && !replaced && !owned.Any(Json.Deleting) && !ownerHasStoppingPods(Json.Uid(set)))
            {
                var pod = FromTemplate(set, "apps/v1", "DaemonSet", $"{Json.Name(set)}-{Suffix()}");
                live.Add(await CreatePodAsync(pod, Json.Namespace(set), ct).ConfigureAwait(false));
            }
        }

        var ready = live.Count(PodStatus.IsReady);
        await PatchStatusAsync("apps/v1", "DaemonSet", set, new JsonObject
        {
            ["observedGeneration"] = Json.Number(set, "metadata", "generation") ?? 1,
            ["desiredNumberScheduled"] = fits ? 1 : 0,
            ["currentNumberScheduled"] = live.Count,
            ["updatedNumberScheduled"] = live.Count,
            ["numberMisscheduled"] = 0,
            ["numberReady"] = ready,
            ["numberAvailable"] = ready,
            ["numberUnavailable"] = (fits ? 1 : 0) - ready < 0 ? 0 : (fits ? 1 : 0) - ready,
        }, ct).ConfigureAwait(false);
    }

    private async Task SyncJobAsync(JsonObject job, List<JsonObject> owned, CancellationToken ct)
    {
        var conditions = Json.Objects(job, "status", "conditions").ToList();
        if (conditions.Any(c => Json.Text(c, "type") is "Complete" or "Failed" && Json.Text(c, "status") == "True"))
        {
            return;
        }

        if (Json.At(job, "spec", "suspend") is JsonValue s && s.TryGetValue<bool>(out var suspended) && suspended)
        {
            return;
        }

        var completions = (int)(Json.Number(job, "spec", "completions") ?? 1);
        var parallelism = (int)(Json.Number(job, "spec", "parallelism") ?? 1);
        var backoffLimit = (int)(Json.Number(job, "spec", "backoffLimit") ?? 6);
        var succeeded = owned.Count(p => Json.Text(p, "status", "phase") == "Succeeded");
        var failed = owned.Count(p => Json.Text(p, "status", "phase") == "Failed");
        var restarts = owned.Sum(p => Json.Objects(p, "status", "containerStatuses").Sum(c => (int)(Json.Number(c, "restartCount") ?? 0)));
        var active = owned.Where(p => !Json.Deleting(p) && Json.Text(p, "status", "phase") is not ("Succeeded" or "Failed")).ToList();
        var now = Json.Now();
        var status = new JsonObject { ["startTime"] = Json.Text(job, "status", "startTime") ?? now };
        JsonObject Condition(string type, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = "True",
            ["reason"] = reason,
            ["message"] = message,
            ["lastProbeTime"] = now,
            ["lastTransitionTime"] = now,
        };

        if (succeeded >= completions)
        {
            status["completionTime"] = now;
            status["conditions"] = new JsonArray(Condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"), Condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
            foreach (var pod in active)
            {
                await DeletePodAsync(pod, ct).ConfigureAwait(false);
            }

            active.Clear();
        }
        else if (failed + restarts > backoffLimit)
        {
            var message = $"Job has reached the specified backoff limit ({backoffLimit}): {failed} failed pod(s), {restarts} container restart(s)";
            status["conditions"] = new JsonArray(Condition("FailureTarget", "BackoffLimitExceeded", message), Condition("Failed", "BackoffLimitExceeded", message));
            foreach (var pod in active)
            {
                await DeletePodAsync(pod, ct).ConfigureAwait(false);
            }

            active.Clear();
        }
        else
        {
            var wanted = Math.Min(parallelism, completions - succeeded);
            while (active.Count < wanted)
            {
                var pod = FromTemplate(job, "batch/v1", "Job", $"{Json.Name(job)}-{Suffix()}");
                var labels = (JsonObject)pod["metadata"]!["labels"]!;
                labels["job-name"] = Json.Name(job);
                labels["batch.kubernetes.io/job-name"] = Json.Name(job);
                labels["controller-uid"] = Json.Uid(job);
                labels["batch.kubernetes.io/controller-uid"] = Json.Uid(job);
                active.Add(await CreatePodAsync(pod, Json.Namespace(job), ct).ConfigureAwait(false));
            }
        }

        status["active"] = active.Count;
        status["succeeded"] = succeeded;
        status["failed"] = failed;
        status["ready"] = active.Count(PodStatus.IsReady);
        await PatchStatusAsync("batch/v1", "Job", job, status, ct).ConfigureAwait(false);
    }

    /// <summary>The label kube-controller-manager puts on StatefulSet and DaemonSet pods: the revision of the template they were made from.</summary>
    internal const string RevisionLabel = "controller-revision-hash";

    /// <summary>The revision of an owner's pod template (a hash of it), so a changed template is told apart.</summary>
    internal static string Revision(JsonObject owner) =>
        $"{Json.Name(owner)}-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Json.At(owner, "spec", "template")?.ToJsonString() ?? "")))[..10]}";

    private static bool Outdated(JsonObject pod, string revision) => Json.Text(pod, "metadata", "labels", RevisionLabel) != revision;

    private static bool RollsOnUpdate(JsonObject set) => Json.Text(set, "spec", "updateStrategy", "type") != "OnDelete";

    private JsonObject FromTemplate(JsonObject owner, string apiVersion, string kind, string name)
    {
        var template = Json.At(owner, "spec", "template") as JsonObject
            ?? throw new InvalidOperationException($"{kind} {Json.Name(owner)} has no spec.template");
        var metadata = Json.At(template, "metadata")?.DeepClone() as JsonObject ?? [];
        metadata.Remove("name");
        metadata.Remove("namespace");
        metadata["name"] = name;
        metadata["labels"] ??= new JsonObject();
        if (kind is "StatefulSet" or "DaemonSet")
        {
            metadata["labels"]![RevisionLabel] = Revision(owner);
        }

        metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(owner, apiVersion, kind));
        var spec = Json.At(template, "spec")?.DeepClone() as JsonObject ?? [];
        spec["nodeName"] = nodeName;
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
    }

    private async Task<JsonObject> CreatePodAsync(JsonObject pod, string ns, CancellationToken ct)
    {
        try
        {
            return await _pods.CreateAsync(pod, ns, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            return await _pods.GetAsync(Json.Name(pod), ns, ct).ConfigureAwait(false);
        }
    }

    private async Task DeletePodAsync(JsonObject pod, CancellationToken ct)
    {
        try
        {
            await _pods.DeleteAsync(Json.Name(pod), Json.Namespace(pod), new DeleteOptions { PreconditionUid = Json.Uid(pod) }, ct).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
        }
    }

    private async Task PatchStatusAsync(string apiVersion, string kind, JsonObject owner, JsonObject status, CancellationToken ct)
    {
        // Unchanged figures are not written again: every write wakes every watcher.
        var current = Json.At(owner, "status") as JsonObject;
        if (current is not null && status.All(p => p.Key is "completionTime" or "startTime" && current[p.Key] is not null || JsonNode.DeepEquals(current[p.Key], p.Value) || (p.Key == "conditions" && current[p.Key] is not null && JsonNode.DeepEquals(Strip(current[p.Key]), Strip(p.Value)))))
        {
            return;
        }

        await client.Resource(apiVersion, kind).PatchStatusAsync(Json.Name(owner), PatchType.Merge, new JsonObject { ["status"] = status }.ToJsonString(), Json.Namespace(owner), cancellationToken: ct).ConfigureAwait(false);
    }

    private static JsonNode? Strip(JsonNode? conditions) => conditions is JsonArray a
        ? new JsonArray([.. a.OfType<JsonObject>().Select(c => (JsonNode)new JsonObject { ["type"] = Json.Text(c, "type"), ["status"] = Json.Text(c, "status"), ["reason"] = Json.Text(c, "reason") })])
        : null;

    private static string Suffix()
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
    }
}

/// <summary>Whether a pod template may run on the node: nodeSelector and required node affinity.</summary>
internal static class NodeMatching
{
    public static bool Fits(JsonNode? podSpec, JsonNode node)
    {
        var labels = Json.Labels(node, "metadata", "labels");
        foreach (var (key, value) in Json.Labels(podSpec, "nodeSelector"))
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        var terms = Json.Objects(podSpec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").ToList();
        return terms.Count == 0 || terms.Any(t => TermMatches(t, labels, Json.Name(node)));
    }

    private static bool TermMatches(JsonObject term, Dictionary<string, string> labels, string nodeName)
    {
        var expressions = Json.Objects(term, "matchExpressions").ToList();
        var fields = Json.Objects(term, "matchFields").ToList();
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        return expressions.All(e => Matches(e, labels))
            && fields.All(f => Json.Text(f, "key") == "metadata.name" && Matches(f, new Dictionary<string, string> { ["metadata.name"] = nodeName }));
    }

    private static bool Matches(JsonObject expression, Dictionary<string, string> labels)
    {
        var key = Json.Text(expression, "key") ?? "";
        var values = Json.At(expression, "values") is JsonArray a ? a.Select(v => v?.ToString() ?? "").ToList() : [];
        var has = labels.TryGetValue(key, out var value);
        return Json.Text(expression, "operator") switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && long.TryParse(value, out var g) && values.Count == 1 && long.TryParse(values[0], out var gv) && g > gv,
            "Lt" => has && long.TryParse(value, out var l) && values.Count == 1 && long.TryParse(values[0], out var lv) && l < lv,
            _ => false,
        };
    }
}
