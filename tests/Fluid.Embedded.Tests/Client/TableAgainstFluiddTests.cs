using System.Text.Json.Nodes;
using Fluid.Embedded.Tests.Server;
using Fluid.Kube;
using Fluid.Kube.Config;
using Fluid.Kube.Resources;
using Fluid.Kube.Watch;

namespace Fluid.Embedded.Tests.Client;

/// <summary>Fluid.Kube's Table reads (what `kubectl get` prints) and discovery against a real fluidd.</summary>
public sealed class TableAgainstFluiddTests(FluiddFixture fluidd) : IClassFixture<FluiddFixture>, IDisposable
{
    private readonly KubeClient _client = new(KubeConfigLoader.LoadFiles([fluidd.Server.KubeconfigPath]));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_dataset_list_comes_back_with_the_CRD_printer_columns_and_row_metadata()
    {
        var datasets = _client.Resource(ResourceRegistry.Default.Resolve("datasets")!);
        await CreateNamespaceAsync("table-a");
        await datasets.CreateAsync(Http.Dataset("table-one"), "table-a");
        await datasets.CreateAsync(Http.Dataset("table-two"), "table-a");
        await datasets.PatchStatusAsync("table-one", PatchType.Merge, """{"status":{"phase":"Bound","ufsTotal":"1.00GiB","fileNum":"42"}}""", "table-a");

        var table = await datasets.ListTableAsync(null, "table-a");
        Assert.Equal("Table", table.Kind);
        Assert.Equal(
            ["Name", "Ufs Total Size", "Cached", "Cache Capacity", "Cached Percentage", "Phase", "HCFS URL", "TOTAL FILES", "CACHE HIT RATIO", "Age"],
            table.ColumnDefinitions.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 0, 10, 11, 10, 0], table.ColumnDefinitions.Select(c => c.Priority));
        Assert.False(string.IsNullOrEmpty(table.Metadata.ResourceVersion));
        Assert.Equal(["table-one", "table-two"], table.Rows.Select(r => r.Name));
        Assert.All(table.Rows, r => Assert.Equal("table-a", r.Namespace));
        var one = table.Rows[0].Cells;
        Assert.Equal(10, one.Count);
        Assert.Equal("1.00GiB", one[1]!.GetValue<string>());
        Assert.Equal("Bound", one[5]!.GetValue<string>());
        Assert.Equal("42", one[7]!.GetValue<string>());
        Assert.Matches("^[0-9]+s$", one[9]!.GetValue<string>());

        var single = await datasets.GetTableAsync("table-two", "table-a");
        Assert.Equal("table-two", Assert.Single(single.Rows).Name);
        var everywhere = await datasets.ListTableAsync(null, KubeClient.AllNamespaces);
        Assert.Contains(everywhere.Rows, r => r.Name == "table-one" && r.Namespace == "table-a");
    }

    [Fact]
    public async Task A_table_watch_prints_each_change_as_a_one_row_table()
    {
        var maps = _client.Resource("v1", "ConfigMap");
        await CreateNamespaceAsync("table-w");
        var start = await maps.ListTableAsync(null, "table-w");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType Type, string? Name, string? Version)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in maps.WatchTableAsync(new WatchOptions { ResourceVersion = start.Metadata.ResourceVersion }, "table-w", timeout.Token))
            {
                if (e.Type == WatchEventType.Bookmark)
                {
                    continue;
                }

                events.Add((e.Type, Assert.Single(e.Object!.Rows).Name, e.ResourceVersion));
                if (events.Count == 3)
                {
                    return;
                }
            }
        });
        var created = await maps.CreateAsync(Http.ConfigMap("watched"), "table-w");
        await maps.MergePatchAsync("watched", JsonNode.Parse("""{"data":{"value":"2"}}""")!, "table-w");
        await maps.DeleteAsync("watched", "table-w");
        await watching.WaitAsync(timeout.Token);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("watched", e.Name));
        Assert.Equal(created["metadata"]!["resourceVersion"]!.GetValue<string>(), events[0].Version);
    }

    [Fact]
    public async Task Discovery_finds_the_short_names_kubectl_accepts()
    {
        var resources = await ApiDiscovery.DiscoverAsync(_client);
        Assert.Equal("daemonsets", ApiDiscovery.Find(resources, "ds")!.Descriptor.Plural);
        Assert.Equal("DataLoad", ApiDiscovery.Find(resources, "load")!.Descriptor.Kind);
        Assert.Equal("datasets", ApiDiscovery.Find(resources, "datasets.data.fluid.io")!.Descriptor.Plural);
        var pods = ApiDiscovery.Find(resources, "po")!;
        Assert.True(pods.Descriptor.HasStatus);
        Assert.Null(ApiDiscovery.Find(resources, "pods/log"));
        var sets = ApiDiscovery.Find(resources, "sts")!.Descriptor;
        Assert.True(sets.HasScale);

        // What discovery serves agrees with the client's own registry for every kind the registry knows.
        foreach (var known in ResourceRegistry.Default.All)
        {
            var found = ApiDiscovery.Find(resources, $"{known.Plural}.{known.Version}.{known.Group}".TrimEnd('.'));
            Assert.True(found is not null, $"{known} is not in fluidd's discovery");
            Assert.Equal(known.Kind, found.Descriptor.Kind);
            Assert.Equal(known.Namespaced, found.Descriptor.Namespaced);
            Assert.Equal(ResourceRegistry.Default.ShortNames(known).Order(), found.ShortNames.Order());
        }
    }

    private async Task CreateNamespaceAsync(string name)
    {
        var namespaces = _client.Resource("v1", "Namespace");
        if (await namespaces.TryGetAsync(name) is null)
        {
            await namespaces.CreateAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        }
    }
}
