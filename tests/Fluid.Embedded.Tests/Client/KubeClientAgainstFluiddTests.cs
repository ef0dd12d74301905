using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fluid.Api.V1Alpha1;
using Fluid.Embedded.Tests.Server;
using Fluid.Kube;
using Fluid.Kube.Config;
using Fluid.Kube.Controllers;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Fluid.Kube.Watch;

namespace Fluid.Embedded.Tests.Client;

/// <summary>The Fluid.Kube client and its controller pieces against a real fluidd, through the kubeconfig fluidd writes.</summary>
public sealed class KubeClientAgainstFluiddTests(FluiddFixture fluidd) : IClassFixture<FluiddFixture>, IDisposable
{
    private readonly KubeClient _client = new(KubeConfigLoader.LoadFiles([fluidd.Server.KubeconfigPath]));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Typed_datasets_round_trip_and_stale_or_invalid_writes_are_typed_errors()
    {
        var datasets = _client.Resource<Dataset>();
        var created = await datasets.CreateAsync(NewDataset("client-typed", "local:///data/a", team: "vision"));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal("local:///data/a", (await datasets.GetAsync("client-typed")).Spec.Mounts![0].MountPoint);
        await datasets.CreateAsync(NewDataset("client-other", "local:///data/b", team: "speech"));

        var vision = await datasets.ListAsync(new ListOptions { LabelSelector = "team=vision" });
        Assert.Equal(["client-typed"], vision.Items.Select(d => d.Metadata.Name));

        created.Spec.Mounts![0].MountPoint = "local:///data/changed";
        var replaced = await datasets.ReplaceAsync(created);
        created.Spec.Mounts![0].MountPoint = "local:///data/stale";
        var conflict = await Assert.ThrowsAsync<KubeApiException>(() => datasets.ReplaceAsync(created));
        Assert.True(conflict.IsConflict, conflict.Message);
        Assert.Equal("local:///data/changed", (await datasets.GetAsync("client-typed")).Spec.Mounts![0].MountPoint);
        Assert.NotEqual(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);

        var invalid = await Assert.ThrowsAsync<KubeApiException>(() => datasets.CreateAsync(NewDataset("client-bad", "local://relative")));
        Assert.True(invalid.IsInvalid, invalid.Message);
        Assert.Contains(invalid.Causes, c => c.Field == "spec.mounts[0].mountPoint");

        var missing = await Assert.ThrowsAsync<KubeApiException>(() => datasets.GetAsync("client-nope"));
        Assert.True(missing.IsNotFound);
        Assert.Null(await datasets.TryGetAsync("client-nope"));
    }

    [Fact]
    public async Task A_watch_from_a_version_and_an_informer_see_every_change()
    {
        var maps = _client.Resource("v1", "ConfigMap");
        var first = await maps.CreateAsync(ConfigMap("watch-a", "1"));
        var from = first["metadata"]!["resourceVersion"]!.GetValue<string>();

        await using var informer = new SharedInformer<JsonObject>(maps, new InformerOptions { LabelSelector = "test=informer" });
        var seen = new ConcurrentQueue<string>();
        informer.AddHandler(new InformerHandler<JsonObject>(
            OnAdd: o => seen.Enqueue("add " + Name(o)),
            OnUpdate: (_, o) => seen.Enqueue("update " + Name(o)),
            OnDelete: o => seen.Enqueue("delete " + Name(o))));
        informer.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await informer.WaitForSyncAsync(timeout.Token);

        await maps.MergePatchAsync("watch-a", new JsonObject { ["data"] = new JsonObject { ["value"] = "2" } });
        await maps.CreateAsync(ConfigMap("watch-b", "1"));
        await maps.DeleteAsync("watch-b");

        var events = new List<string>();
        await foreach (var e in maps.WatchAsync(new WatchOptions { ResourceVersion = from }, cancellationToken: timeout.Token))
        {
            if (e.Type == WatchEventType.Bookmark)
            {
                continue;
            }

            events.Add($"{e.Type} {Name(e.Object!)}");
            if (events.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["Modified watch-a", "Added watch-b", "Deleted watch-b"], events);
        while (seen.Count < 4 && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.Equal(["add watch-a", "update watch-a", "add watch-b", "delete watch-b"], seen);
        Assert.Equal("2", informer.Get("default", "watch-a")!["data"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_electors_on_one_lease_never_lead_together_and_the_second_takes_over_after_a_release()
    {
        var leading = 0;
        var overlap = false;
        var led = new ConcurrentQueue<string>();
        LeaderElector Elector(string identity) => new(
            _client,
            new LeaderElectionOptions { LeaseName = "client-election", Identity = identity, LeaseDuration = TimeSpan.FromSeconds(15), RenewDeadline = TimeSpan.FromSeconds(10), RetryPeriod = TimeSpan.FromMilliseconds(200) },
            async token =>
            {
                overlap |= Interlocked.Increment(ref leading) > 1;
                led.Enqueue(identity);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    Interlocked.Decrement(ref leading);
                }
            });

        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var a = Elector("a").RunAsync(stopA.Token);
        await WaitUntil(() => led.Count == 1);
        var b = Elector("b").RunAsync(stopB.Token);
        await Task.Delay(1000);
        Assert.Equal(["a"], led);

        await stopA.CancelAsync();
        await Ignore(a);
        await WaitUntil(() => led.Count == 2);
        Assert.Equal(["a", "b"], led);
        Assert.False(overlap);
        await stopB.CancelAsync();
        await Ignore(b);
    }

    [Fact]
    public async Task The_scale_subresource_of_a_runtime_changes_its_replicas()
    {
        var runtimes = _client.Resource("data.fluid.io/v1alpha1", "AlluxioRuntime");
        await runtimes.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "AlluxioRuntime",
            ["metadata"] = new JsonObject { ["name"] = "client-scale" },
            ["spec"] = new JsonObject { ["replicas"] = 1 },
        });

        var scale = await runtimes.GetScaleAsync("client-scale");
        Assert.Equal(1, scale.Spec.Replicas);
        scale.Spec.Replicas = 3;
        await runtimes.ReplaceScaleAsync("client-scale", scale);
        Assert.Equal(3, (await runtimes.GetAsync("client-scale"))["spec"]!["replicas"]!.GetValue<int>());
    }

    private static Dataset NewDataset(string name, string mountPoint, string? team = null)
    {
        var dataset = new Dataset { Metadata = { Name = name } };
        if (team is not null)
        {
            dataset.Metadata.Labels = new() { ["team"] = team };
        }

        dataset.Spec.Mounts = [new Mount { MountPoint = mountPoint, Name = "data" }];
        return dataset;
    }

    private static JsonObject ConfigMap(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["test"] = "informer" } },
        ["data"] = new JsonObject { ["value"] = value },
    };

    private static string Name(JsonObject o) => o["metadata"]!["name"]!.GetValue<string>();

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "timed out");
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
