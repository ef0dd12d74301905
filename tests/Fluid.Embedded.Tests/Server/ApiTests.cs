using System.Net;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Tests.Server;

public sealed class ApiTests(FluiddFixture fluidd) : IClassFixture<FluiddFixture>
{
    private const string Datasets = "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets";
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private readonly HttpClient _client = fluidd.Client;

    [Fact]
    public async Task Requests_without_the_token_get_a_401_Status()
    {
        foreach (var token in new[] { null, "wrong" })
        {
            using var anonymous = FluiddFixture.CreateClient(fluidd.Server.Url, fluidd.Server.CaCertificatePem, token);
            var (code, body) = await anonymous.Send(HttpMethod.Get, Datasets);
            Assert.Equal(HttpStatusCode.Unauthorized, code);
            Assert.Equal("Status", body["kind"]!.GetValue<string>());
            Assert.Equal("Unauthorized", body["reason"]!.GetValue<string>());
            Assert.Equal(401, body["code"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task A_secret_s_stringData_is_stored_as_base64_data_as_kube_apiserver_does()
    {
        var secret = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "string-data" },
            ["data"] = new JsonObject { ["kept"] = "a2VwdA==", ["token"] = "b2xk" },
            ["stringData"] = new JsonObject { ["token"] = "s3cr3t" },
        };
        var (code, created) = await _client.Send(HttpMethod.Post, "/api/v1/namespaces/default/secrets", secret);
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Null(created["stringData"]);
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(created["data"]!["kept"]!.GetValue<string>())));
        Assert.Equal("s3cr3t", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(created["data"]!["token"]!.GetValue<string>())));

        secret["metadata"]!["name"] = "string-data-bad";
        secret["stringData"] = new JsonObject { ["token"] = 5 };
        var (badCode, bad) = await _client.Send(HttpMethod.Post, "/api/v1/namespaces/default/secrets", secret);
        Assert.Equal((HttpStatusCode)422, badCode);
        Assert.Contains("stringData[token]", bad.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dataset_is_created_defaulted_read_and_listed()
    {
        var (code, created) = await _client.Send(HttpMethod.Post, Datasets, Http.Dataset("crud"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("default", created["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("Exclusive", created["spec"]!["placement"]!.GetValue<string>());
        Assert.Equal("ReadOnlyMany", created["spec"]!["accessModes"]![0]!.GetValue<string>());
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());

        var (getCode, got) = await _client.Send(HttpMethod.Get, $"{Datasets}/crud");
        Assert.Equal(HttpStatusCode.OK, getCode);
        Assert.Equal(created["metadata"]!["uid"]!.ToString(), got["metadata"]!["uid"]!.ToString());

        var (_, list) = await _client.Send(HttpMethod.Get, "/apis/data.fluid.io/v1alpha1/datasets?fieldSelector=metadata.name%3Dcrud");
        Assert.Equal("DatasetList", list["kind"]!.GetValue<string>());
        Assert.Single(list["items"]!.AsArray());
        Assert.True(long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>()) >= long.Parse(created["metadata"]!["resourceVersion"]!.GetValue<string>()));

        var (again, exists) = await _client.Send(HttpMethod.Post, Datasets, Http.Dataset("crud"));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("AlreadyExists", exists["reason"]!.GetValue<string>());

        var (missing, notFound) = await _client.Send(HttpMethod.Get, $"{Datasets}/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("datasets.data.fluid.io \"nope\" not found", notFound["message"]!.GetValue<string>());
        Assert.Equal("datasets", notFound["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invalid_dataset_is_422_with_one_cause_per_field()
    {
        var bad = Http.Dataset("invalid", "local://relative");
        bad["spec"]!["mounts"]!.AsArray().Add(new JsonObject { ["mountPoint"] = "local:///x", ["name"] = "data" });
        var (code, status) = await _client.Send(HttpMethod.Post, Datasets, bad);
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal("Dataset", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal("data.fluid.io", status["details"]!["group"]!.GetValue<string>());
        var fields = status["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        Assert.Equal(["spec.mounts[0].mountPoint", "spec.mounts[1].name"], fields);
        Assert.StartsWith("Dataset.data.fluid.io \"invalid\" is invalid: [spec.mounts[0].mountPoint: ", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Send(HttpMethod.Get, $"{Datasets}/invalid")).Code);
    }

    [Fact]
    public async Task Unknown_fields_are_warned_about_or_refused_with_strict_validation()
    {
        var odd = Http.Dataset("odd");
        odd["spec"]!["mountz"] = 1;
        var (strict, status) = await _client.Send(HttpMethod.Post, Datasets + "?fieldValidation=Strict", odd);
        Assert.Equal(HttpStatusCode.BadRequest, strict);
        Assert.Contains("spec.mountz", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Post, Datasets) { Content = new StringContent(odd.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Warning"), w => w.Contains("spec.mountz", StringComparison.Ordinal));
        Assert.Null(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["spec"]!["mountz"]);
    }

    [Fact]
    public async Task Malformed_and_oversized_bodies_are_refused_with_a_Status()
    {
        var (code, status) = await _client.Send(HttpMethod.Post, ConfigMaps, "{\"kind\": ");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("BadRequest", status["reason"]!.GetValue<string>());
        Assert.Contains("not valid JSON", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (arrayCode, _) = await _client.Send(HttpMethod.Post, ConfigMaps, "[1,2]");
        Assert.Equal(HttpStatusCode.BadRequest, arrayCode);

        var huge = Http.ConfigMap("huge", new string('x', 300 * 1024));
        var (tooLarge, large) = await _client.Send(HttpMethod.Post, ConfigMaps, huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
        Assert.Equal("RequestEntityTooLarge", large["reason"]!.GetValue<string>());

        var (kindCode, kind) = await _client.Send(HttpMethod.Post, ConfigMaps, Http.Dataset("wrong-kind"));
        Assert.Equal(HttpStatusCode.BadRequest, kindCode);
        Assert.Contains("does not match", kind["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (selectorCode, selector) = await _client.Send(HttpMethod.Get, ConfigMaps + "?labelSelector=a%20in%20b");
        Assert.Equal(HttpStatusCode.BadRequest, selectorCode);
        Assert.Contains("parenthesized", selector["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_resourceVersion_is_409_Conflict()
    {
        var (_, created) = await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("stale"));
        var first = (JsonObject)created.DeepClone();
        created["data"]!["value"] = "2";
        Assert.Equal(HttpStatusCode.OK, (await _client.Send(HttpMethod.Put, $"{ConfigMaps}/stale", created)).Code);
        first["data"]!["value"] = "3";
        var (code, status) = await _client.Send(HttpMethod.Put, $"{ConfigMaps}/stale", first);
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.Contains("the object has been modified", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (_, now) = await _client.Send(HttpMethod.Get, $"{ConfigMaps}/stale");
        Assert.Equal("2", now["data"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_is_written_only_through_the_status_subresource()
    {
        var dataset = Http.Dataset("with-status");
        dataset["status"] = new JsonObject { ["phase"] = "Bound" };
        var (_, created) = await _client.Send(HttpMethod.Post, Datasets, dataset);
        Assert.Null(created["status"]);

        created["status"] = new JsonObject { ["phase"] = "Bound" };
        var (_, statusUpdated) = await _client.Send(HttpMethod.Put, $"{Datasets}/with-status/status", created);
        Assert.Equal("Bound", statusUpdated["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(1, statusUpdated["metadata"]!["generation"]!.GetValue<long>());

        var (_, merged) = await _client.Send(HttpMethod.Patch, $"{Datasets}/with-status", new JsonObject
        {
            ["status"] = new JsonObject { ["phase"] = "Failed" },
            ["spec"] = new JsonObject { ["nodeAffinity"] = null, ["placement"] = "Shared" },
        }, "application/merge-patch+json");
        Assert.Equal("Bound", merged["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("Shared", merged["spec"]!["placement"]!.GetValue<string>());
        Assert.Equal(2, merged["metadata"]!["generation"]!.GetValue<long>());

        var (_, patchedStatus) = await _client.Send(HttpMethod.Patch, $"{Datasets}/with-status/status",
            new JsonObject { ["status"] = new JsonObject { ["phase"] = "NotBound" } }, "application/merge-patch+json");
        Assert.Equal("NotBound", patchedStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, patchedStatus["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_scale_subresource_reads_and_sets_replicas()
    {
        var runtime = new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "AlluxioRuntime",
            ["metadata"] = new JsonObject { ["name"] = "scaled" },
            ["spec"] = new JsonObject { ["replicas"] = 2 },
        };
        var path = "/apis/data.fluid.io/v1alpha1/namespaces/default/alluxioruntimes/scaled";
        Assert.Equal(HttpStatusCode.Created, (await _client.Send(HttpMethod.Post, "/apis/data.fluid.io/v1alpha1/namespaces/default/alluxioruntimes", runtime)).Code);
        var (_, scale) = await _client.Send(HttpMethod.Get, path + "/scale");
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
        Assert.Equal("autoscaling/v1", scale["apiVersion"]!.GetValue<string>());
        Assert.Equal(2, scale["spec"]!["replicas"]!.GetValue<int>());

        scale["spec"]!["replicas"] = 5;
        var (code, _) = await _client.Send(HttpMethod.Put, path + "/scale", scale);
        Assert.Equal(HttpStatusCode.OK, code);
        var (_, after) = await _client.Send(HttpMethod.Get, path);
        Assert.Equal(5, after["spec"]!["replicas"]!.GetValue<int>());

        var (staleCode, _) = await _client.Send(HttpMethod.Put, path + "/scale", scale);
        Assert.Equal(HttpStatusCode.Conflict, staleCode);

        var deployment = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "web" },
            ["spec"] = new JsonObject { ["replicas"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } } },
        };
        await _client.Send(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", deployment);
        var (_, deploymentScale) = await _client.Send(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web/scale",
            new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 3 } }, "application/merge-patch+json");
        Assert.Equal(3, deploymentScale["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=web", deploymentScale["status"]!["selector"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_strategic_and_apply_patches_change_what_they_say()
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "patched", ["labels"] = new JsonObject { ["a"] = "1" } },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(
                    new JsonObject { ["name"] = "app", ["image"] = "app:1" },
                    new JsonObject { ["name"] = "sidecar", ["image"] = "side:1" }),
            },
        };
        var path = "/api/v1/namespaces/default/pods/patched";
        await _client.Send(HttpMethod.Post, "/api/v1/namespaces/default/pods", pod);

        var (_, strategic) = await _client.Send(HttpMethod.Patch, path,
            "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"app\"},{\"name\":\"sidecar\"}],\"containers\":[{\"name\":\"app\",\"image\":\"app:2\"}]}}",
            "application/strategic-merge-patch+json");
        var containers = strategic["spec"]!["containers"]!.AsArray();
        Assert.Equal(["app:2", "side:1"], containers.Select(c => c!["image"]!.GetValue<string>()));

        var (_, json) = await _client.Send(HttpMethod.Patch, path,
            "[{\"op\":\"test\",\"path\":\"/metadata/labels/a\",\"value\":\"1\"},{\"op\":\"replace\",\"path\":\"/metadata/labels/a\",\"value\":\"2\"},{\"op\":\"add\",\"path\":\"/spec/containers/-\",\"value\":{\"name\":\"third\",\"image\":\"t:1\"}}]",
            "application/json-patch+json");
        Assert.Equal("2", json["metadata"]!["labels"]!["a"]!.GetValue<string>());
        Assert.Equal(3, json["spec"]!["containers"]!.AsArray().Count);

        var (failed, status) = await _client.Send(HttpMethod.Patch, path, "[{\"op\":\"test\",\"path\":\"/metadata/labels/a\",\"value\":\"9\"}]", "application/json-patch+json");
        Assert.Equal((HttpStatusCode)422, failed);
        Assert.Equal("Status", status["kind"]!.GetValue<string>());

        var (noManager, _) = await _client.Send(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/applied", "data: {a: b}", "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.BadRequest, noManager);
        var applied = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n";
        var (createdCode, created) = await _client.Send(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/applied?fieldManager=test", applied, "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.Created, createdCode);
        Assert.Equal("b", created["data"]!["a"]!.GetValue<string>());
        var (updatedCode, updated) = await _client.Send(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/applied?fieldManager=test", applied.Replace("a: b", "c: d", StringComparison.Ordinal), "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, updatedCode);
        Assert.Equal("d", updated["data"]!["c"]!.GetValue<string>());

        var (unsupported, _) = await _client.Send(HttpMethod.Patch, path, "{}", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported);
    }

    [Fact]
    public async Task Finalizers_hold_a_deleted_object_until_they_are_removed()
    {
        var dataset = Http.Dataset("held");
        dataset["metadata"]!["finalizers"] = new JsonArray("fluid.io/dataset-controller");
        await _client.Send(HttpMethod.Post, Datasets, dataset);

        var (code, deleting) = await _client.Send(HttpMethod.Delete, $"{Datasets}/held");
        Assert.Equal(HttpStatusCode.Accepted, code);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(HttpStatusCode.OK, (await _client.Send(HttpMethod.Get, $"{Datasets}/held")).Code);

        var (patched, _) = await _client.Send(HttpMethod.Patch, $"{Datasets}/held", "{\"metadata\":{\"finalizers\":null}}", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Send(HttpMethod.Get, $"{Datasets}/held")).Code);
    }

    [Fact]
    public async Task Dependents_are_garbage_collected_after_their_owner_is_deleted_and_orphaned_on_request()
    {
        var (_, owner) = await _client.Send(HttpMethod.Post, Datasets, Http.Dataset("owner"));
        var (_, keeper) = await _client.Send(HttpMethod.Post, Datasets, Http.Dataset("keeper"));
        foreach (var (name, parent) in new[] { ("owned", owner), ("orphan", keeper) })
        {
            var cm = Http.ConfigMap(name);
            cm["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "data.fluid.io/v1alpha1",
                ["kind"] = "Dataset",
                ["name"] = parent["metadata"]!["name"]!.GetValue<string>(),
                ["uid"] = parent["metadata"]!["uid"]!.GetValue<string>(),
            });
            await _client.Send(HttpMethod.Post, ConfigMaps, cm);
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.Send(HttpMethod.Delete, $"{Datasets}/owner")).Code);
        Assert.Equal(HttpStatusCode.OK, (await _client.Send(HttpMethod.Delete, $"{Datasets}/keeper", new JsonObject { ["propagationPolicy"] = "Orphan" })).Code);
        await Storage.ObjectStoreTests.WaitUntil(() => _client.Send(HttpMethod.Get, $"{ConfigMaps}/owned").Result.Code == HttpStatusCode.NotFound);
        var (_, orphan) = await _client.Send(HttpMethod.Get, $"{ConfigMaps}/orphan");
        Assert.Null(orphan["metadata"]!["ownerReferences"]);

        var (badPolicy, _) = await _client.Send(HttpMethod.Delete, $"{ConfigMaps}/orphan?propagationPolicy=Sometimes");
        Assert.Equal(HttpStatusCode.BadRequest, badPolicy);
    }

    [Fact]
    public async Task Objects_need_an_existing_namespace_and_paths_must_exist()
    {
        var (code, status) = await _client.Send(HttpMethod.Post, "/api/v1/namespaces/nowhere/configmaps", Http.ConfigMap("x"));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("namespaces \"nowhere\" not found", status["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Send(HttpMethod.Get, "/apis/data.fluid.io/v1alpha1/namespaces/default/widgets")).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Send(HttpMethod.Get, "/api/v1/namespaces/default/nodes")).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Send(HttpMethod.Get, "/nothing/here")).Code);
    }

    [Fact]
    public async Task Lists_page_with_limit_and_continue_and_filter_by_labels()
    {
        await _client.Send(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "paging" } });
        for (var i = 0; i < 5; i++)
        {
            var cm = Http.ConfigMap($"page-{i}");
            cm["metadata"]!["labels"] = new JsonObject { ["tier"] = i < 3 ? "web" : "db" };
            await _client.Send(HttpMethod.Post, "/api/v1/namespaces/paging/configmaps", cm);
        }

        var names = new List<string>();
        var url = "/api/v1/namespaces/paging/configmaps?limit=2";
        while (true)
        {
            var (_, page) = await _client.Send(HttpMethod.Get, url);
            names.AddRange(page["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            if (page["metadata"]!["continue"]?.GetValue<string>() is not { } token)
            {
                break;
            }

            url = $"/api/v1/namespaces/paging/configmaps?limit=2&continue={Uri.EscapeDataString(token)}";
        }

        Assert.Equal(["page-0", "page-1", "page-2", "page-3", "page-4"], names);
        var (_, web) = await _client.Send(HttpMethod.Get, "/api/v1/namespaces/paging/configmaps?labelSelector=tier%20in%20(web),tier!=db");
        Assert.Equal(3, web["items"]!.AsArray().Count);
        var (_, notWeb) = await _client.Send(HttpMethod.Get, "/api/v1/configmaps?labelSelector=tier%3Ddb");
        Assert.Equal(2, notWeb["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Tables_use_the_CRD_printer_columns()
    {
        var dataset = Http.Dataset("printed");
        await _client.Send(HttpMethod.Post, Datasets, dataset);
        var (_, withStatus) = await _client.Send(HttpMethod.Patch, $"{Datasets}/printed/status",
            new JsonObject { ["status"] = new JsonObject { ["phase"] = "Bound", ["ufsTotal"] = "1.5GiB", ["cacheStates"] = new JsonObject { ["cached"] = "0.00B" } } },
            "application/merge-patch+json");
        Assert.Equal("Bound", withStatus["status"]!["phase"]!.GetValue<string>());

        var (code, table) = await _client.Send(HttpMethod.Get, $"{Datasets}?fieldSelector=metadata.name%3Dprinted", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.GetValue<string>());
        var columns = table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["Name", "Ufs Total Size", "Cached", "Cache Capacity", "Cached Percentage", "Phase", "HCFS URL", "TOTAL FILES", "CACHE HIT RATIO", "Age"], columns);
        var row = table["rows"]!.AsArray().Single()!;
        var cells = row["cells"]!.AsArray();
        Assert.Equal("printed", cells[0]!.GetValue<string>());
        Assert.Equal("1.5GiB", cells[1]!.GetValue<string>());
        Assert.Equal("Bound", cells[5]!.GetValue<string>());
        Assert.Matches("^[0-9]+s$", cells[9]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());

        var (_, single) = await _client.Send(HttpMethod.Get, "/api/v1/namespaces/default", accept: "application/json;as=Table;v=v1;g=meta.k8s.io");
        Assert.Equal(["Name", "Status", "Age"], single["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("Active", single["rows"]![0]!["cells"]![1]!.GetValue<string>());
    }

    [Fact]
    public async Task Discovery_describes_groups_resources_and_subresources()
    {
        var (_, groups) = await _client.Send(HttpMethod.Get, "/apis");
        var names = groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("data.fluid.io", names);
        Assert.Contains("apps", names);
        Assert.Contains("coordination.k8s.io", names);

        var (_, fluid) = await _client.Send(HttpMethod.Get, "/apis/data.fluid.io/v1alpha1");
        var resources = fluid["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var datasets = resources.Single(r => r["name"]!.GetValue<string>() == "datasets");
        Assert.Equal("dataset", datasets["singularName"]!.GetValue<string>());
        Assert.Equal("Dataset", datasets["kind"]!.GetValue<string>());
        Assert.True(datasets["namespaced"]!.GetValue<bool>());
        Assert.Contains("dataset", datasets["shortNames"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains("fluid", datasets["categories"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains(resources, r => r["name"]!.GetValue<string>() == "datasets/status");
        Assert.Contains(resources, r => r["name"]!.GetValue<string>() == "alluxioruntimes/scale" && r["kind"]!.GetValue<string>() == "Scale");
        Assert.False(resources.Single(r => r["name"]!.GetValue<string>() == "thinruntimeprofiles")["namespaced"]!.GetValue<bool>());

        var (_, core) = await _client.Send(HttpMethod.Get, "/api/v1");
        Assert.Contains(core["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "persistentvolumeclaims");
        var (_, api) = await _client.Send(HttpMethod.Get, "/api");
        Assert.Equal("v1", api["versions"]![0]!.GetValue<string>());
        var (_, version) = await _client.Send(HttpMethod.Get, "/version");
        Assert.Equal("1", version["major"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_collection_removes_what_the_selector_matches_and_dry_runs_are_refused()
    {
        await _client.Send(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "sweep" } });
        foreach (var (name, label) in new[] { ("s1", "old"), ("s2", "old"), ("s3", "new") })
        {
            var cm = Http.ConfigMap(name);
            cm["metadata"]!["labels"] = new JsonObject { ["age"] = label };
            await _client.Send(HttpMethod.Post, "/api/v1/namespaces/sweep/configmaps", cm);
        }

        var (code, status) = await _client.Send(HttpMethod.Delete, "/api/v1/namespaces/sweep/configmaps?labelSelector=age%3Dold");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Success", status["status"]!.GetValue<string>());
        var (_, left) = await _client.Send(HttpMethod.Get, "/api/v1/namespaces/sweep/configmaps");
        Assert.Equal(["s3"], left["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));

        var (dry, refused) = await _client.Send(HttpMethod.Post, "/api/v1/namespaces/sweep/configmaps?dryRun=All", Http.ConfigMap("dry"));
        Assert.Equal(HttpStatusCode.BadRequest, dry);
        Assert.Contains("dryRun is not supported", refused["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Send(HttpMethod.Get, "/api/v1/namespaces/sweep/configmaps/dry")).Code);

        var (_, core) = await _client.Send(HttpMethod.Get, "/api/v1");
        Assert.Contains("all", core["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "pods")!["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task Metadata_of_any_kind_must_have_the_Kubernetes_shape()
    {
        var cm = Http.ConfigMap("shapeless");
        cm["metadata"]!["finalizers"] = new JsonArray(new JsonObject { ["x"] = 1 });
        cm["metadata"]!["labels"] = new JsonObject { ["a"] = new JsonObject() };
        var (code, status) = await _client.Send(HttpMethod.Post, ConfigMaps, cm);
        Assert.Equal((HttpStatusCode)422, code);
        var fields = status["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        Assert.Contains(fields, f => f.StartsWith("metadata.finalizers", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.StartsWith("metadata.labels", StringComparison.Ordinal));
    }
}
