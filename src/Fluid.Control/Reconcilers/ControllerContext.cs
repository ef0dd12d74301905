using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Cluster;
using Fluid.Control.Engines;
using Fluid.Kube;
using Fluid.Kube.Controllers;

namespace Fluid.Control.Reconcilers;

/// <summary>What every reconciler shares: the client, the cluster state engines see, the engines, the event recorder and the clock.</summary>
public sealed class ControllerContext
{
    /// <summary>The group and version of Fluid's kinds.</summary>
    public const string FluidApiVersion = "data.fluid.io/v1alpha1";

    /// <summary>Creates the context over a client.</summary>
    public ControllerContext(KubeClient client, EngineRegistry engines, TimeProvider? clock = null)
    {
        Client = client;
        Cluster = new KubeClusterState(client);
        Engines = engines;
        Events = new EventRecorder(client, "fluid-controller");
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>The Kubernetes client.</summary>
    public KubeClient Client { get; }

    /// <summary>The cluster as engines see it.</summary>
    public KubeClusterState Cluster { get; }

    /// <summary>Engines by runtime kind.</summary>
    public EngineRegistry Engines { get; }

    /// <summary>Where Warning and Normal events go.</summary>
    public EventRecorder Events { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; }

    /// <summary>How often engines have the sources' metadata listed again (see <see cref="FluidControllerOptions.MetadataResyncInterval"/>).</summary>
    public TimeSpan? MetadataResyncInterval { get; init; }

    /// <summary>Splits a work-queue key ("namespace/name").</summary>
    public static (string Namespace, string Name) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("default", key) : (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>A runtime object read as its typed kind.</summary>
    public static KubeObject ReadRuntime(JsonObject runtime)
    {
        var apiVersion = runtime["apiVersion"]?.GetValue<string>() ?? FluidApiVersion;
        var kind = runtime["kind"]?.GetValue<string>() ?? "";
        var info = KindRegistry.Default.Find(apiVersion, kind) ?? throw new InvalidOperationException($"{apiVersion} {kind} is not a kind of Fluid's API");
        return (KubeObject)(runtime.Deserialize(info.Type, FluidJson.Options) ?? throw new InvalidOperationException($"{kind} could not be read"));
    }

    /// <summary>The runtime of the dataset's name and namespace among the kinds the engines serve, or null.</summary>
    public async Task<KubeObject?> FindRuntimeAsync(string ns, string name, CancellationToken ct)
    {
        foreach (var kind in Engines.Kinds)
        {
            if (await Client.Resource(FluidApiVersion, kind).TryGetAsync(name, ns, ct).ConfigureAwait(false) is { } found)
            {
                return ReadRuntime(found);
            }
        }

        return null;
    }

    /// <summary>The engine of a dataset and its runtime.</summary>
    public IEngine CreateEngine(Dataset dataset, KubeObject runtime) =>
        Engines.Create(new EngineContext { Dataset = dataset, Runtime = runtime, Cluster = Cluster, Clock = Clock, MetadataResyncInterval = MetadataResyncInterval }, EngineRegistry.RuntimeClassOf(runtime));
}
