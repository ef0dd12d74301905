using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Fluid.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Fluid.Kube.Tests.Support;

/// <summary>
/// STAND-IN until fluidd (src/Fluid.Embedded) lands on this branch: a minimal stateful API server over real
/// HTTPS for the informer, finalizer, leader-election and event-recorder tests. It follows the conventions
/// those pieces depend on (resourceVersion on every write, 409 on a stale PUT or a taken name, finalizers
/// holding deletion, watch from a version with bookmarks, 410 for a compacted version) and nothing more.
/// Replace it with fluidd's in-process server when that is available.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<(long Rv, string Collection, string Type, JsonObject Object)> _history = [];
    private readonly List<(string Collection, string? Namespace, Channel<string> Channel)> _watchers = [];
    private long _rv = 100;
    private long _compactedBelow;
    private TaskCompletionSource _watchGate = CompletedGate();

    private FakeApiServer()
    {
    }

    public TestApiServer Http { get; private set; } = null!;

    /// <summary>Interval of BOOKMARK events on watches that allow them.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Watches end after this long (as the real server ends them after timeoutSeconds).</summary>
    public TimeSpan? WatchLifetime { get; set; }

    public static async Task<FakeApiServer> StartAsync()
    {
        var fake = new FakeApiServer();
        fake.Http = await TestApiServer.StartAsync(handler: fake.HandleAsync);
        return fake;
    }

    public long CurrentResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _rv;
            }
        }
    }

    /// <summary>Forgets the history so that watches from older versions get 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedBelow = _rv;
            _history.Clear();
        }
    }

    /// <summary>Holds new watch requests until <see cref="ResumeWatches"/> (so changes happen while no one watches).</summary>
    public void PauseWatches()
    {
        lock (_lock)
        {
            _watchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ResumeWatches()
    {
        lock (_lock)
        {
            _watchGate.TrySetResult();
        }
    }

    /// <summary>Watch requests that arrived since the server started.</summary>
    public int WatchRequests => Http.Requests.Count(r => r.Query.Contains("watch=true", StringComparison.Ordinal));

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    /// <summary>Ends every open watch (a server restart or a load balancer timing out).</summary>
    public void DropWatches()
    {
        lock (_lock)
        {
            foreach (var w in _watchers)
            {
                w.Channel.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    public JsonObject? Get(string collection, string? ns, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(Key(collection, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public IReadOnlyList<JsonObject> All(string collection)
    {
        lock (_lock)
        {
            return [.. _objects.Where(kv => kv.Key.StartsWith(collection + "|", StringComparison.Ordinal)).Select(kv => (JsonObject)kv.Value.DeepClone())];
        }
    }

    public ValueTask DisposeAsync()
    {
        DropWatches();
        return Http.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var route = Route.Parse(context.Request.Path.Value ?? "");
        if (route is null)
        {
            await Reply(context, 404, Status(404, "NotFound", $"the server could not find the requested resource ({context.Request.Path})"));
            return;
        }

        var method = context.Request.Method;
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        if (method == "GET" && route.Name is null && context.Request.Query["watch"] == "true")
        {
            await WatchAsync(context, route);
            return;
        }

        (int Code, JsonObject Body) answer;
        lock (_lock)
        {
            answer = method switch
            {
                "GET" when route.Name is null => List(route, context.Request.Query["labelSelector"].ToString()),
                "GET" => Read(route),
                "POST" when route.Name is null => Create(route, JsonNode.Parse(body)!.AsObject()),
                "PUT" when route.Name is not null => Update(route, JsonNode.Parse(body)!.AsObject(), merge: false),
                "PATCH" when route.Name is not null => Update(route, JsonNode.Parse(body)!.AsObject(), merge: true),
                "DELETE" when route.Name is not null => Delete(route),
                _ => (405, Status(405, "MethodNotAllowed", $"{method} is not supported here")),
            };
        }

        await Reply(context, answer.Code, answer.Body);
    }

    private (int, JsonObject) List(Route route, string selector)
    {
        var items = new JsonArray();
        foreach (var (key, obj) in _objects.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith(route.Collection + "|", StringComparison.Ordinal) && InNamespace(obj, route.Namespace) && Matches(obj, selector))
            {
                items.Add(obj.DeepClone());
            }
        }

        return (200, new JsonObject
        {
            ["apiVersion"] = route.Descriptor.ApiVersion,
            ["kind"] = route.Descriptor.Kind + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = _rv.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private (int, JsonObject) Read(Route route) =>
        _objects.TryGetValue(route.Key, out var obj) ? (200, (JsonObject)obj.DeepClone()) : NotFound(route);

    private (int, JsonObject) Create(Route route, JsonObject obj)
    {
        var meta = ObjectAccess.Metadata(obj);
        var name = (string?)meta["name"];
        if (string.IsNullOrEmpty(name))
        {
            return (422, Status(422, "Invalid", "metadata.name: Required value: name is required"));
        }

        var withName = route with { Name = name };
        if (_objects.ContainsKey(withName.Key))
        {
            return (409, Status(409, "AlreadyExists", $"{route.Descriptor.FullName} \"{name}\" already exists"));
        }

        meta["namespace"] = route.Descriptor.Namespaced ? route.Namespace : null;
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        meta["resourceVersion"] = (++_rv).ToString(CultureInfo.InvariantCulture);
        _objects[withName.Key] = (JsonObject)obj.DeepClone();
        Publish(route, "ADDED", obj);
        return (201, obj);
    }

    private (int, JsonObject) Update(Route route, JsonObject change, bool merge)
    {
        if (!_objects.TryGetValue(route.Key, out var current))
        {
            return NotFound(route);
        }

        var sentRv = (string?)change["metadata"]?["resourceVersion"];
        if (sentRv is not null && sentRv != (string?)current["metadata"]!["resourceVersion"])
        {
            return (409, Status(409, "Conflict", $"Operation cannot be fulfilled on {route.Descriptor.FullName} \"{route.Name}\": the object has been modified; please apply your changes to the latest version and try again"));
        }

        var next = merge ? (JsonObject)MergePatch(current.DeepClone(), change)! : (JsonObject)change.DeepClone();
        if (route.Descriptor.HasStatus && !merge)
        {
            // The status subresource splits writes: /status changes only status, the object only the rest.
            if (route.Subresource == "status")
            {
                var status = next["status"]?.DeepClone();
                next = (JsonObject)current.DeepClone();
                next["status"] = status;
            }
            else
            {
                next["status"] = current["status"]?.DeepClone();
            }
        }

        var meta = ObjectAccess.Metadata(next);
        foreach (var kept in new[] { "uid", "creationTimestamp", "deletionTimestamp", "namespace", "name" })
        {
            meta[kept] = current["metadata"]![kept]?.DeepClone();
        }

        meta["resourceVersion"] = (++_rv).ToString(CultureInfo.InvariantCulture);
        if (meta["deletionTimestamp"] is not null && meta["finalizers"] is not JsonArray { Count: > 0 })
        {
            _objects.Remove(route.Key);
            Publish(route, "DELETED", next);
            return (200, next);
        }

        _objects[route.Key] = (JsonObject)next.DeepClone();
        Publish(route, "MODIFIED", next);
        return (200, next);
    }

    private (int, JsonObject) Delete(Route route)
    {
        if (!_objects.TryGetValue(route.Key, out var current))
        {
            return NotFound(route);
        }

        var meta = ObjectAccess.Metadata(current);
        meta["resourceVersion"] = (++_rv).ToString(CultureInfo.InvariantCulture);
        if (meta["finalizers"] is JsonArray { Count: > 0 })
        {
            meta["deletionTimestamp"] ??= DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            Publish(route, "MODIFIED", current);
            return (200, (JsonObject)current.DeepClone());
        }

        _objects.Remove(route.Key);
        Publish(route, "DELETED", current);
        return (200, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success" });
    }

    private async Task WatchAsync(HttpContext context, Route route)
    {
        Task gate;
        lock (_lock)
        {
            gate = _watchGate.Task;
        }

        await gate.WaitAsync(context.RequestAborted);
        var channel = Channel.CreateUnbounded<string>();
        var bookmarks = context.Request.Query["allowWatchBookmarks"] == "true";
        lock (_lock)
        {
            var fromText = context.Request.Query["resourceVersion"].ToString();
            var from = fromText.Length == 0 ? 0 : long.Parse(fromText, CultureInfo.InvariantCulture);
            if (fromText.Length == 0 || from == 0)
            {
                foreach (var (key, obj) in _objects.Where(kv => kv.Key.StartsWith(route.Collection + "|", StringComparison.Ordinal)))
                {
                    if (InNamespace(obj, route.Namespace))
                    {
                        channel.Writer.TryWrite(Event("ADDED", obj));
                    }
                }
            }
            else if (from < _compactedBelow)
            {
                channel.Writer.TryWrite(Event("ERROR", Status(410, "Expired", $"too old resource version: {from} ({_compactedBelow})")));
                channel.Writer.TryComplete();
            }
            else
            {
                foreach (var h in _history.Where(h => h.Rv > from && h.Collection == route.Collection && InNamespace(h.Object, route.Namespace)))
                {
                    channel.Writer.TryWrite(Event(h.Type, h.Object));
                }
            }

            _watchers.Add((route.Collection, route.Namespace, channel));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync();
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (WatchLifetime is { } life)
        {
            lifetime.CancelAfter(life);
        }

        try
        {
            // A read that loses to the bookmark tick stays pending for the next round: a new read would leave
            // the old one to take the next event and drop it.
            Task<string>? read = null;
            while (true)
            {
                read ??= channel.Reader.ReadAsync(lifetime.Token).AsTask();
                var tick = bookmarks ? Task.Delay(BookmarkInterval, lifetime.Token) : Task.Delay(Timeout.Infinite, lifetime.Token);
                if (await Task.WhenAny(read, tick) == read)
                {
                    await context.Response.WriteAsync(await read + "\n");
                    read = null;
                }
                else
                {
                    await tick;
                    string rv;
                    lock (_lock)
                    {
                        rv = _rv.ToString(CultureInfo.InvariantCulture);
                    }

                    await context.Response.WriteAsync(Event("BOOKMARK", new JsonObject
                    {
                        ["kind"] = route.Descriptor.Kind,
                        ["apiVersion"] = route.Descriptor.ApiVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = rv, ["creationTimestamp"] = null },
                    }) + "\n");
                }

                await context.Response.Body.FlushAsync();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _watchers.RemoveAll(w => w.Channel == channel);
            }
        }
    }

    private void Publish(Route route, string type, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        _history.Add((_rv, route.Collection, type, copy));
        foreach (var w in _watchers.Where(w => w.Collection == route.Collection && InNamespace(copy, w.Namespace)))
        {
            w.Channel.Writer.TryWrite(Event(type, copy));
        }
    }

    private static string Event(string type, JsonObject obj) => new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();

    private static bool InNamespace(JsonObject obj, string? ns) => string.IsNullOrEmpty(ns) || (string?)obj["metadata"]?["namespace"] == ns;

    private static bool Matches(JsonObject obj, string selector)
    {
        // Equality terms only ("a=b,c=d"): enough for these tests; fluidd owns the real selector parser.
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split('=', 2);
            if ((string?)obj["metadata"]?["labels"]?[parts[0]] != parts[1])
            {
                return false;
            }
        }

        return true;
    }

    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = MergePatch(result[name]?.DeepClone(), value);
                result[name] = merged;
            }
        }

        return result;
    }

    private static (int, JsonObject) NotFound(Route route) =>
        (404, Status(404, "NotFound", $"{route.Descriptor.FullName} \"{route.Name}\" not found"));

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static async Task Reply(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static string Key(string collection, string? ns, string name) => $"{collection}|{ns}|{name}";

    private sealed record Route(ResourceDescriptor Descriptor, string? Namespace, string? Name, string? Subresource)
    {
        public string Collection => Descriptor.FullName;

        public string Key => FakeApiServer.Key(Collection, Descriptor.Namespaced ? Namespace : null, Name!);

        public static Route? Parse(string path)
        {
            var parts = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToList();
            string group, version;
            if (parts.Count >= 2 && parts[0] == "api")
            {
                (group, version) = ("", parts[1]);
                parts = parts[2..];
            }
            else if (parts.Count >= 3 && parts[0] == "apis")
            {
                (group, version) = (parts[1], parts[2]);
                parts = parts[3..];
            }
            else
            {
                return null;
            }

            string? ns = null;
            if (parts.Count >= 3 && parts[0] == "namespaces")
            {
                ns = parts[1];
                parts = parts[2..];
            }

            if (parts.Count == 0)
            {
                return null;
            }

            var descriptor = ResourceRegistry.Default.All.FirstOrDefault(d => d.Group == group && d.Version == version && d.Plural == parts[0]);
            return descriptor is null ? null : new Route(descriptor, ns, parts.Count > 1 ? parts[1] : null, parts.Count > 2 ? parts[2] : null);
        }
    }
}
