using System.Text.Json.Nodes;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Tests.Cluster;

[CollectionDefinition("cluster")]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;

/// <summary>`fluid apply` and `fluid get`, the real program against a real fluidd.</summary>
[Collection("cluster")]
public sealed class ApplyGetTests(ClusterFixture cluster)
{
    private const string Manifests = """
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata:
          name: demo
          labels:
            team: vision
        spec:
          mounts:
            - mountPoint: local:///data/demo
              name: data
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: demo-creds
        stringData:
          token: s3cret
        """;

    [Fact]
    public async Task Apply_says_created_then_unchanged_then_configured_like_kubectl()
    {
        var ns = await cluster.NamespaceAsync("apply-a");
        var file = Write("apply-a.yaml", Manifests);

        Assert.Equal("dataset.data.fluid.io/demo created\nsecret/demo-creds created\n", cluster.Ok("apply", "-f", file, "-n", ns));
        Assert.Equal("dataset.data.fluid.io/demo unchanged\nsecret/demo-creds unchanged\n", cluster.Ok("apply", "-f", file, "-n", ns));
        File.WriteAllText(file, Manifests.Replace("team: vision", "team: speech", StringComparison.Ordinal));
        Assert.Equal("dataset.data.fluid.io/demo configured\nsecret/demo-creds unchanged\n", cluster.Ok("apply", "-f", file, "-n", ns));

        var dataset = await cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!).GetAsync("demo", ns);
        Assert.Equal("speech", dataset["metadata"]!["labels"]!["team"]!.GetValue<string>());
        var secret = await cluster.Client.Resource("v1", "Secret").GetAsync("demo-creds", ns);
        Assert.Equal("czNjcmV0", secret["data"]!["token"]!.GetValue<string>());

        // Standard input and a directory work as for fluid validate.
        Assert.Equal("dataset.data.fluid.io/demo configured\nsecret/demo-creds unchanged\n",
            cluster.FluidWithInput(Manifests, "apply", "-f", "-", "-n", ns).Stdout);
    }

    [Fact]
    public async Task Apply_of_an_invalid_document_prints_its_field_errors_and_applies_nothing()
    {
        var ns = await cluster.NamespaceAsync("apply-bad");
        var directory = Path.Combine(cluster.Home, "apply-bad");
        Directory.CreateDirectory(Path.Combine(directory, "nested"));
        File.WriteAllText(Path.Combine(directory, "good.yaml"), Manifests);
        File.WriteAllText(Path.Combine(directory, "nested", "bad.yaml"), """
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: broken
            spec:
              mounts:
                - mountPoint: local://relative
                  name: data
            """);

        var (code, stdout, stderr) = cluster.Fluid("apply", "-f", directory, "-n", ns);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("bad.yaml:Dataset/broken: spec.mounts[0].mountPoint: local:// needs an absolute path", stderr, StringComparison.Ordinal);
        Assert.Contains("error: nothing was applied", stderr, StringComparison.Ordinal);
        Assert.Empty((await cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!).ListAsync(null, ns)).Items);
        Assert.Empty((await cluster.Client.Resource("v1", "Secret").ListAsync(null, ns)).Items);
    }

    [Fact]
    public async Task Get_prints_the_columns_kubectl_prints_for_the_same_objects()
    {
        var ns = await cluster.NamespaceAsync("get-cols");
        var other = await cluster.NamespaceAsync("get-cols-b");
        var datasets = cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!);
        cluster.Ok("apply", "-f", Write("get-cols.yaml", Manifests), "-n", ns);
        cluster.Ok("apply", "-f", Write("get-cols-b.yaml", Manifests.Replace("name: demo\n", "name: a-much-longer-dataset-name\n", StringComparison.Ordinal)), "-n", other);
        await datasets.PatchStatusAsync("demo", PatchType.Merge, """
            {"status":{"phase":"Bound","ufsTotal":"2.90GiB","fileNum":"300","cacheStates":{"cached":"1.20GiB","cacheCapacity":"4.00GiB","cachedPercentage":"41.4%","cacheHitRatio":"87.5%"}}}
            """, ns);
        await cluster.Client.Resource("apps/v1", "StatefulSet").CreateAsync(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["metadata"] = new JsonObject { ["name"] = "idle" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 0,
                ["serviceName"] = "idle",
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "idle" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "idle" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "fluid" }) },
                },
            },
        }, ns);

        string[][] commands =
        [
            ["get", "dataset", "demo", "-n", ns],
            ["get", "datasets", "-o", "wide", "-n", ns],
            ["get", "datasets.data.fluid.io", "-A"],
            ["get", "sts", "-n", ns],
        ];
        foreach (var command in commands)
        {
            var ours = cluster.Ok(command);
            var theirs = cluster.Kubectl(command);
            Assert.Equal(ClusterFixture.WithoutAges(theirs), ClusterFixture.WithoutAges(ours));
        }

        var table = cluster.Ok("get", "datasets", "-n", ns);
        Assert.StartsWith("NAME   UFS TOTAL SIZE   CACHED    CACHE CAPACITY   CACHED PERCENTAGE   PHASE   AGE\n", table, StringComparison.Ordinal);
        Assert.Matches(@"^demo   2\.90GiB          1\.20GiB   4\.00GiB          41\.4%               Bound   [0-9]+s$", table.Split('\n')[1]);
        Assert.Equal("dataset.data.fluid.io/demo\n", cluster.Ok("get", "datasets", "-o", "name", "-n", ns));
        var json = JsonNode.Parse(cluster.Ok("get", "dataset", "demo", "-o", "json", "-n", ns))!;
        Assert.Equal("Bound", json["status"]!["phase"]!.GetValue<string>());
        Assert.Contains("  mounts:\n  - mountPoint: local:///data/demo\n", cluster.Ok("get", "dataset/demo", "-o", "yaml", "-n", ns), StringComparison.Ordinal);

        var (code, _, stderr) = cluster.Fluid("get", "dataset", "nope", "-n", ns);
        Assert.Equal(1, code);
        Assert.Equal($"error: datasets.data.fluid.io \"nope\" not found in namespace \"{ns}\"\n", stderr);
        (code, _, stderr) = cluster.Fluid("get", "dataloads", "-n", ns);
        Assert.Equal(0, code);
        Assert.Equal($"No resources found in {ns} namespace.\n", stderr);
        (code, _, stderr) = cluster.Fluid("get", "gizmos");
        Assert.Equal(1, code);
        Assert.StartsWith("error: the server doesn't have a resource type \"gizmos\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_a_row_for_each_change_until_stopped()
    {
        var ns = await cluster.NamespaceAsync("get-watch");
        var datasets = cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!);
        cluster.Ok("apply", "-f", Write("get-watch.yaml", Manifests), "-n", ns);
        using var watch = cluster.Start("get", "datasets", "-w", "-n", ns);
        watch.WaitFor("demo ", TimeSpan.FromSeconds(20));

        await datasets.PatchStatusAsync("demo", PatchType.Merge, """{"status":{"phase":"Bound"}}""", ns);
        watch.WaitFor("Bound", TimeSpan.FromSeconds(10));
        await datasets.DeleteAsync("demo", ns);
        await ClusterFixture.Eventually("the deletion's row", () => Task.FromResult(watch.Output.Split('\n').Count(l => l.StartsWith("demo ", StringComparison.Ordinal)) >= 3 ? "" : null), 10);

        watch.Terminate(TimeSpan.FromSeconds(10));
        var lines = watch.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME   UFS TOTAL SIZE", lines[0], StringComparison.Ordinal);
        Assert.Single(lines, l => l.StartsWith("NAME", StringComparison.Ordinal));
        // The rows the watch printed later line up with the header of the first listing.
        var bound = lines.Where(l => l.Contains("Bound", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, bound.Count);
        Assert.All(bound, l => Assert.Equal(lines[0].IndexOf("PHASE", StringComparison.Ordinal), l.IndexOf("Bound", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_cluster_named_by_kubeconfig_is_used_instead_of_the_local_fluidd()
    {
        var ns = await cluster.NamespaceAsync("by-kubeconfig");
        cluster.Ok("apply", "-f", Write("by-kubeconfig.yaml", Manifests), "-n", ns);
        var empty = Directory.CreateTempSubdirectory("fluid-no-home-").FullName;
        try
        {
            var (code, stdout, stderr) = FluidProcess.Run(empty, cluster.Environment(empty), null, "get", "datasets", "-n", ns, "--kubeconfig", cluster.Kubeconfig);
            Assert.True(code == 0, stderr);
            Assert.StartsWith("NAME ", stdout, StringComparison.Ordinal);
            Assert.Contains("\ndemo ", stdout, StringComparison.Ordinal);

            (code, _, stderr) = FluidProcess.Run(empty, cluster.Environment(empty), null, "get", "datasets", "--kubeconfig", cluster.Kubeconfig, "--context", "elsewhere");
            Assert.Equal(1, code);
            Assert.Contains("elsewhere", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(cluster.Home, name);
        File.WriteAllText(path, text);
        return path;
    }
}
