using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Fluid.Embedded.Agent;

/// <summary>
/// The kubelet part of the agent: pods bound to this node run as local processes; their status is written
/// back; pods deleted or marked for deletion have their processes stopped.
/// </summary>
internal sealed class PodRunner(KubeClient client, NodeAgentOptions options, ILogger log)
{
    private readonly Dictionary<string, RunningPod> _running = [];
    private readonly Dictionary<string, (string Reason, string Message, DateTimeOffset Retry)> _refused = [];
    private readonly Dictionary<string, string> _published = [];
    private readonly List<Task> _stopping = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _stoppingOwners = new();
    private readonly ResourceClient<JsonObject> _pods = client.Resource("v1", "Pod");
    private readonly PodSetup _setup = new(client, options.Fluid ?? FluidProgram.Self(), options.NodeName);

    private string PodsDirectory => ContainerLogs.PodsDirectory(options.DataDirectory);

    /// <summary>
    /// Kills processes an earlier agent started (recorded in PID files, and their children by the agent's mark) so
    /// none outlives its pod, and waits until they are gone: a FUSE they served is then a dead mount, never one
    /// that still answers for a moment.
    /// </summary>
    public static void KillLeftovers(NodeAgentOptions options, ILogger log)
    {
        var pods = ContainerLogs.PodsDirectory(options.DataDirectory);
        var killed = new List<int>();
        if (Directory.Exists(pods))
        {
            foreach (var file in Directory.EnumerateFiles(pods, "*.pid", SearchOption.AllDirectories))
            {
                if (LocalProcess.ReadPidFile(file) is { } pid)
                {
                    log.LogInformation("killing pid {Pid} left by an earlier agent ({File})", pid, file);
                    LocalProcess.Signal(pid, "KILL");
                    killed.Add(pid);
                }

                File.Delete(file);
            }
        }

        // Their children too (a FUSE supervisor's servers run in sessions of their own): they carry the agent's mark.
        foreach (var pid in LocalProcess.WithEnvironment(AgentMark.Variable, AgentMark.For(options.DataDirectory)))
        {
            log.LogInformation("killing pid {Pid} left by an earlier agent's pod", pid);
            LocalProcess.Signal(pid, "KILL");
            killed.Add(pid);
        }

        if (!LocalProcess.WaitGone(killed, TimeSpan.FromSeconds(10)))
        {
            log.LogWarning("processes left by an earlier agent still run 10 s after SIGKILL: {Pids}", string.Join(' ', killed));
        }
    }

    public async Task SyncAsync(IReadOnlyList<JsonObject> pods, CancellationToken ct)
    {
        _stopping.RemoveAll(t => t.IsCompleted);
        var ours = new Dictionary<string, JsonObject>();
        foreach (var pod in pods)
        {
            var node = Json.Text(pod, "spec", "nodeName");
            if (string.IsNullOrEmpty(node) && !Json.Deleting(pod))
            {
                // The single node is the only place a pod can go: binding is the scheduler's whole job here.
                await Ignore(_pods.MergePatchAsync(Json.Name(pod), new JsonObject { ["spec"] = new JsonObject { ["nodeName"] = options.NodeName } }, Json.Namespace(pod), ct)).ConfigureAwait(false);
                continue;
            }

            if (node == options.NodeName)
            {
                ours[Json.Uid(pod)] = pod;
            }
        }

        foreach (var uid in _running.Keys.Where(u => !ours.ContainsKey(u)).ToList())
        {
            Stop(uid, null);
        }

        foreach (var uid in _refused.Keys.Where(u => !ours.ContainsKey(u)).ToList())
        {
            _refused.Remove(uid);
        }

        foreach (var key in _published.Keys.Where(u => !ours.ContainsKey(u)).ToList())
        {
            _published.Remove(key);
        }

        foreach (var (uid, pod) in ours)
        {
            if (Json.Deleting(pod))
            {
                Stop(uid, pod);
                continue;
            }

            if (!_running.ContainsKey(uid) && Json.Text(pod, "status", "phase") is not ("Succeeded" or "Failed"))
            {
                await StartAsync(uid, pod, ct).ConfigureAwait(false);
            }

            var status = _running.TryGetValue(uid, out var running) ? running.Status(pod)
                : _refused.TryGetValue(uid, out var refused) ? RefusedStatus(pod, refused.Reason, refused.Message)
                : null;
            if (status is not null)
            {
                await PublishAsync(pod, status, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task StartAsync(string uid, JsonObject pod, CancellationToken ct)
    {
        if (_refused.TryGetValue(uid, out var refused) && refused.Retry > DateTimeOffset.UtcNow)
        {
            return;
        }

        var directory = ContainerLogs.PodDirectory(PodsDirectory, Json.Namespace(pod), Json.Name(pod), uid);
        Directory.CreateDirectory(directory);
        List<ContainerLaunch> launches;
        try
        {
            launches = await _setup.PrepareAsync(pod, directory, ct).ConfigureAwait(false);
        }
        catch (PodConfigException e)
        {
            if (!_refused.ContainsKey(uid))
            {
                log.LogWarning("pod {Namespace}/{Name} cannot run: {Message}", Json.Namespace(pod), Json.Name(pod), e.Message);
                await RecordEventAsync(pod, e.Reason, e.Message, ct).ConfigureAwait(false);
            }

            // Missing Secrets or ConfigMaps may appear later; an unsupported image will not, but retrying is cheap.
            _refused[uid] = (e.Reason, e.Message, DateTimeOffset.UtcNow + e.RetryAfter);
            return;
        }

        _refused.Remove(uid);
        var policy = Json.Text(pod, "spec", "restartPolicy") ?? "Always";
        var containers = launches.Select(l => new ContainerProcess(l, policy, directory, options)).ToList();
        var running = new RunningPod(containers, DateTimeOffset.UtcNow, policy) { OwnerUid = Json.Controller(pod)?.Uid ?? "" };
        _running[uid] = running;
        foreach (var container in containers)
        {
            container.Start();
        }

        log.LogInformation("pod {Namespace}/{Name} started ({Count} container(s))", Json.Namespace(pod), Json.Name(pod), containers.Count);
    }

    private void Stop(string uid, JsonObject? pod)
    {
        if (!_running.Remove(uid, out var running))
        {
            if (pod is not null)
            {
                _stopping.Add(RemoveAsync(pod));
            }

            return;
        }

        var grace = TimeSpan.FromSeconds(Json.Number(pod, "metadata", "deletionGracePeriodSeconds") is { } d and > 0 ? d : Json.Number(pod, "spec", "terminationGracePeriodSeconds") ?? 30);
        _stoppingOwners[uid] = running.OwnerUid;
        _stopping.Add(Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(running.Containers.Select(c => c.DisposeAsyncWithGrace(grace))).ConfigureAwait(false);
            }
            finally
            {
                _stoppingOwners.TryRemove(uid, out _);
            }

            if (pod is not null)
            {
                await RemoveAsync(pod).ConfigureAwait(false);
            }
        }));
    }

    /// <summary>Whether processes of a pod the owner (a DaemonSet, ...) had are still stopping: its replacement waits, as two FUSE pods must not share a mount point.</summary>
    public bool HasStoppingPods(string ownerUid) => _stoppingOwners.Values.Contains(ownerUid);

    // Graceful deletion ends with the kubelet removing the object once its processes are gone.
    private async Task RemoveAsync(JsonObject pod)
    {
        try
        {
            await _pods.DeleteAsync(Json.Name(pod), Json.Namespace(pod), new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = Json.Uid(pod) }).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException)
        {
            log.LogWarning("removing pod {Namespace}/{Name} failed: {Message}", Json.Namespace(pod), Json.Name(pod), e.Message);
        }
    }

    private async Task PublishAsync(JsonObject pod, JsonObject status, CancellationToken ct)
    {
        var text = status.ToJsonString();
        var uid = Json.Uid(pod);
        if (_published.TryGetValue(uid, out var last) && last == text)
        {
            return;
        }

        try
        {
            await _pods.PatchStatusAsync(Json.Name(pod), PatchType.Merge, new JsonObject { ["status"] = status }.ToJsonString(), Json.Namespace(pod), cancellationToken: ct).ConfigureAwait(false);
            _published[uid] = text;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
    }

    private async Task RecordEventAsync(JsonObject pod, string reason, string message, CancellationToken ct)
    {
        var now = Json.Now();
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["generateName"] = Json.Name(pod) + ".", ["namespace"] = Json.Namespace(pod) },
            ["involvedObject"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["name"] = Json.Name(pod), ["namespace"] = Json.Namespace(pod), ["uid"] = Json.Uid(pod) },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = "Warning",
            ["count"] = 1,
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["source"] = new JsonObject { ["component"] = "fluidd-agent", ["host"] = options.NodeName },
        };
        await Ignore(client.Resource("v1", "Event").CreateAsync(ev, Json.Namespace(pod), cancellationToken: ct)).ConfigureAwait(false);
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (KubeApiException)
        {
        }
    }

    private static JsonObject RefusedStatus(JsonObject pod, string reason, string message)
    {
        var now = Json.Now();
        var statuses = new JsonArray();
        foreach (var container in Json.Objects(pod, "spec", "containers"))
        {
            statuses.Add(new JsonObject
            {
                ["name"] = Json.Text(container, "name"),
                ["image"] = Json.Text(container, "image"),
                ["imageID"] = "",
                ["ready"] = false,
                ["started"] = false,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } },
            });
        }

        return new JsonObject
        {
            ["phase"] = "Pending",
            ["hostIP"] = "127.0.0.1",
            ["podIP"] = PodAddress.Of(pod),
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = PodAddress.Of(pod) }),
            ["conditions"] = new JsonArray(
                Condition("PodScheduled", true, now),
                Condition("Initialized", true, now),
                Condition("ContainersReady", false, now, reason, message),
                Condition("Ready", false, now, reason, message)),
            ["containerStatuses"] = statuses,
        };
    }

    internal static JsonObject Condition(string type, bool state, string now, string? reason = null, string? message = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = state ? "True" : "False", ["lastProbeTime"] = null, ["lastTransitionTime"] = now };
        if (reason is not null)
        {
            condition["reason"] = reason;
            condition["message"] = message;
        }

        return condition;
    }

    /// <summary>Stops every pod process, for agent shutdown.</summary>
    public async Task StopAllAsync()
    {
        var all = _running.Values.SelectMany(p => p.Containers).Select(c => c.DisposeAsyncWithGrace(TimeSpan.FromSeconds(10))).ToList();
        _running.Clear();
        await Task.WhenAll(all.Concat(_stopping)).ConfigureAwait(false);
    }

    private sealed class RunningPod(List<ContainerProcess> containers, DateTimeOffset started, string policy)
    {
        public List<ContainerProcess> Containers { get; } = containers;

        public string OwnerUid { get; init; } = "";

        private readonly string _startTime = started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public JsonObject Status(JsonObject pod)
        {
            var statuses = Containers.Select(c => c.Status()).ToList();
            var allReady = Containers.All(c => c.Ready);
            var finished = Containers.All(c => c.Finished);
            var phase = !finished ? (statuses.Any(s => Json.At(s, "state", "running") is not null || Json.Number(s, "restartCount") > 0 || Json.At(s, "state", "terminated") is not null) ? "Running" : "Pending")
                : Containers.All(c => c.ExitCode == 0) ? "Succeeded"
                : "Failed";
            var previous = Json.Objects(pod, "status", "conditions").ToDictionary(c => Json.Text(c, "type") ?? "", c => c);
            var now = Json.Now();
            JsonObject Keep(string type, bool state)
            {
                // lastTransitionTime moves only when the condition changes.
                var since = previous.TryGetValue(type, out var old) && Json.Text(old, "status") == (state ? "True" : "False") ? Json.Text(old, "lastTransitionTime") ?? now : now;
                return Condition(type, state, since);
            }

            var ready = allReady && phase == "Running";
            _ = policy;
            return new JsonObject
            {
                ["phase"] = phase,
                ["hostIP"] = "127.0.0.1",
                ["podIP"] = PodAddress.Of(pod),
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = PodAddress.Of(pod) }),
                ["startTime"] = _startTime,
                ["qosClass"] = "BestEffort",
                ["conditions"] = new JsonArray(Keep("PodScheduled", true), Keep("Initialized", true), Keep("ContainersReady", ready), Keep("Ready", ready)),
                ["containerStatuses"] = new JsonArray([.. statuses]),
            };
        }
    }
}
