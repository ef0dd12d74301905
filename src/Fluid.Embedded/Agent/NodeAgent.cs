using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluid.Embedded.Agent;

/// <summary>How the node agent runs.</summary>
public sealed class NodeAgentOptions
{
    /// <summary>Where pod directories (logs, emptyDirs, projected volumes, PID files) live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The Node's name (default: this machine's hostname).</summary>
    public string NodeName { get; init; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>How often the agent compares the API with what runs here.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the Node's Lease and Ready condition are renewed.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The program (and leading arguments) that runs containers of image `fluid`; default: this process.</summary>
    public FluidProgram? Fluid { get; init; }

    /// <summary>A container log is rotated to .log.1 when it grows past this.</summary>
    public long LogMaxBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Longest wait before restarting a crashing container.</summary>
    public TimeSpan MaxRestartBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First wait before restarting a crashed container (doubles each time).</summary>
    public TimeSpan InitialRestartBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The hosts file where Service names of the pods are written (cluster DNS for a host-network node); null leaves names unresolved.</summary>
    public string? HostsFile { get; init; } = "/etc/hosts";
}

/// <summary>This fluid program as a command line that starts it again: the image `fluid` of the agent's pods, the FUSE supervisor's servers.</summary>
public sealed record FluidProgram(string Path, IReadOnlyList<string> Prefix)
{
    /// <summary>This process: its apphost, or `dotnet ENTRY.dll` when run through the muxer.</summary>
    public static FluidProgram Self()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program this is");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return System.IO.Path.GetFileNameWithoutExtension(path) == "dotnet" && !string.IsNullOrEmpty(entry) ? new(path, [entry]) : new(path, []);
    }
}

/// <summary>
/// fluidd's node agent: registers this machine as a Node, plays the StatefulSet, DaemonSet and Job controllers
/// for it, and runs the pods bound to it as local processes. It talks to the API only through Fluid.Kube.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly PodRunner _runner;
    private readonly WorkloadControllers _workloads;
    private readonly ServiceHosts? _hosts;
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _lastHeartbeat = DateTimeOffset.MinValue;

    private NodeAgent(KubeClient client, NodeAgentOptions options, ILogger log)
    {
        _client = client;
        _options = options;
        _log = log;
        _runner = new PodRunner(client, options, log);
        _workloads = new WorkloadControllers(client, options.NodeName, log, _runner.HasStoppingPods);
        _hosts = options.HostsFile is { } hosts ? new ServiceHosts(hosts, Path.GetFullPath(options.DataDirectory)) : null;
    }

    /// <summary>The Node's name.</summary>
    public string NodeName => _options.NodeName;

    /// <summary>
    /// Kills the processes of pods an earlier run of the agent left (fluidd killed without clean-up); call it before
    /// anyone can reach the API, so no client sees the old pods' FUSE mounts or servers as if they were the new ones.
    /// </summary>
    public static void KillLeftovers(NodeAgentOptions options, ILogger? log = null) => PodRunner.KillLeftovers(options, log ?? NullLogger.Instance);

    /// <summary>Registers the Node and starts syncing in the background (after <see cref="KillLeftovers"/>).</summary>
    public static async Task<NodeAgent> StartAsync(KubeClient client, NodeAgentOptions options, ILogger? log = null, CancellationToken cancellation = default)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the node agent runs pods as Linux processes in their own mount namespaces; start fluidd with --no-agent on this system");
        }

        Directory.CreateDirectory(options.DataDirectory);
        var agent = new NodeAgent(client, options, log ?? NullLogger.Instance);
        await agent.HeartbeatAsync(cancellation).ConfigureAwait(false);
        agent._loop = Task.Run(agent.RunAsync, CancellationToken.None);
        return agent;
    }

    /// <summary>One pass: heartbeat, workload controllers, pods. Exposed for the loop only.</summary>
    private async Task SyncOnceAsync(CancellationToken ct)
    {
        if (DateTimeOffset.UtcNow - _lastHeartbeat >= _options.HeartbeatInterval)
        {
            await HeartbeatAsync(ct).ConfigureAwait(false);
        }

        var node = await _client.Resource("v1", "Node").GetAsync(_options.NodeName, cancellationToken: ct).ConfigureAwait(false);
        var pods = await ListAsync("v1", "Pod", ct).ConfigureAwait(false);
        await _workloads.SyncAsync(node, pods, ct).ConfigureAwait(false);
        pods = await ListAsync("v1", "Pod", ct).ConfigureAwait(false);
        _hosts?.Sync(await ListAsync("v1", "Service", ct).ConfigureAwait(false), [.. pods.Where(p => Json.Text(p, "spec", "nodeName") == _options.NodeName)]);
        await _runner.SyncAsync(pods, ct).ConfigureAwait(false);
    }

    private async Task<List<JsonObject>> ListAsync(string apiVersion, string kind, CancellationToken ct)
    {
        var list = new List<JsonObject>();
        await foreach (var item in _client.Resource(apiVersion, kind).ListAllAsync(null, KubeClient.AllNamespaces, ct).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SyncOnceAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or TimeoutException)
            {
                _log.LogWarning("node agent sync failed, retrying: {Message}", e.Message);
            }

            try
            {
                await Task.Delay(_options.SyncInterval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        var nodes = _client.Resource("v1", "Node");
        var now = Json.Now();
        var status = NodeStatus(now);
        var existing = await nodes.TryGetAsync(_options.NodeName, cancellationToken: ct).ConfigureAwait(false);
        if (existing is null)
        {
            var node = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Node",
                ["metadata"] = new JsonObject
                {
                    ["name"] = _options.NodeName,
                    ["labels"] = new JsonObject
                    {
                        ["kubernetes.io/hostname"] = _options.NodeName,
                        ["kubernetes.io/os"] = "linux",
                        ["kubernetes.io/arch"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant() switch { "x64" => "amd64", var a => a },
                    },
                },
                ["spec"] = new JsonObject(),
            };
            try
            {
                existing = await nodes.CreateAsync(node, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                existing = await nodes.GetAsync(_options.NodeName, cancellationToken: ct).ConfigureAwait(false);
            }
        }
        else if (Json.Text(existing, "metadata", "labels", "kubernetes.io/hostname") is null)
        {
            await nodes.MergePatchAsync(_options.NodeName, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = _options.NodeName } } }, cancellationToken: ct).ConfigureAwait(false);
        }

        await nodes.PatchStatusAsync(_options.NodeName, Kube.Resources.PatchType.Merge, new JsonObject { ["status"] = status }.ToJsonString(), cancellationToken: ct).ConfigureAwait(false);
        await RenewLeaseAsync(existing, ct).ConfigureAwait(false);
        _lastHeartbeat = DateTimeOffset.UtcNow;
    }

    private async Task RenewLeaseAsync(JsonObject node, CancellationToken ct)
    {
        var leases = _client.Resource("coordination.k8s.io/v1", "Lease");
        var renew = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var spec = new JsonObject { ["holderIdentity"] = _options.NodeName, ["leaseDurationSeconds"] = 40, ["renewTime"] = renew };
        if (await leases.TryGetAsync(_options.NodeName, "kube-node-lease", ct).ConfigureAwait(false) is null)
        {
            var lease = new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject
                {
                    ["name"] = _options.NodeName,
                    ["namespace"] = "kube-node-lease",
                    ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = _options.NodeName, ["uid"] = Json.Uid(node) }),
                },
                ["spec"] = spec,
            };
            try
            {
                await leases.CreateAsync(lease, "kube-node-lease", cancellationToken: ct).ConfigureAwait(false);
                return;
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
            }
        }

        await leases.MergePatchAsync(_options.NodeName, new JsonObject { ["spec"] = spec }, "kube-node-lease", ct).ConfigureAwait(false);
    }

    private JsonObject NodeStatus(string now)
    {
        var cpu = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        var memory = MemoryKibibytes() is { } kib ? $"{kib}Ki" : "0";
        var ephemeral = DiskBytes(_options.DataDirectory).ToString(CultureInfo.InvariantCulture);
        JsonObject Resources() => new() { ["cpu"] = cpu, ["memory"] = memory, ["ephemeral-storage"] = ephemeral, ["pods"] = "110" };
        JsonObject Condition(string type, string state, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = state,
            ["reason"] = reason,
            ["message"] = message,
            ["lastHeartbeatTime"] = now,
            ["lastTransitionTime"] = now,
        };
        return new JsonObject
        {
            ["capacity"] = Resources(),
            ["allocatable"] = Resources(),
            ["conditions"] = new JsonArray(
                Condition("Ready", "True", "KubeletReady", "fluidd node agent is posting ready status"),
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "not measured by the fluidd agent"),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "not measured by the fluidd agent"),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "not measured by the fluidd agent")),
            ["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" },
                new JsonObject { ["type"] = "Hostname", ["address"] = _options.NodeName }),
            ["nodeInfo"] = new JsonObject
            {
                ["operatingSystem"] = "linux",
                ["architecture"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
                ["kernelVersion"] = Environment.OSVersion.Version.ToString(),
                ["containerRuntimeVersion"] = "fluidd-agent://local-processes",
                ["kubeletVersion"] = "fluidd",
            },
        };
    }

    private static long? MemoryKibibytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    return long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static long DiskBytes(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).TotalSize;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Stops syncing and every pod process (SIGTERM, then SIGKILL after the grace period).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _runner.StopAllAsync().ConfigureAwait(false);
        _hosts?.Remove();
        _stop.Dispose();
    }
}
