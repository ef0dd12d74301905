using System.Net;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Tests.Server;

public sealed class WatchTests(FluiddFixture fluidd) : IClassFixture<FluiddFixture>
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private readonly HttpClient _client = fluidd.Client;

    [Fact]
    public async Task A_watch_streams_added_modified_and_deleted_for_matching_objects()
    {
        var (_, list) = await _client.Send(HttpMethod.Get, ConfigMaps);
        var rv = list["metadata"]!["resourceVersion"]!.GetValue<string>();
        await using var watch = await WatchStream.Open(_client, $"{ConfigMaps}?watch=true&resourceVersion={rv}&labelSelector=watched%3Dyes");

        var cm = Http.ConfigMap("w1");
        cm["metadata"]!["labels"] = new JsonObject { ["watched"] = "yes" };
        await _client.Send(HttpMethod.Post, ConfigMaps, cm);
        await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("unwatched"));
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/w1", "{\"data\":{\"value\":\"2\"}}", "application/merge-patch+json");
        await _client.Send(HttpMethod.Delete, $"{ConfigMaps}/w1");

        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var e = await watch.Next();
            events.Add($"{e["type"]} {e["object"]!["metadata"]!["name"]}");
        }

        Assert.Equal(["ADDED w1", "MODIFIED w1", "DELETED w1"], events);
    }

    [Fact]
    public async Task A_label_filtered_watch_sees_objects_enter_and_leave_the_selection()
    {
        await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("mover"));
        await using var watch = await WatchStream.Open(_client, $"{ConfigMaps}?watch=true&resourceVersion={fluidd.Server.Store.Revision}&labelSelector=stage%3Dlive");
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/mover", "{\"metadata\":{\"labels\":{\"stage\":\"live\"}}}", "application/merge-patch+json");
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/mover", "{\"data\":{\"value\":\"2\"}}", "application/merge-patch+json");
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/mover", "{\"metadata\":{\"labels\":{\"stage\":\"gone\"}}}", "application/merge-patch+json");
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/mover", "{\"data\":{\"value\":\"3\"}}", "application/merge-patch+json");
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/mover", "{\"metadata\":{\"labels\":{\"stage\":\"live\"}}}", "application/merge-patch+json");

        var types = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            types.Add((await watch.Next())["type"]!.GetValue<string>());
        }

        Assert.Equal(["ADDED", "MODIFIED", "DELETED", "ADDED"], types);
    }

    [Fact]
    public async Task A_resumed_watch_receives_every_event_after_its_resourceVersion()
    {
        var (_, created) = await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("resume"));
        var from = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        var expected = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (_, updated) = await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/resume", $"{{\"data\":{{\"value\":\"{i}\"}}}}", "application/merge-patch+json");
            expected.Add(updated["metadata"]!["resourceVersion"]!.GetValue<string>());
        }

        await using var watch = await WatchStream.Open(_client, $"/api/v1/watch/namespaces/default/configmaps/resume?resourceVersion={from}");
        var seen = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var e = await watch.Next();
            Assert.Equal("MODIFIED", e["type"]!.GetValue<string>());
            seen.Add(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_watch_without_a_version_starts_with_the_current_objects_and_gets_bookmarks()
    {
        await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("present"));
        await using var watch = await WatchStream.Open(_client, $"{ConfigMaps}?watch=1&fieldSelector=metadata.name%3Dpresent&allowWatchBookmarks=true");
        var first = await watch.Next();
        Assert.Equal("ADDED", first["type"]!.GetValue<string>());
        Assert.Equal("present", first["object"]!["metadata"]!["name"]!.GetValue<string>());

        var bookmark = await watch.Next();
        Assert.Equal("BOOKMARK", bookmark["type"]!.GetValue<string>());
        Assert.Equal("ConfigMap", bookmark["object"]!["kind"]!.GetValue<string>());
        Assert.True(long.Parse(bookmark["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>()) >= long.Parse(first["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Watching_from_a_compacted_version_ends_with_a_410_ERROR_event()
    {
        var (_, created) = await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("compacted"));
        var old = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/compacted", "{\"data\":{\"value\":\"2\"}}", "application/merge-patch+json");
        await _client.Send(HttpMethod.Patch, $"{ConfigMaps}/compacted", "{\"data\":{\"value\":\"3\"}}", "application/merge-patch+json");
        fluidd.Server.Store.Compact(fluidd.Server.Store.Revision - 1);

        await using var watch = await WatchStream.Open(_client, $"{ConfigMaps}?watch=true&resourceVersion={old}");
        var error = await watch.Next();
        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
        Assert.Null(await watch.NextOrEnd());
    }

    [Fact]
    public async Task A_table_watch_sends_rows()
    {
        await using var watch = await WatchStream.Open(_client, $"{ConfigMaps}?watch=true&fieldSelector=metadata.name%3Dtabled", "application/json;as=Table;v=v1;g=meta.k8s.io");
        await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("tabled"));
        var e = await watch.Next();
        Assert.Equal("Table", e["object"]!["kind"]!.GetValue<string>());
        Assert.Equal("tabled", e["object"]!["rows"]![0]!["cells"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_read_modify_write_loses_no_increment_and_every_conflict_is_a_409()
    {
        const int writers = 20;
        const int incrementsEach = 5;
        await _client.Send(HttpMethod.Post, ConfigMaps, Http.ConfigMap("counter", "0"));
        var conflicts = 0;
        var others = new List<HttpStatusCode>();
        var tasks = Enumerable.Range(0, writers).Select(async _ =>
        {
            for (var done = 0; done < incrementsEach;)
            {
                var (_, current) = await _client.Send(HttpMethod.Get, $"{ConfigMaps}/counter");
                current["data"]!["value"] = (int.Parse(current["data"]!["value"]!.GetValue<string>()) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var (code, body) = await _client.Send(HttpMethod.Put, $"{ConfigMaps}/counter", current);
                if (code == HttpStatusCode.OK)
                {
                    done++;
                }
                else if (code == HttpStatusCode.Conflict && body["reason"]?.GetValue<string>() == "Conflict")
                {
                    Interlocked.Increment(ref conflicts);
                }
                else
                {
                    lock (others)
                    {
                        others.Add(code);
                    }

                    return;
                }
            }
        }).ToList();
        await Task.WhenAll(tasks);

        Assert.Empty(others);
        var (_, final) = await _client.Send(HttpMethod.Get, $"{ConfigMaps}/counter");
        Assert.Equal((writers * incrementsEach).ToString(System.Globalization.CultureInfo.InvariantCulture), final["data"]!["value"]!.GetValue<string>());
        Assert.True(conflicts > 0, "20 writers on one object should have collided at least once");
    }
}

/// <summary>Reads a watch response line by line.</summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private WatchStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<WatchStream> Open(HttpClient client, string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new WatchStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    public async Task<JsonObject> Next() => await NextOrEnd() ?? throw new InvalidOperationException("the watch ended");

    public async Task<JsonObject?> NextOrEnd()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var line = await _reader.ReadLineAsync(timeout.Token);
        return line is null ? null : (JsonObject)JsonNode.Parse(line)!;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
