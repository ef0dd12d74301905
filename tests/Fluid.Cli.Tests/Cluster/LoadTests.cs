using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Tests.Cluster;

/// <summary>
/// `fluid load` against a real fluidd. No DataLoad controller runs here: the tests write the DataLoad's status
/// by hand, as the controller does (phase, status.progress, conditions, duration), and check what fluid shows.
/// </summary>
[Collection("cluster")]
public sealed class LoadTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Load_creates_a_DataLoad_shows_its_progress_and_ends_with_a_summary()
    {
        var ns = await DatasetAsync("load-ok");
        using var load = cluster.Start("load", "demo", "/train", "/val", "--replicas", "2", "-n", ns);
        var created = await CreatedLoadAsync(ns);
        var name = created["metadata"]!["name"]!.GetValue<string>();
        Assert.Matches("^demo-load-[a-z0-9]{5}$", name);
        Assert.Equal("demo", created["spec"]!["dataset"]!["name"]!.GetValue<string>());
        Assert.Equal(ns, created["spec"]!["dataset"]!["namespace"]!.GetValue<string>());
        Assert.Equal("""[{"path":"/train","replicas":2},{"path":"/val","replicas":2}]""", created["spec"]!["target"]!.ToJsonString());
        load.WaitFor($"dataload.data.fluid.io/{name} created");

        // In place of the controller: the load runs and reports its progress.
        await StatusAsync(ns, name, """
            {"phase":"Executing","progress":{"totalBytes":3113851290,"loadedBytes":1288490189,"totalFiles":300,"loadedFiles":120,
             "bytesPerSecond":89443532,"eta":"20s","percentage":"41.4%"}}
            """);
        load.WaitFor("Executing 41.4% (1.20GiB of 2.90GiB, 120/300 files, 85.30MiB/s, eta 20s)");
        await StatusAsync(ns, name, """
            {"phase":"Complete","duration":"35s",
             "progress":{"totalBytes":3113851290,"loadedBytes":3113851290,"totalFiles":300,"loadedFiles":300,"bytesPerSecond":0,"percentage":"100.0%"},
             "conditions":[{"type":"Complete","status":"True","reason":"DataLoadJobComplete","message":"the loader job finished"}]}
            """);

        Assert.Equal(0, load.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.EndsWith($"{name} Complete: loaded 300 files, 2.90GiB in 35s (84.85MiB/s on average)\n", load.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_load_without_progress_shows_its_phase_and_a_failed_one_exits_1_with_the_reason()
    {
        var ns = await DatasetAsync("load-fail");
        using var load = cluster.Start("load", "demo", "-n", ns);
        var name = (await CreatedLoadAsync(ns))["metadata"]!["name"]!.GetValue<string>();
        await StatusAsync(ns, name, """{"phase":"Executing"}""");
        load.WaitFor("\nExecuting\n");
        await StatusAsync(ns, name, """
            {"phase":"Failed","duration":"3s",
             "conditions":[{"type":"Failed","status":"True","reason":"DataLoadJobFailed","message":"loader pod exited with code 2: s3://bucket/train: access denied"}]}
            """);

        Assert.Equal(1, load.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Contains($"error: DataLoad {name} failed: DataLoadJobFailed: loader pod exited with code 2: s3://bucket/train: access denied", load.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_of_a_missing_dataset_names_it_and_creates_nothing_and_no_wait_returns_at_once()
    {
        var ns = await DatasetAsync("load-none");
        var (code, _, stderr) = cluster.Fluid("load", "other", "-n", ns);
        Assert.Equal(1, code);
        Assert.Equal($"error: dataset \"other\" not found in namespace \"{ns}\": name one of demo (fluid get datasets), or create it (fluid apply -f)\n", stderr);
        Assert.Empty((await Loads().ListAsync(null, ns)).Items);

        var stdout = cluster.Ok("load", "demo", "--no-wait", "-n", ns);
        var created = Assert.Single((await Loads().ListAsync(null, ns)).Items);
        var name = created["metadata"]!["name"]!.GetValue<string>();
        Assert.Equal($"dataload.data.fluid.io/{name} created\nfollow it with: fluid get dataload {name} -w -n {ns}\n", stdout);
        Assert.Equal("""[{"path":"/","replicas":1}]""", created["spec"]!["target"]!.ToJsonString());
    }

    private ResourceClient<JsonObject> Loads() => cluster.Client.Resource(ResourceRegistry.Default.Resolve("dataloads")!);

    private async Task<string> DatasetAsync(string ns)
    {
        await cluster.NamespaceAsync(ns);
        await cluster.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!).CreateAsync(new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "Dataset",
            ["metadata"] = new JsonObject { ["name"] = "demo" },
            ["spec"] = new JsonObject { ["mounts"] = new JsonArray(new JsonObject { ["mountPoint"] = "local:///data", ["name"] = "data" }) },
        }, ns);
        return ns;
    }

    private Task<JsonObject> CreatedLoadAsync(string ns) =>
        ClusterFixture.Eventually("fluid load to create a DataLoad", async () => (await Loads().ListAsync(null, ns)).Items.SingleOrDefault(), 20);

    private Task StatusAsync(string ns, string name, string status) =>
        Loads().PatchStatusAsync(name, PatchType.Merge, $$"""{"status":{{status}}}""", ns);
}
