using System.Text.Json.Nodes;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Tests.Cluster;

/// <summary>`fluid describe` and `fluid delete`, the real program against a real fluidd.</summary>
[Collection("cluster")]
public sealed class DescribeDeleteTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Describe_a_dataset_shows_its_cache_mounts_conditions_and_events()
    {
        var ns = await cluster.NamespaceAsync("describe-a");
        var datasets = cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!);
        var created = await datasets.CreateAsync(Dataset("demo"), ns);
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await datasets.PatchStatusAsync("demo", PatchType.Merge, """
            {"status":{"phase":"Bound","ufsTotal":"2.90GiB","fileNum":"300",
              "cacheStates":{"cached":"1.20GiB","cacheCapacity":"4.00GiB","cachedPercentage":"41.4%","cacheHitRatio":"87.5%"},
              "runtimes":[{"name":"demo","namespace":"NS","category":"Accelerate","type":"fluid"}],
              "conditions":[{"type":"Ready","status":"True","reason":"DatasetReady","message":"The ddc runtime is ready.","lastTransitionTime":"NOW"}]}}
            """.Replace("NS", ns, StringComparison.Ordinal).Replace("NOW", now, StringComparison.Ordinal), ns);
        await cluster.Client.Resource("v1", "Event").CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = "demo.bound" },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = "data.fluid.io/v1alpha1",
                ["kind"] = "Dataset",
                ["name"] = "demo",
                ["namespace"] = ns,
                ["uid"] = created["metadata"]!["uid"]!.DeepClone(),
            },
            ["type"] = "Normal",
            ["reason"] = "DatasetBound",
            ["message"] = "bound to runtime demo",
            ["source"] = new JsonObject { ["component"] = "dataset-controller" },
            ["count"] = 1,
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
        }, ns);

        var text = cluster.Ok("describe", "dataset", "demo", "-n", ns);
        Assert.StartsWith($"Name:         demo\nNamespace:    {ns}\nKind:         Dataset (data.fluid.io/v1alpha1)\nLabels:       team=vision\n", text, StringComparison.Ordinal);
        Assert.Contains("Phase:        Bound\n", text, StringComparison.Ordinal);
        Assert.Contains($"Runtime:      demo (fluid, Accelerate, {ns})\n", text, StringComparison.Ordinal);
        Assert.Contains("""
            Cache:
              UFS Total Size:     2.90GiB
              Files:              300
              Cached:             1.20GiB
              Cache Capacity:     4.00GiB
              Cached Percentage:  41.4%
              Cache Hit Ratio:    87.5%
            Mounts:
              Name   Mount Point          Path    Read Only
              ----   -----------          ----    ---------
              data   local:///data/demo   /data   false
            """.ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
        Assert.Matches(@"\nConditions:\n  Type    Status   Reason         Message                     Last Transition\n  ----    ------   ------         -------                     ---------------\n  Ready   True     DatasetReady   The ddc runtime is ready\.   [0-9]+s ago\n", text);
        Assert.Matches(@"\nEvents:\n  Type     Reason         Age   +From                 Message\n  ----     ------         ---   +----                 -------\n  Normal   DatasetBound   [0-9]+s +dataset-controller   bound to runtime demo\n$", text);

        var (code, _, stderr) = cluster.Fluid("describe", "dataset", "nope", "-n", ns);
        Assert.Equal(1, code);
        Assert.Contains($"datasets.data.fluid.io \"nope\" not found in namespace \"{ns}\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_waits_until_the_object_is_gone_and_names_the_finalizers_that_hold_it()
    {
        var ns = await cluster.NamespaceAsync("delete-a");
        var datasets = cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!);
        await datasets.CreateAsync(Dataset("free"), ns);
        var held = Dataset("held");
        held["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await datasets.CreateAsync(held, ns);

        Assert.Equal("dataset.data.fluid.io \"free\" deleted\n", cluster.Ok("delete", "dataset", "free", "-n", ns));
        Assert.Null(await datasets.TryGetAsync("free", ns));

        var started = DateTime.UtcNow;
        var (code, stdout, stderr) = cluster.Fluid("delete", "dataset/held", "-n", ns, "--timeout", "1s");
        Assert.Equal(1, code);
        Assert.Equal("dataset.data.fluid.io \"held\" deleted\n", stdout);
        Assert.StartsWith("error: timed out after 1s waiting for dataset.data.fluid.io \"held\" to be deleted: it is held by its finalizers [example.com/hold]", stderr, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "--timeout 1s must end the wait (the bound includes a cold .NET start on a busy machine)");
        var still = await datasets.GetAsync("held", ns);
        Assert.NotNull(still["metadata"]!["deletionTimestamp"]);

        // Once the finalizer goes, a waiting delete returns as soon as the object is gone.
        using var waiting = cluster.Start("delete", "dataset", "held", "-n", ns, "--timeout", "30s");
        waiting.WaitFor("deleted", TimeSpan.FromSeconds(20));
        await datasets.MergePatchAsync("held", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!, ns);
        Assert.Equal(0, waiting.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Null(await datasets.TryGetAsync("held", ns));

        (code, _, stderr) = cluster.Fluid("delete", "dataset", "gone", "-n", ns);
        Assert.Equal(1, code);
        Assert.Contains($"datasets.data.fluid.io \"gone\" not found in namespace \"{ns}\"", stderr, StringComparison.Ordinal);
        Assert.Equal(0, cluster.Fluid("delete", "dataset", "gone", "-n", ns, "--ignore-not-found").ExitCode);
    }

    [Fact]
    public async Task Delete_from_a_manifest_removes_what_it_describes()
    {
        var ns = await cluster.NamespaceAsync("delete-f");
        var file = Path.Combine(cluster.Home, "delete-f.yaml");
        File.WriteAllText(file, """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              a: "1"
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: demo
            spec:
              mounts:
                - mountPoint: local:///data
            """);
        cluster.Ok("apply", "-f", file, "-n", ns);
        Assert.Equal("configmap \"settings\" deleted\ndataset.data.fluid.io \"demo\" deleted\n", cluster.Ok("delete", "-f", file, "-n", ns, "--wait=false"));
        Assert.Null(await cluster.Client.Resource("v1", "ConfigMap").TryGetAsync("settings", ns));
    }

    private static JsonObject Dataset(string name) => new()
    {
        ["apiVersion"] = "data.fluid.io/v1alpha1",
        ["kind"] = "Dataset",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["team"] = "vision" } },
        ["spec"] = new JsonObject { ["mounts"] = new JsonArray(new JsonObject { ["mountPoint"] = "local:///data/demo", ["name"] = "data" }) },
    };
}
