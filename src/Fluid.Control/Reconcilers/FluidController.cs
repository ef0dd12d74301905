using System.Text.Json.Nodes;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Engines;
using Fluid.Kube;
using Fluid.Kube.Controllers;

namespace Fluid.Control.Reconcilers;

/// <summary>Options of the controller host.</summary>
public sealed class FluidControllerOptions
{
    /// <summary>Workers per controller.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Lease to campaign for before reconciling; null runs without leader election (one replica).</summary>
    public LeaderElectionOptions? LeaderElection { get; init; }

    /// <summary>Told about reconcile and watch failures (the key, or the informer's kind, and the error).</summary>
    public Action<string, Exception>? OnError { get; init; }

    /// <summary>
    /// How often a runtime's master lists the dataset's sources again to refresh ufsTotal and fileNum,
    /// counted from the end of its last listing. Null (the default) lists them once when the runtime
    /// starts, as upstream does: listing a large remote store costs requests. A failed listing is
    /// retried every few minutes either way.
    /// </summary>
    public TimeSpan? MetadataResyncInterval { get; init; }

    /// <summary>The clock reconcilers and engines go by; tests fix it.</summary>
    public TimeProvider? Clock { get; init; }
}

/// <summary>
/// The controller host: informers for Dataset, each runtime kind the engines serve, DataLoad and the
/// objects they own (StatefulSets, DaemonSets, Jobs, Pods), one work queue and runner per reconciler,
/// optionally behind a Lease so only one replica reconciles.
/// </summary>
public sealed class FluidController(KubeClient client, EngineRegistry engines, FluidControllerOptions? options = null)
{
    private readonly FluidControllerOptions _options = options ?? new FluidControllerOptions();

    /// <summary>Runs until cancelled (or, with leader election, until the lease is lost).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_options.LeaderElection is { } election)
        {
            var elector = new LeaderElector(client, election, RunControllersAsync) { OnError = e => _options.OnError?.Invoke("leader-election", e) };
            await elector.RunAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await RunControllersAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        var context = new ControllerContext(client, engines, _options.Clock) { MetadataResyncInterval = _options.MetadataResyncInterval };
        var datasetQueue = NewQueue();
        var loadQueue = NewQueue();
        var runtimeQueues = engines.Kinds.ToDictionary(k => k, _ => NewQueue(), StringComparer.Ordinal);
        var informers = new List<IAsyncDisposable>();
        var runners = new List<ControllerRunner>
        {
            new("dataset", datasetQueue, new DatasetReconciler(context), _options.Workers, _options.OnError),
            new("dataload", loadQueue, new DataLoadReconciler(context), _options.Workers, _options.OnError),
        };
        runners.AddRange(runtimeQueues.Select(q => new ControllerRunner(q.Key, q.Value, new RuntimeReconciler(context, q.Key), _options.Workers, _options.OnError)));

        try
        {
            var datasets = Watch(informers, client.Resource<Dataset>(), d => Enqueue(datasetQueue, d.Metadata.Namespace, d.Metadata.Name));
            datasets.AddHandler(new InformerHandler<Dataset>(
                OnAdd: d => EnqueueRuntime(runtimeQueues, d.Metadata.Namespace, d.Metadata.Name),
                OnUpdate: (_, d) => EnqueueRuntime(runtimeQueues, d.Metadata.Namespace, d.Metadata.Name)));
            foreach (var (kind, queue) in runtimeQueues)
            {
                // A runtime change also concerns its dataset (bound or not) and the DataLoads waiting on it.
                Watch(informers, client.Resource(ControllerContext.FluidApiVersion, kind), r =>
                {
                    Enqueue(queue, Ns(r), Name(r));
                    Enqueue(datasetQueue, Ns(r), Name(r));
                });
            }

            Watch(informers, client.Resource<DataLoad>(), l =>
            {
                Enqueue(loadQueue, l.Metadata.Namespace, l.Metadata.Name);
                if (l.Status?.Phase is "Complete" or "Failed")
                {
                    // The cache's figures change with a load; the workers report them on their next heartbeats,
                    // so the runtime syncs its dataset's cacheStates again shortly rather than at its next period.
                    foreach (var delay in LoadSettleDelays)
                    {
                        EnqueueRuntimeAfter(runtimeQueues, l.Spec.Dataset.Namespace ?? l.Metadata.Namespace, l.Spec.Dataset.Name, delay);
                    }
                }
            });
            foreach (var (apiVersion, kind) in new[] { ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"), ("batch/v1", "Job") })
            {
                Watch(informers, client.Resource(apiVersion, kind), o => EnqueueOwner(o, runtimeQueues, loadQueue));
            }

            // A pod that mounts a dataset's claim can hold the dataset's deletion; its removal lets it go on.
            Watch(informers, client.Resource("v1", "Pod"), p =>
            {
                foreach (var claim in (p["spec"]?["volumes"] as JsonArray ?? []).Select(v => v?["persistentVolumeClaim"]?["claimName"]?.GetValue<string>()).OfType<string>())
                {
                    Enqueue(datasetQueue, Ns(p), claim);
                }
            });

            await Task.WhenAll(informers.Cast<IStartable>().Select(i => i.StartAsync(cancellationToken))).ConfigureAwait(false);
            await Task.WhenAll(runners.Select(r => r.RunAsync(cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var informer in informers)
            {
                await informer.DisposeAsync().ConfigureAwait(false);
            }

            datasetQueue.Dispose();
            loadQueue.Dispose();
            foreach (var queue in runtimeQueues.Values)
            {
                queue.Dispose();
            }
        }
    }

    // Failing keys back off up to five minutes, not the queue's default of a quarter hour, so a fix (a Secret created) is seen soon.
    private static WorkQueue<string> NewQueue() => new(new RequeueRateLimiter<string>(maxDelay: TimeSpan.FromMinutes(5)));

    private SharedInformer<T> Watch<T>(List<IAsyncDisposable> informers, ResourceClient<T> resource, Action<T> changed)
        where T : class
    {
        var informer = new SharedInformer<T>(resource, new InformerOptions
        {
            Namespace = KubeClient.AllNamespaces,
            OnError = e => _options.OnError?.Invoke(resource.Descriptor.Kind, e),
        });
        informer.AddHandler(new InformerHandler<T>(OnAdd: changed, OnUpdate: (_, o) => changed(o), OnDelete: changed));
        informers.Add(new Startable<T>(informer));
        return informer;
    }

    private static void EnqueueOwner(JsonObject obj, Dictionary<string, WorkQueue<string>> runtimes, WorkQueue<string> loads)
    {
        foreach (var owner in obj["metadata"]?["ownerReferences"] as JsonArray ?? [])
        {
            var apiVersion = owner?["apiVersion"]?.GetValue<string>();
            var kind = owner?["kind"]?.GetValue<string>() ?? "";
            var name = owner?["name"]?.GetValue<string>();
            if (apiVersion != ControllerContext.FluidApiVersion || name is null)
            {
                continue;
            }

            if (runtimes.TryGetValue(kind, out var queue))
            {
                Enqueue(queue, Ns(obj), name);
            }
            else if (kind == "DataLoad")
            {
                Enqueue(loads, Ns(obj), name);
            }
        }
    }

    // Heartbeats come every 2 s; a busy node may delay one, so the later syncs catch what the first missed.
    private static readonly TimeSpan[] LoadSettleDelays = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)];

    private static void EnqueueRuntimeAfter(Dictionary<string, WorkQueue<string>> runtimes, string? ns, string? name, TimeSpan delay)
    {
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        foreach (var queue in runtimes.Values)
        {
            queue.AddAfter($"{(string.IsNullOrEmpty(ns) ? "default" : ns)}/{name}", delay);
        }
    }

    private static void EnqueueRuntime(Dictionary<string, WorkQueue<string>> runtimes, string? ns, string? name)
    {
        foreach (var queue in runtimes.Values)
        {
            Enqueue(queue, ns, name);
        }
    }

    private static void Enqueue(WorkQueue<string> queue, string? ns, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            queue.Add($"{(string.IsNullOrEmpty(ns) ? "default" : ns)}/{name}");
        }
    }

    private static string? Ns(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    private static string? Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>();

    private interface IStartable : IAsyncDisposable
    {
        Task StartAsync(CancellationToken ct);
    }

    private sealed class Startable<T>(SharedInformer<T> informer) : IStartable
        where T : class
    {
        public async Task StartAsync(CancellationToken ct)
        {
            informer.Start();
            await informer.WaitForSyncAsync(ct).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => informer.DisposeAsync();
    }
}
