using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.V1Alpha1;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Resources;

public sealed class ResourceClientTests
{
    private const string Datasets = "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets";

    [Fact]
    public async Task List_all_follows_continue_tokens_across_pages()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, 200, Recorded.DatasetList("100", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTAwLCJzdGFydCI6ImIifQ", Recorded.Dataset("a", "10"), Recorded.Dataset("b", "11")))
            .On("GET", Datasets, 200, Recorded.DatasetList("100", null, Recorded.Dataset("c", "12")));
        using var client = Clients.For(server);

        var names = new List<string?>();
        await foreach (var d in client.Resource<Dataset>().ListAllAsync(new ListOptions { Limit = 2, LabelSelector = "team=a,tier in (mem,ssd)" }))
        {
            names.Add(d.Metadata.Name);
        }

        Assert.Equal(["a", "b", "c"], names);
        var requests = server.Requests.ToList();
        Assert.Equal("?labelSelector=team%3Da%2Ctier%20in%20%28mem%2Cssd%29&limit=2", requests[0].Query);
        Assert.Equal("?labelSelector=team%3Da%2Ctier%20in%20%28mem%2Cssd%29&limit=2&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTAwLCJzdGFydCI6ImIifQ", requests[1].Query);
    }

    [Fact]
    public async Task One_page_carries_the_list_resource_version_and_continue_token()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", "/apis/data.fluid.io/v1alpha1/datasets", 200, Recorded.DatasetList("555", "tok", Recorded.Dataset("a", "1", ns: "x")));
        using var client = Clients.For(server);

        var page = await client.Resource<Dataset>().ListAsync(new ListOptions { Limit = 1, FieldSelector = "metadata.namespace!=kube-system" }, KubeClient.AllNamespaces);

        Assert.Equal("555", page.Metadata.ResourceVersion);
        Assert.Equal("tok", page.Metadata.Continue);
        Assert.Equal("x", Assert.Single(page.Items).Metadata.Namespace);
        Assert.Equal("/apis/data.fluid.io/v1alpha1/datasets?fieldSelector=metadata.namespace%21%3Dkube-system&limit=1", server.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task Create_posts_into_the_default_namespace_and_reports_AlreadyExists()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("POST", Datasets, 201, Recorded.Dataset("demo", "1")).On("POST", Datasets, 409, Recorded.DatasetAlreadyExists);
        using var client = Clients.For(server);
        var dataset = new Dataset { Metadata = { Name = "demo" } };
        dataset.Spec.Mounts = [new Mount { MountPoint = "https://mirrors.example.com/data/", Name = "data" }];

        var created = await client.Resource<Dataset>().CreateAsync(dataset);
        var again = await Assert.ThrowsAsync<KubeApiException>(() => client.Resource<Dataset>().CreateAsync(dataset));

        Assert.Equal("uid-demo", created.Metadata.Uid);
        var sent = JsonNode.Parse(server.Requests.First().Body)!;
        Assert.Equal("default", (string?)sent["metadata"]!["namespace"]);
        Assert.Equal("https://mirrors.example.com/data/", (string?)sent["spec"]!["mounts"]![0]!["mountPoint"]);
        Assert.Equal("application/json", server.Requests.First().ContentType);
        Assert.True(again.IsAlreadyExists);
    }

    [Fact]
    public async Task Replace_sends_the_resource_version_and_a_stale_one_is_a_Conflict()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("PUT", Datasets + "/demo", 409, Recorded.DatasetConflict);
        using var client = Clients.For(server);
        var stale = FluidJsonDataset(Recorded.Dataset("demo", "41"));

        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.Resource<Dataset>().ReplaceAsync(stale));

        Assert.True(e.IsConflict);
        Assert.Contains("the object has been modified", e.ApiMessage, StringComparison.Ordinal);
        Assert.Equal("41", (string?)JsonNode.Parse(server.Requests.Single().Body)!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task An_invalid_object_lists_every_field_cause()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("POST", Datasets, 422, Recorded.DatasetInvalid);
        using var client = Clients.For(server);

        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.Resource<Dataset>().CreateAsync(new Dataset { Metadata = { Name = "demo" } }));

        Assert.Equal(KubeErrorReason.Invalid, e.Reason);
        Assert.Equal(["spec.mounts[0].mountPoint", "spec.placement"], e.Causes.Select(c => c.Field));
        Assert.Equal(["FieldValueInvalid", "FieldValueNotSupported"], e.Causes.Select(c => c.Type));
        Assert.Contains("Unsupported value: \"Many\"", e.Causes[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_sends_propagation_and_preconditions_and_tells_gone_from_finalizing()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("DELETE", Datasets + "/demo", 200, Recorded.DeletedStatus)
            .On("DELETE", Datasets + "/kept", 200, Recorded.Dataset("kept", "8", deletionTimestamp: "2024-05-02T00:00:00Z", finalizer: "fluid-dataset-controller-finalizer"))
            .On("DELETE", Datasets + "/none", 404, Recorded.DatasetNotFound);
        using var client = Clients.For(server);
        var datasets = client.Resource<Dataset>();

        var gone = await datasets.DeleteAsync("demo", options: new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground, PreconditionUid = "uid-demo", PreconditionResourceVersion = "5" });
        var kept = await datasets.DeleteAsync("kept");
        var missing = await Assert.ThrowsAsync<KubeApiException>(() => datasets.DeleteAsync("none"));

        Assert.Null(gone);
        Assert.NotNull(kept!.Metadata.DeletionTimestamp);
        Assert.True(missing.IsNotFound);
        var body = JsonNode.Parse(server.Requests.First().Body)!;
        Assert.Equal("Foreground", (string?)body["propagationPolicy"]);
        Assert.Equal("uid-demo", (string?)body["preconditions"]!["uid"]);
        Assert.Equal("5", (string?)body["preconditions"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Patches_use_the_content_type_of_their_kind_and_apply_names_its_field_manager()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("PATCH", Datasets + "/demo", 200, Recorded.Dataset("demo", "2"))
            .On("PATCH", Datasets + "/demo", 200, Recorded.Dataset("demo", "3"))
            .On("PATCH", Datasets + "/demo/status", 200, Recorded.Dataset("demo", "4", phase: "Bound"));
        using var client = Clients.For(server);
        var datasets = client.Resource<Dataset>();

        await datasets.MergePatchAsync("demo", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } } });
        await datasets.ApplyAsync(FluidJsonDataset(Recorded.Dataset("demo", "2")), "fluid-controller", force: true);
        var bound = await datasets.PatchStatusAsync("demo", PatchType.Merge, """{"status":{"phase":"Bound"}}""");

        var seen = server.Requests.ToList();
        Assert.Equal("application/merge-patch+json", seen[0].ContentType);
        Assert.Equal("""{"metadata":{"labels":{"a":"b"}}}""", seen[0].Body);
        Assert.Equal("application/apply-patch+yaml", seen[1].ContentType);
        Assert.Equal("?fieldManager=fluid-controller&force=true", seen[1].Query);
        Assert.Equal(Datasets + "/demo/status", seen[2].Path);
        Assert.Equal("Bound", bound.Status!.Phase);
        await Assert.ThrowsAsync<ArgumentException>(() => datasets.ApplyAsync(new Dataset { Metadata = { Name = "x" } }, " "));
    }

    [Fact]
    public async Task Status_and_scale_subresources_have_their_own_paths()
    {
        await using var server = await TestApiServer.StartAsync();
        const string Sts = "/apis/apps/v1/namespaces/fluid/statefulsets/demo-worker";
        server.On("GET", Datasets + "/demo/status", 200, Recorded.Dataset("demo", "4", phase: "Bound"))
            .On("PUT", Datasets + "/demo/status", 200, Recorded.Dataset("demo", "5", phase: "NotBound"))
            .On("GET", Sts + "/scale", 200, """{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"demo-worker","namespace":"fluid","resourceVersion":"77"},"spec":{"replicas":2},"status":{"replicas":2,"selector":"app=demo"}}""")
            .On("PUT", Sts + "/scale", 200, """{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"demo-worker","namespace":"fluid","resourceVersion":"78"},"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=demo"}}""");
        using var client = Clients.For(server);

        var status = await client.Resource<Dataset>().GetStatusAsync("demo");
        status.Status!.Phase = "NotBound";
        var replaced = await client.Resource<Dataset>().ReplaceStatusAsync(status);
        var statefulSets = client.Resource("apps/v1", "StatefulSet");
        var scale = await statefulSets.GetScaleAsync("demo-worker", "fluid");
        scale.Spec.Replicas = 3;
        var scaled = await statefulSets.ReplaceScaleAsync("demo-worker", scale, "fluid");

        Assert.Equal("NotBound", replaced.Status!.Phase);
        Assert.Equal("app=demo", scale.Status!.Selector);
        Assert.Equal(3, scaled.Spec.Replicas);
        Assert.Equal(3, (int?)JsonNode.Parse(server.Requests.Last().Body)!["spec"]!["replicas"]);
        await Assert.ThrowsAsync<NotSupportedException>(() => client.Resource("v1", "ConfigMap").GetStatusAsync("x"));
    }

    [Fact]
    public async Task Kinds_without_a_model_are_read_and_written_as_JSON()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", "/api/v1/namespaces/fluid/pods/demo-worker-0", 200, """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"demo-worker-0","namespace":"fluid","resourceVersion":"31","labels":{"app":"demo"}},"spec":{"nodeName":"node-1","containers":[{"name":"worker","image":"fluid/cache:1"}]},"status":{"phase":"Running","podIP":"10.0.0.5"}}""")
            .On("POST", "/api/v1/namespaces/default/configmaps", 201, """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"demo-values","namespace":"default","resourceVersion":"32"},"data":{"a":"1"}}""")
            .On("GET", "/api/v1/nodes/node-1", 200, """{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-1","resourceVersion":"3","labels":{"fluid.io/s-default-demo":"true"}}}""");
        using var client = Clients.For(server);

        var pod = await client.Resource("v1", "Pod").GetAsync("demo-worker-0", "fluid");
        var cm = await client.Resource("v1", "ConfigMap").CreateAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "demo-values" }, ["data"] = new JsonObject { ["a"] = "1" } });
        var node = await client.Resource("v1", "Node").GetAsync("node-1");

        Assert.Equal("Running", (string?)pod["status"]!["phase"]);
        Assert.Equal("32", ObjectAccess.ResourceVersion(cm));
        Assert.Equal("default", (string?)JsonNode.Parse(server.Requests.ToList()[1].Body)!["metadata"]!["namespace"]);
        Assert.Equal("true", (string?)node["metadata"]!["labels"]!["fluid.io/s-default-demo"]);
    }

    [Fact]
    public async Task TryGet_returns_null_for_a_missing_object()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets + "/demo", 404, Recorded.DatasetNotFound);
        using var client = Clients.For(server);

        Assert.Null(await client.Resource<Dataset>().TryGetAsync("demo"));
    }

    private static Dataset FluidJsonDataset(string json) => JsonSerializer.Deserialize<Dataset>(json, Fluid.Api.Serialization.FluidJson.Options)!;
}
