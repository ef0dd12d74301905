using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fluid.Control.Engines;
using Fluid.Control.Native;
using Fluid.Control.Reconcilers;
using Fluid.Embedded.Hosting;
using Fluid.Kube;
using Fluid.Kube.Config;

namespace Fluid.Control.Tests.Reconcilers;

/// <summary>
/// A real fluidd (no node agent) and the Fluid controller running against it. Nothing runs pods here,
/// so tests play kubelet and the controller-manager only by writing the status of StatefulSets and
/// Jobs through the API, as those would.
/// </summary>
public sealed class ControllerFixture : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly MasterStatistics _statistics;
    private Task? _controller;

    public ControllerFixture() =>
        _statistics = new MasterStatistics(ctx => Masters.TryGetValue($"{ctx.Namespace}/{ctx.Name}", out var address) ? address : null);

    /// <summary>Cache masters a test runs in-process, by dataset (namespace/name); the others have none, as nothing runs pods here.</summary>
    public ConcurrentDictionary<string, Uri> Masters { get; } = new(StringComparer.Ordinal);

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("fluid-control-").FullName;

    public FluiddServer Server { get; private set; } = null!;

    public KubeClient Client { get; private set; } = null!;

    /// <summary>Reconcile and watch errors the controller reported (shown when a test times out).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await FluiddServer.StartAsync(new FluiddOptions { DataDirectory = DataDirectory, Port = 0, BookmarkInterval = TimeSpan.FromMilliseconds(300) });
        Client = new KubeClient(KubeConfigLoader.LoadFiles([Server.KubeconfigPath]));
        var engines = new EngineRegistry();
        NativeEngine.Register(engines, _statistics);
        var controller = new FluidController(Client, engines, new FluidControllerOptions { OnError = (key, e) => Errors.Enqueue($"{key}: {e.Message}") });
        _controller = Task.Run(() => controller.RunAsync(_stop.Token));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_controller is not null)
        {
            try
            {
                await _controller;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Client.Dispose();
        _statistics.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
        _stop.Dispose();
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, failing after <paramref name="seconds"/> with what it waited for.</summary>
    public async Task<T> EventuallyAsync<T>(string what, Func<Task<T?>> probe, int seconds = 15)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; controller errors: {string.Join(" | ", Errors.TakeLast(10))}");
            }

            await Task.Delay(100);
        }
    }

    public Task<JsonObject> EventuallyAsync(string what, Func<Task<JsonObject?>> probe, int seconds = 15) => EventuallyAsync<JsonObject>(what, probe, seconds);

    public Task<JsonObject?> GetAsync(string apiVersion, string kind, string name, string? ns = "default") =>
        Client.Resource(apiVersion, kind).TryGetAsync(name, ns);

    /// <summary>Writes what the StatefulSet controller and kubelet would report once every replica runs and is ready.</summary>
    public async Task MarkReadyAsync(string kind, string name)
    {
        var workloads = Client.Resource("apps/v1", kind);
        await workloads.UpdateAsync(name, o =>
        {
            var replicas = o["spec"]?["replicas"]?.GetValue<int>() ?? 1;
            o["status"] = kind == "DaemonSet"
                ? new JsonObject { ["desiredNumberScheduled"] = 1, ["currentNumberScheduled"] = 1, ["numberReady"] = 1, ["numberAvailable"] = 1, ["updatedNumberScheduled"] = 1 }
                : new JsonObject
                {
                    ["observedGeneration"] = o["metadata"]?["generation"]?.GetValue<long>() ?? 1,
                    ["replicas"] = replicas,
                    ["readyReplicas"] = replicas,
                    ["currentReplicas"] = replicas,
                    ["updatedReplicas"] = replicas,
                    ["availableReplicas"] = replicas,
                };
            return true;
        }, "default", status: true);
    }

    /// <summary>Warning events recorded about an object, as "reason: message".</summary>
    public async Task<List<string>> WarningsAsync(string kind, string name)
    {
        var events = await Client.Resource("v1", "Event").ListAsync(null, "default");
        return [.. events.Items
            .Where(e => e["type"]?.GetValue<string>() == "Warning"
                && e["involvedObject"]?["kind"]?.GetValue<string>() == kind
                && e["involvedObject"]?["name"]?.GetValue<string>() == name)
            .Select(e => $"{e["reason"]?.GetValue<string>()}: {e["message"]?.GetValue<string>()}")];
    }

    public static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
