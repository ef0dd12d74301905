using Fluid.Api.V1Alpha1;
using Fluid.Kube.Resources;
using Fluid.Kube.Tests.Support;
using Fluid.Kube.Watch;

namespace Fluid.Kube.Tests.Watch;

public sealed class WatchTests
{
    private const string Datasets = "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets";

    private static Answer Stream(params string[] lines) => new(200, "") { StreamLines = lines };

    [Fact]
    public async Task A_watch_yields_added_modified_bookmark_and_deleted_events_in_order()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, Stream(
            Recorded.Event("ADDED", Recorded.Dataset("a", "101")),
            Recorded.Event("MODIFIED", Recorded.Dataset("a", "102", phase: "Bound")),
            Recorded.Bookmark("150"),
            Recorded.Event("DELETED", Recorded.Dataset("a", "151"))));
        using var client = Clients.For(server);

        var events = new List<WatchEvent<Dataset>>();
        await foreach (var e in client.Resource<Dataset>().WatchAsync(new WatchOptions { ResourceVersion = "100", TimeoutSeconds = 60 }))
        {
            events.Add(e);
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Bookmark, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(["101", "102", "150", "151"], events.Select(e => e.ResourceVersion));
        Assert.Equal("Bound", events[1].Object!.Status!.Phase);
        Assert.Equal("?watch=true&resourceVersion=100&allowWatchBookmarks=true&timeoutSeconds=60", server.Requests.Single().Query);
    }

    [Fact]
    public async Task An_expired_resource_version_arrives_as_an_ERROR_event_with_its_status()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, Stream(Recorded.WatchExpired));
        using var client = Clients.For(server);

        var events = new List<WatchEvent<Dataset>>();
        await foreach (var e in client.Resource<Dataset>().WatchAsync(new WatchOptions { ResourceVersion = "1000" }))
        {
            events.Add(e);
        }

        var error = Assert.Single(events);
        Assert.Equal(WatchEventType.Error, error.Type);
        Assert.Equal(410, error.Status!.Code);
        Assert.Equal("too old resource version: 1000 (1520)", error.Status.Message);
    }

    [Fact]
    public async Task Cancelling_ends_an_idle_watch()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, new Answer(200, "") { StreamLines = [], HoldOpen = TimeSpan.FromSeconds(30) });
        using var client = Clients.For(server);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in client.Resource<Dataset>().WatchAsync(cancellationToken: cts.Token))
            {
            }
        });
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_resilient_watcher_resumes_from_the_last_bookmark_and_relists_after_410()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, Stream(Recorded.Event("ADDED", Recorded.Dataset("a", "101")), Recorded.Bookmark("150")))
            .On("GET", Datasets, Stream(Recorded.WatchExpired))
            .On("GET", Datasets, 200, Recorded.DatasetList("200", null, Recorded.Dataset("a", "180"), Recorded.Dataset("b", "190")))
            .On("GET", Datasets, new Answer(200, "") { StreamLines = [Recorded.Event("MODIFIED", Recorded.Dataset("b", "201"))], HoldOpen = TimeSpan.FromSeconds(30) });
        using var client = Clients.For(server);
        var watcher = new ResilientWatcher<Dataset>(client.Resource<Dataset>(), new ResilientWatchOptions { RetryDelay = TimeSpan.FromMilliseconds(20) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var seen = new List<string>();
        await foreach (var e in watcher.WatchAsync("100", cancellationToken: cts.Token))
        {
            seen.Add($"{e.Type} {e.Object?.Metadata.Name} {e.ResourceVersion}");
            if (seen.Count == 5)
            {
                break;
            }
        }

        Assert.Equal(["Added a 101", "Bookmark  150", "Added a 180", "Added b 190", "Modified b 201"], seen);
        var queries = server.Requests.Select(r => r.Query).ToList();
        Assert.Contains("resourceVersion=100", queries[0], StringComparison.Ordinal);
        Assert.Contains("resourceVersion=150", queries[1], StringComparison.Ordinal);
        Assert.DoesNotContain("watch=true", queries[2], StringComparison.Ordinal);
        Assert.Contains("resourceVersion=200", queries[3], StringComparison.Ordinal);
        Assert.Equal(1, watcher.Relists);
        Assert.Equal("201", watcher.ResourceVersion);
    }

    [Fact]
    public async Task The_resilient_watcher_reconnects_after_a_dropped_connection_and_an_HTTP_410()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", Datasets, new Answer(0, "") { Abort = true })
            .On("GET", Datasets, 410, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (77)","reason":"Expired","code":410}""")
            .On("GET", Datasets, new Answer(200, "") { StreamLines = [Recorded.Event("ADDED", Recorded.Dataset("c", "78"))], HoldOpen = TimeSpan.FromSeconds(30) });
        using var client = Clients.For(server, retry: Fluid.Kube.Http.KubeRetryPolicy.None);
        var errors = new List<Exception>();
        var watcher = new ResilientWatcher<Dataset>(client.Resource<Dataset>(), new ResilientWatchOptions { RetryDelay = TimeSpan.FromMilliseconds(20), OnError = errors.Add });
        var relisted = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await foreach (var e in watcher.WatchAsync("5", _ => { relisted++; return Task.FromResult<string?>("77"); }, cts.Token))
        {
            Assert.Equal("c", e.Object!.Metadata.Name);
            break;
        }

        Assert.Equal(1, relisted);
        Assert.Single(errors);
        Assert.Contains("resourceVersion=77", server.Requests.Last().Query, StringComparison.Ordinal);
    }
}
