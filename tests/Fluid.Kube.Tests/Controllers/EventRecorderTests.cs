using Fluid.Api.V1Alpha1;
using Fluid.Kube.Controllers;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Controllers;

/// <summary>Runs against <see cref="FakeApiServer"/>, a stand-in until fluidd's server is on this branch.</summary>
public sealed class EventRecorderTests
{
    [Fact]
    public async Task Events_name_their_object_and_repeats_increase_the_count()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var dataset = await client.Resource<Dataset>().CreateAsync(new Dataset { Metadata = { Name = "demo" } });
        var recorder = new EventRecorder(client, "fluid-controller", "node-1");

        await recorder.RecordAsync(dataset, EventType.Warning, "RuntimeNotReady", "the runtime demo has 0 of 2 workers ready");
        await recorder.RecordAsync(dataset, EventType.Warning, "RuntimeNotReady", "the runtime demo has 0 of 2 workers ready");
        await recorder.RecordAsync(dataset, EventType.Warning, "RuntimeNotReady", "the runtime demo has 0 of 2 workers ready");
        await recorder.RecordAsync(dataset, EventType.Normal, "Bound", "bound to CacheRuntime demo");

        var events = fake.All("events").OrderBy(e => (string?)e["reason"], StringComparer.Ordinal).ToList();
        Assert.Equal(2, events.Count);
        var bound = events[0];
        var warning = events[1];
        Assert.Equal(3, (int?)warning["count"]);
        Assert.Equal(1, (int?)bound["count"]);
        Assert.Equal("Warning", (string?)warning["type"]);
        Assert.Equal("Dataset", (string?)warning["involvedObject"]!["kind"]);
        Assert.Equal(dataset.Metadata.Uid, (string?)warning["involvedObject"]!["uid"]);
        Assert.Equal("fluid-controller", (string?)warning["source"]!["component"]);
        Assert.StartsWith("demo.", (string?)warning["metadata"]!["name"], StringComparison.Ordinal);
        Assert.Equal("default", (string?)warning["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task An_expired_event_is_created_again_and_bad_input_is_refused()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var node = await client.Resource("v1", "Node").CreateAsync(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "node-1" } });
        var recorder = new EventRecorder(client, "fluid-controller");

        await recorder.RecordAsync(node, EventType.Normal, "CacheLabeled", "labelled for dataset default/demo");
        var first = fake.All("events").Single();
        await client.Resource("v1", "Event").DeleteAsync((string)first["metadata"]!["name"]!, "default");
        await recorder.RecordAsync(node, EventType.Normal, "CacheLabeled", "labelled for dataset default/demo");

        var again = fake.All("events").Single();
        Assert.Equal("default", (string?)again["metadata"]!["namespace"]);
        Assert.Null(again["involvedObject"]!["namespace"]);
        await Assert.ThrowsAsync<ArgumentException>(() => recorder.RecordAsync(node, "Error", "X", "m"));
        await Assert.ThrowsAsync<ArgumentException>(() => recorder.RecordAsync(node, EventType.Normal, "two words", "m"));
    }
}
