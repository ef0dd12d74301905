using System.Text.Json.Nodes;
using Fluid.Control.Cluster;
using Fluid.Embedded.Hosting;
using Fluid.Kube;
using Fluid.Kube.Config;
using Fluid.Kube.Http;

namespace Fluid.Control.Tests.Reconcilers;

/// <summary>KubeClusterState against a real fluidd: apply, list by labels, status with conflicts, background delete.</summary>
public sealed class KubeClusterStateTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fluid-state-").FullName;
    private FluiddServer _server = null!;
    private KubeClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FluiddServer.StartAsync(new FluiddOptions { DataDirectory = _dir, Port = 0 });
        _client = new KubeClient(KubeConfigLoader.LoadFiles([_server.KubeconfigPath]));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Rendered_manifests_are_applied_by_the_controller_and_listed_by_label()
    {
        var state = new KubeClusterState(_client);
        var map = Manifest.New("v1", "ConfigMap", "default", "state-a");
        Manifest.SetLabels(map, new Dictionary<string, string> { ["team"] = "vision" });
        map["data"] = new JsonObject { ["k"] = "1" };
        await state.ApplyAsync(map);
        map["data"] = new JsonObject { ["k"] = "2" };
        await state.ApplyAsync(map);
        var other = Manifest.New("v1", "ConfigMap", "default", "state-b");
        await state.ApplyAsync(other);

        var stored = await state.GetAsync(ObjectKey.Of(map));
        Assert.Equal("2", stored!["data"]!["k"]!.GetValue<string>());
        var vision = await state.ListAsync("v1", "ConfigMap", "default", new Dictionary<string, string> { ["team"] = "vision" });
        Assert.Equal(["state-a"], vision.Select(o => ObjectKey.Of(o).Name));

        // A manifest read and changed keeps its resourceVersion: a stale one is a conflict, not a silent overwrite.
        stored["data"] = new JsonObject { ["k"] = "3" };
        await state.ApplyAsync(stored);
        stored["data"] = new JsonObject { ["k"] = "stale" };
        var conflict = await Assert.ThrowsAsync<KubeApiException>(() => state.ApplyAsync(stored));
        Assert.True(conflict.IsConflict);

        Assert.True(await state.DeleteAsync(ObjectKey.Of(map)));
        Assert.False(await state.DeleteAsync(ObjectKey.Of(map)));
        Assert.Null(await state.GetAsync(ObjectKey.Of(map)));
    }

    [Fact]
    public async Task Status_goes_through_the_subresource_and_survives_a_concurrent_spec_change()
    {
        var state = new KubeClusterState(_client);
        var dataset = Manifest.New("data.fluid.io/v1alpha1", "Dataset", "default", "state-ds");
        dataset["spec"] = new JsonObject { ["mounts"] = new JsonArray(new JsonObject { ["name"] = "d", ["mountPoint"] = "local:///data" }) };
        await state.ApplyAsync(dataset);
        var key = ObjectKey.Of(dataset);

        await state.UpdateStatusAsync(key, new JsonObject { ["phase"] = "NotBound" });
        await _client.Resource("data.fluid.io/v1alpha1", "Dataset").MergePatchAsync("state-ds", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["x"] = "y" } } }, "default");
        await state.UpdateStatusAsync(key, new JsonObject { ["phase"] = "Bound" });

        var stored = await state.GetAsync(key);
        Assert.Equal("Bound", stored!["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("y", stored["metadata"]!["labels"]!["x"]!.GetValue<string>());

        // Apply never writes status, even when the manifest carries one.
        dataset["status"] = new JsonObject { ["phase"] = "Failed" };
        await state.ApplyAsync(dataset);
        Assert.Equal("Bound", (await state.GetAsync(key))!["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_status_change_that_meets_a_concurrent_status_write_is_computed_again_from_it()
    {
        var state = new KubeClusterState(_client);
        var dataset = Manifest.New("data.fluid.io/v1alpha1", "Dataset", "default", "state-race");
        dataset["spec"] = new JsonObject { ["mounts"] = new JsonArray(new JsonObject { ["name"] = "d", ["mountPoint"] = "local:///data" }) };
        await state.ApplyAsync(dataset);
        var key = ObjectKey.Of(dataset);
        await state.UpdateStatusAsync(key, new JsonObject { ["phase"] = "Bound" });

        // Between this change's read and its write, another reconciler takes the DataLoad lock.
        var calls = 0;
        await state.UpdateStatusAsync(key, current =>
        {
            if (calls++ == 0)
            {
                _client.Resource("data.fluid.io/v1alpha1", "Dataset").UpdateAsync("state-race", d =>
                {
                    d["status"]!["operationRef"] = new JsonObject { ["DataLoad"] = "warm" };
                    return true;
                }, "default", status: true).GetAwaiter().GetResult();
            }

            current["ufsTotal"] = "1.00KiB";
            return current;
        });

        var stored = (await state.GetAsync(key))!["status"]!;
        Assert.Equal(2, calls);
        Assert.Equal("1.00KiB", stored["ufsTotal"]!.GetValue<string>());
        Assert.Equal("warm", stored["operationRef"]!["DataLoad"]!.GetValue<string>());

        // Nothing to change: no write.
        var version = (await state.GetAsync(key))!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await state.UpdateStatusAsync(key, _ => null);
        Assert.Equal(version, (await state.GetAsync(key))!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }
}
