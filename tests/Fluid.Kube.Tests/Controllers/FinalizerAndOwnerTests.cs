using System.Text.Json.Nodes;
using Fluid.Api.V1Alpha1;
using Fluid.Kube.Controllers;
using Fluid.Kube.Resources;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Controllers;

/// <summary>Runs against <see cref="FakeApiServer"/>, a stand-in until fluidd's server is on this branch.</summary>
public sealed class FinalizerAndOwnerTests
{
    private const string Finalizer = "data.fluid.io/dataset-controller";

    private static Dataset NewDataset(string name) => new() { Metadata = { Name = name } };

    [Fact]
    public async Task A_finalizer_holds_deletion_until_it_is_removed()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        var demo = await datasets.CreateAsync(NewDataset("demo"));

        demo = await Finalizers.AddAsync(datasets, demo, Finalizer);
        Assert.True(Finalizers.Has(demo, Finalizer));
        Assert.Same(demo, await Finalizers.AddAsync(datasets, demo, Finalizer));

        var deleting = await datasets.DeleteAsync("demo");
        Assert.NotNull(deleting);
        Assert.True(Finalizers.IsBeingDeleted(deleting));
        Assert.NotNull(await datasets.TryGetAsync("demo"));

        await Finalizers.RemoveAsync(datasets, deleting, Finalizer);
        Assert.Null(await datasets.TryGetAsync("demo"));
    }

    [Fact]
    public async Task A_concurrent_change_is_kept_when_the_finalizer_is_added()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        var stale = await datasets.CreateAsync(NewDataset("demo"));
        await datasets.PatchAsync("demo", PatchType.Merge, """{"metadata":{"finalizers":["someone.else/cleanup"],"labels":{"edited":"yes"}}}""");

        var updated = await Finalizers.AddAsync(datasets, stale, Finalizer);

        Assert.Equal(["someone.else/cleanup", Finalizer], updated.Metadata.Finalizers);
        Assert.Equal("yes", updated.Metadata.Labels!["edited"]);
        Assert.Throws<ArgumentException>(() => Finalizers.AddAsync(datasets, stale, "has space").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Concurrent_read_modify_writes_all_land_through_conflict_retries()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        await datasets.CreateAsync(NewDataset("demo"));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => datasets.UpdateAsync("demo", d =>
        {
            d.Metadata.Labels ??= [];
            d.Metadata.Labels[$"writer-{i}"] = "done";
            return true;
        }, attempts: 10)));
        var status = await datasets.UpdateAsync("demo", d =>
        {
            d.Status = new DatasetStatus { Phase = "Bound" };
            return true;
        }, status: true);

        var stored = await datasets.GetAsync("demo");
        Assert.Equal(["writer-0", "writer-1", "writer-2", "writer-3"], stored.Metadata.Labels!.Keys.Order());
        Assert.Equal("Bound", stored.Status!.Phase);
        Assert.Equal(stored.Metadata.ResourceVersion, status.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Finalizers_work_on_kinds_read_as_JSON()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var configMaps = client.Resource("v1", "ConfigMap");
        var cm = await configMaps.CreateAsync(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "values" } });

        cm = await Finalizers.AddAsync(configMaps, cm, Finalizer);

        Assert.Equal(Finalizer, (string?)fake.Get("configmaps", "default", "values")!["metadata"]!["finalizers"]![0]);
        Assert.True(Finalizers.Has(cm, Finalizer));
    }

    [Fact]
    public async Task A_controller_reference_ties_a_workload_to_its_dataset()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var dataset = await client.Resource<Dataset>().CreateAsync(NewDataset("demo"));
        var other = await client.Resource<Dataset>().CreateAsync(NewDataset("other"));
        var sts = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "StatefulSet", ["metadata"] = new JsonObject { ["name"] = "demo-worker", ["namespace"] = "default" } };

        OwnerReferences.SetController(sts, dataset);
        var created = await client.Resource("apps/v1", "StatefulSet").CreateAsync(sts);

        Assert.True(OwnerReferences.IsOwnedBy(created, dataset));
        Assert.False(OwnerReferences.IsOwnedBy(created, other));
        var reference = OwnerReferences.ControllerOf(created)!;
        Assert.Equal(("data.fluid.io/v1alpha1", "Dataset", "demo", true, true), (reference.ApiVersion, reference.Kind, reference.Name, reference.Controller, reference.BlockOwnerDeletion));
        var taken = Assert.Throws<InvalidOperationException>(() => OwnerReferences.SetController(created, other));
        Assert.Equal("StatefulSet \"demo-worker\" is already controlled by Dataset \"demo\"", taken.Message);
        var elsewhere = new Dataset { Metadata = { Name = "x", Namespace = "team-b", Uid = "u" } };
        Assert.Contains("owners must share the namespace", Assert.Throws<ArgumentException>(() => OwnerReferences.SetController(new JsonObject { ["metadata"] = new JsonObject { ["namespace"] = "default" } }, elsewhere)).Message, StringComparison.Ordinal);
        Assert.Contains("read it from the server first", Assert.Throws<ArgumentException>(() => OwnerReferences.ControllerReference(NewDataset("unsaved"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_controller_built_from_these_pieces_adds_its_finalizer_and_releases_deleted_objects()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        await using var informer = new SharedInformer<Dataset>(datasets);
        using var queue = new WorkQueue<string>();
        informer.AddHandler(new InformerHandler<Dataset>(d => queue.Add(d.Key), (_, d) => queue.Add(d.Key), d => queue.Add(d.Key)));
        var runner = new ControllerRunner("datasets", queue, new DatasetFinalizerReconciler(informer, datasets), workers: 2);
        using var cts = new CancellationTokenSource();
        informer.Start();
        var run = runner.RunAsync(cts.Token);

        await datasets.CreateAsync(NewDataset("demo"));
        await SharedInformerTests.Eventually(() => informer.Get("default/demo") is { } d && Finalizers.Has(d, Finalizer));
        await datasets.DeleteAsync("demo");
        await SharedInformerTests.Eventually(() => fake.Get("datasets.data.fluid.io", "default", "demo") is null);

        await cts.CancelAsync();
        await run;
    }

    private sealed class DatasetFinalizerReconciler(SharedInformer<Dataset> informer, ResourceClient<Dataset> datasets) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            if (informer.Get(key) is not { } dataset)
            {
                return ReconcileResult.Done;
            }

            if (Finalizers.IsBeingDeleted(dataset))
            {
                await Finalizers.RemoveAsync(datasets, dataset, Finalizer, cancellationToken);
                return ReconcileResult.Done;
            }

            await Finalizers.AddAsync(datasets, dataset, Finalizer, cancellationToken);
            return ReconcileResult.Done;
        }
    }
}
