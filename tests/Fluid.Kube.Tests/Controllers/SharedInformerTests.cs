using System.Collections.Concurrent;
using Fluid.Api.V1Alpha1;
using Fluid.Kube.Controllers;
using Fluid.Kube.Resources;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Controllers;

/// <summary>Runs against <see cref="FakeApiServer"/>, a stand-in until fluidd's server is on this branch.</summary>
public sealed class SharedInformerTests
{
    private static Dataset NewDataset(string name, string? phase = null) => new()
    {
        Metadata = { Name = name, Labels = new() { ["team"] = "a" } },
        Spec = { Mounts = [new Mount { MountPoint = "https://mirrors.example.com/" + name, Name = name }] },
        Status = phase is null ? null : new DatasetStatus { Phase = phase },
    };

    [Fact]
    public async Task Syncs_the_existing_objects_then_follows_adds_updates_and_deletes()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        await datasets.CreateAsync(NewDataset("a"));
        await datasets.CreateAsync(NewDataset("b"));
        var log = new ConcurrentQueue<string>();
        await using var informer = new SharedInformer<Dataset>(datasets, new InformerOptions { LabelSelector = "team=a" });
        informer.AddHandler(new InformerHandler<Dataset>(
            d => log.Enqueue($"add {d.Metadata.Name}"),
            (o, n) => log.Enqueue($"update {n.Metadata.Name} {o.Metadata.Labels!.GetValueOrDefault("step")}->{n.Metadata.Labels!.GetValueOrDefault("step")}"),
            d => log.Enqueue($"delete {d.Metadata.Name}")));

        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(informer.HasSynced);
        Assert.Equal(["a", "b"], informer.List().Select(d => d.Metadata.Name).Order());

        await datasets.CreateAsync(NewDataset("c"));
        await datasets.PatchAsync("a", PatchType.Merge, """{"metadata":{"labels":{"step":"2"}}}""");
        await datasets.DeleteAsync("b");
        await Eventually(() => log.Count == 5);

        Assert.Equal(["add a", "add b", "add c", "update a ->2", "delete b"], log);
        Assert.Null(informer.Get("default", "b"));
        Assert.Equal("2", informer.Get("default/a")!.Metadata.Labels!["step"]);
    }

    [Fact]
    public async Task After_a_410_the_informer_relists_and_reports_what_changed_while_it_was_away()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        await datasets.CreateAsync(NewDataset("stays"));
        await datasets.CreateAsync(NewDataset("goes"));
        var log = new ConcurrentQueue<string>();
        await using var informer = new SharedInformer<Dataset>(datasets, new InformerOptions { RetryDelay = TimeSpan.FromMilliseconds(20) });
        informer.AddHandler(new InformerHandler<Dataset>(d => log.Enqueue($"add {d.Metadata.Name}"), null, d => log.Enqueue($"delete {d.Metadata.Name}")));
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually(() => fake.WatchRequests == 1);

        fake.PauseWatches();
        fake.DropWatches();
        await datasets.DeleteAsync("goes");
        await datasets.CreateAsync(NewDataset("new"));
        fake.Compact();
        fake.ResumeWatches();
        await Eventually(() => log.Count == 4);

        Assert.Equal(["add goes", "add stays", "delete goes", "add new"], log);
        Assert.Equal(["new", "stays"], informer.List().Select(d => d.Metadata.Name).Order());
        Assert.Equal(fake.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), informer.ResourceVersion);
    }

    [Fact]
    public async Task Bookmarks_move_the_version_forward_and_resync_replays_the_cache()
    {
        await using var fake = await FakeApiServer.StartAsync();
        fake.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        using var client = Clients.For(fake.Http);
        var datasets = client.Resource<Dataset>();
        await datasets.CreateAsync(NewDataset("a"));
        var resyncs = 0;
        await using var informer = new SharedInformer<Dataset>(datasets, new InformerOptions { ResyncPeriod = TimeSpan.FromMilliseconds(100) });
        informer.AddHandler(new InformerHandler<Dataset>(OnUpdate: (o, n) =>
        {
            if (ReferenceEquals(o, n))
            {
                Interlocked.Increment(ref resyncs);
            }
        }));
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));

        // A write to another kind moves the server's version; only a bookmark can tell the Dataset watch.
        await client.Resource("v1", "ConfigMap").CreateAsync(new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "x" } });
        var target = fake.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Eventually(() => informer.ResourceVersion == target && Volatile.Read(ref resyncs) >= 2);
    }

    [Fact]
    public async Task A_handler_added_late_is_told_about_the_cached_objects()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        await client.Resource<Dataset>().CreateAsync(NewDataset("a"));
        await using var informer = new SharedInformer<Dataset>(client.Resource<Dataset>());
        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var added = new List<string?>();
        informer.AddHandler(new InformerHandler<Dataset>(d => added.Add(d.Metadata.Name)));

        Assert.Equal(["a"], added);
    }

    [Fact]
    public async Task An_informer_over_JSON_pods_of_every_namespace_keys_them_by_namespace()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var pods = client.Resource("v1", "Pod");
        await pods.CreateAsync(Pod("demo-worker-0"), "team-a");
        await pods.CreateAsync(Pod("demo-worker-0"), "team-b");
        await using var informer = new SharedInformer<System.Text.Json.Nodes.JsonObject>(pods, new InformerOptions { Namespace = KubeClient.AllNamespaces });

        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await pods.MergePatchAsync("demo-worker-0", System.Text.Json.Nodes.JsonNode.Parse("""{"status":{"phase":"Running"}}""")!, "team-b");
        await Eventually(() => (string?)informer.Get("team-b/demo-worker-0")?["status"]?["phase"] == "Running");

        Assert.Null(informer.Get("team-a/demo-worker-0")!["status"]?["phase"]);
        Assert.Single(informer.List("team-a"));
    }

    private static System.Text.Json.Nodes.JsonObject Pod(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
        ["spec"] = System.Text.Json.Nodes.JsonNode.Parse("""{"containers":[{"name":"worker","image":"fluid/cache:1"}]}"""),
    };

    [Fact]
    public async Task An_expired_continue_token_makes_the_first_list_start_over_unpaged()
    {
        const string Datasets = "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets";
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, 200, Recorded.DatasetList("300", "c1", Recorded.Dataset("a", "10")))
            .On("GET", Datasets, 410, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.","reason":"Expired","code":410}""")
            .On("GET", Datasets, 200, Recorded.DatasetList("320", null, Recorded.Dataset("a", "10"), Recorded.Dataset("b", "315")))
            .On("GET", Datasets, new Answer(200, "") { StreamLines = [], HoldOpen = TimeSpan.FromSeconds(30) });
        using var client = Clients.For(server);
        await using var informer = new SharedInformer<Dataset>(client.Resource<Dataset>(), new InformerOptions { PageSize = 1 });

        informer.Start();
        await informer.WaitForSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["a", "b"], informer.List().Select(d => d.Metadata.Name).Order());
        Assert.Equal("320", informer.ResourceVersion);
        var queries = server.Requests.Select(r => r.Query).ToList();
        Assert.Equal(["?limit=1", "?limit=1&continue=c1", ""], queries.Take(3));
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(10);
        }
    }
}
