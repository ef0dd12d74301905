using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Fluid.Kube.Watch;

namespace Fluid.Kube;

/// <summary>
/// CRUD, patch, subresources and watch for one kind. <typeparamref name="T"/> is a Fluid.Api class (Dataset,
/// DataLoad, ...) or <see cref="JsonObject"/> for kinds the project does not model (Pod, StatefulSet, ...).
/// A null namespace means the client's default namespace; <see cref="KubeClient.AllNamespaces"/> lists and
/// watches every namespace.
/// </summary>
public sealed class ResourceClient<T>
    where T : class
{
    private const string Json = "application/json";
    private readonly KubeClient _client;

    internal ResourceClient(KubeClient client, ResourceDescriptor descriptor)
    {
        _client = client;
        Descriptor = descriptor;
    }

    /// <summary>The kind this client addresses.</summary>
    public ResourceDescriptor Descriptor { get; }

    /// <summary>Reads one object; throws <see cref="KubeApiException"/> (NotFound) when it does not exist.</summary>
    public Task<T> GetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Get, ObjectPath(name, @namespace), null, null, cancellationToken);

    /// <summary>Reads one object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(name, @namespace, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Reads one page; pass its metadata.continue as <see cref="ListOptions.Continue"/> for the next.</summary>
    public Task<ResourceList<T>> ListAsync(ListOptions? options = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        SendAsync<ResourceList<T>>(HttpMethod.Get, CollectionPath(@namespace) + (options ?? new ListOptions()).Query(), null, null, cancellationToken);

    /// <summary>Every object, fetched page by page (<see cref="ListOptions.Limit"/> items at a time).</summary>
    public async IAsyncEnumerable<T> ListAllAsync(
        ListOptions? options = null, string? @namespace = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions { Limit = 500 };
        string? next = options.Continue;
        do
        {
            var page = await ListAsync(
                new ListOptions
                {
                    LabelSelector = options.LabelSelector,
                    FieldSelector = options.FieldSelector,
                    Limit = options.Limit,
                    Continue = next,
                    ResourceVersion = next is null ? options.ResourceVersion : null,
                },
                @namespace,
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            next = string.IsNullOrEmpty(page.Metadata.Continue) ? null : page.Metadata.Continue;
        }
        while (next is not null);
    }

    /// <summary>One object as the server prints it for `kubectl get` (a one-row <see cref="Table"/>).</summary>
    public Task<Table> GetTableAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default) =>
        SendAsync<Table>(HttpMethod.Get, ObjectPath(name, @namespace), null, null, cancellationToken, accept: Table.AcceptHeader);

    /// <summary>One page of the collection as the server prints it for `kubectl get`.</summary>
    public Task<Table> ListTableAsync(ListOptions? options = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        SendAsync<Table>(HttpMethod.Get, CollectionPath(@namespace) + (options ?? new ListOptions()).Query(), null, null, cancellationToken, accept: Table.AcceptHeader);

    /// <summary>
    /// Watches the collection with every ADDED, MODIFIED and DELETED object printed as a one-row
    /// <see cref="Table"/> (what `kubectl get -w` shows); otherwise as <see cref="WatchAsync"/>.
    /// </summary>
    public IAsyncEnumerable<WatchEvent<Table>> WatchTableAsync(
        WatchOptions? options = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        StreamEventsAsync<Table>(CollectionPath(@namespace) + (options ?? new WatchOptions()).Query(), Table.AcceptHeader, cancellationToken);

    /// <summary>Creates the object in its metadata.namespace (or the given or default namespace); AlreadyExists when the name is taken.</summary>
    public Task<T> CreateAsync(T obj, string? @namespace = null, string? fieldManager = null, CancellationToken cancellationToken = default)
    {
        var ns = NamespaceOf(obj, @namespace);
        // POST is retried only when the server cannot have acted on it (refused connection, 429).
        return SendAsync<T>(
            HttpMethod.Post, Descriptor.Path(ns) + new QueryBuilder().Add("fieldManager", fieldManager), Serialize(obj), Json, cancellationToken, idempotent: false);
    }

    /// <summary>Replaces the object (PUT); with metadata.resourceVersion set, a concurrent change fails with Conflict.</summary>
    public Task<T> ReplaceAsync(T obj, string? fieldManager = null, CancellationToken cancellationToken = default) =>
        SendAsync<T>(
            HttpMethod.Put, ObjectPath(RequireName(obj), NamespaceOf(obj, null)) + new QueryBuilder().Add("fieldManager", fieldManager),
            Serialize(obj), Json, cancellationToken);

    /// <summary>
    /// Deletes the object. Returns its last state when the server still keeps it (finalizers, foreground
    /// deletion), or null when it is gone; NotFound when it did not exist.
    /// </summary>
    public async Task<T?> DeleteAsync(string name, string? @namespace = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<JsonObject>(
            HttpMethod.Delete, ObjectPath(name, @namespace), options?.Body(), Json, cancellationToken).ConfigureAwait(false);
        return body["kind"]?.GetValue<string>() == "Status" ? null : Convert<T>(body);
    }

    /// <summary>Patches the object; <paramref name="patch"/> is JSON in the format <paramref name="type"/> names.</summary>
    public Task<T> PatchAsync(
        string name, PatchType type, string patch, string? @namespace = null, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        PatchAsync(name, null, type, patch, @namespace, options, cancellationToken);

    /// <summary>A JSON merge patch of the object from a JSON tree.</summary>
    public Task<T> MergePatchAsync(string name, JsonNode patch, string? @namespace = null, CancellationToken cancellationToken = default) =>
        PatchAsync(name, null, PatchType.Merge, patch.ToJsonString(), @namespace, null, cancellationToken);

    /// <summary>
    /// Server-side apply: the server merges the fields of <paramref name="obj"/> and records
    /// <paramref name="fieldManager"/> as their owner; <paramref name="force"/> takes fields other managers own.
    /// </summary>
    public Task<T> ApplyAsync(T obj, string fieldManager, bool force = false, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(fieldManager))
        {
            throw new ArgumentException("server-side apply needs a field manager (e.g. \"fluid-controller\")", nameof(fieldManager));
        }

        return PatchAsync(
            RequireName(obj), null, PatchType.Apply, Serialize(obj), NamespaceOf(obj, null),
            new PatchOptions { FieldManager = fieldManager, Force = force }, cancellationToken);
    }

    /// <summary>
    /// Read-modify-write with optimistic concurrency: reads the object, lets <paramref name="mutate"/> change it
    /// (returning false to leave it), writes it back with its resourceVersion, and on a Conflict starts over
    /// from a fresh read (up to <paramref name="attempts"/> times). With <paramref name="status"/> the write
    /// goes to /status. Returns the object as stored.
    /// </summary>
    public async Task<T> UpdateAsync(
        string name, Func<T, bool> mutate, string? @namespace = null, bool status = false, int attempts = 5, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(name, @namespace, cancellationToken).ConfigureAwait(false);
            if (!mutate(current))
            {
                return current;
            }

            try
            {
                return status
                    ? await ReplaceStatusAsync(current, cancellationToken).ConfigureAwait(false)
                    : await ReplaceAsync(current, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < attempts)
            {
                // Someone wrote in between: apply the change again to what they wrote.
            }
        }
    }

    /// <summary>Reads the object through /status.</summary>
    public Task<T> GetStatusAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Get, SubPath(name, @namespace, "status", Descriptor.HasStatus), null, null, cancellationToken);

    /// <summary>Writes the object's status (PUT /status); the spec is ignored by the server.</summary>
    public Task<T> ReplaceStatusAsync(T obj, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Put, SubPath(RequireName(obj), NamespaceOf(obj, null), "status", Descriptor.HasStatus), Serialize(obj), Json, cancellationToken);

    /// <summary>Patches the status (PATCH /status).</summary>
    public Task<T> PatchStatusAsync(
        string name, PatchType type, string patch, string? @namespace = null, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        PatchAsync(name, "status", type, patch, @namespace, options, cancellationToken);

    /// <summary>Reads the replicas through /scale.</summary>
    public Task<Scale> GetScaleAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default) =>
        SendAsync<Scale>(HttpMethod.Get, SubPath(name, @namespace, "scale", Descriptor.HasScale), null, null, cancellationToken);

    /// <summary>Sets the replicas through /scale.</summary>
    public Task<Scale> ReplaceScaleAsync(string name, Scale scale, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        if (scale.Spec.Replicas < 0)
        {
            throw new ArgumentException($"replicas {scale.Spec.Replicas} must not be negative", nameof(scale));
        }

        scale.Metadata.Name ??= name;
        return SendAsync<Scale>(HttpMethod.Put, SubPath(name, @namespace, "scale", Descriptor.HasScale), Serialize(scale), Json, cancellationToken);
    }

    /// <summary>
    /// Watches the collection from <see cref="WatchOptions.ResourceVersion"/> until the server ends the stream or
    /// the token is cancelled. ERROR events are yielded (the caller decides: 410 means list again).
    /// </summary>
    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(
        WatchOptions? options = null, string? @namespace = null, CancellationToken cancellationToken = default) =>
        StreamEventsAsync<T>(CollectionPath(@namespace) + (options ?? new WatchOptions()).Query(), Json, cancellationToken);

    private async IAsyncEnumerable<WatchEvent<TItem>> StreamEventsAsync<TItem>(
        string path, string accept, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TItem : class
    {
        using var response = await _client.Transport.SendAsync(
            () => Request(HttpMethod.Get, path, null, null, accept), idempotent: true, streaming: true, cancellationToken).ConfigureAwait(false);
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // The server or the network ended the stream mid-way; the caller resumes from the last version.
                yield break;
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length == 0)
            {
                continue;
            }

            yield return ParseEvent<TItem>(line);
        }
    }

    internal static WatchEvent<T> ParseEvent(string line) => ParseEvent<T>(line);

    private static WatchEvent<TItem> ParseEvent<TItem>(string line)
        where TItem : class
    {
        JsonObject body;
        try
        {
            body = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the watch stream sent a line that is not a JSON event: {Truncate(line)}", e);
        }

        var typeText = body["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        var type = typeText switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => WatchEventType.Error,
            _ => throw new InvalidDataException($"the watch stream sent an event of unknown type \"{typeText}\": {Truncate(line)}"),
        };
        if (body["object"] is not JsonObject obj)
        {
            throw new InvalidDataException($"the watch stream sent a {typeText} event without an object");
        }

        return type == WatchEventType.Error
            ? new WatchEvent<TItem>(type, null, obj.Deserialize<KubeStatus>(FluidJson.Options))
            : new WatchEvent<TItem>(type, Convert<TItem>(obj), null);
    }

    private Task<T> PatchAsync(
        string name, string? subresource, PatchType type, string patch, string? @namespace, PatchOptions? options, CancellationToken cancellationToken)
    {
        if (type == PatchType.Apply && string.IsNullOrWhiteSpace(options?.FieldManager))
        {
            throw new ArgumentException("server-side apply needs PatchOptions.FieldManager", nameof(options));
        }

        var path = (subresource is null ? ObjectPath(name, @namespace) : SubPath(name, @namespace, subresource, Descriptor.HasStatus))
            + new QueryBuilder().Add("fieldManager", options?.FieldManager).Add("force", options?.Force == true ? "true" : null);
        // A merge or JSON patch may append or increment, so only server-side apply (declarative) is retried.
        return SendAsync<T>(HttpMethod.Patch, path, patch, PatchOptions.ContentType(type), cancellationToken, idempotent: type == PatchType.Apply);
    }

    private async Task<TResult> SendAsync<TResult>(
        HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken, bool idempotent = true, string accept = Json)
        where TResult : class
    {
        using var response = await _client.Transport.SendAsync(
            () => Request(method, path, body, contentType, accept), idempotent, streaming: false, cancellationToken).ConfigureAwait(false);
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync<TResult>(stream, FluidJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{method} {path}: the server's answer is not a {typeof(TResult).Name}: {e.Message}", e);
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body, string? contentType, string accept = Json)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? Json);
        }

        return request;
    }

    private string ObjectPath(string name, string? @namespace) => Descriptor.Path(ResolveNamespace(@namespace, name), name);

    private string SubPath(string name, string? @namespace, string subresource, bool served) =>
        served
            ? Descriptor.Path(ResolveNamespace(@namespace, name), name, subresource)
            : throw new NotSupportedException($"{Descriptor.Kind} has no {subresource} subresource");

    private string CollectionPath(string? @namespace) =>
        Descriptor.Path(Descriptor.Namespaced ? @namespace ?? _client.DefaultNamespace : @namespace);

    private string? ResolveNamespace(string? @namespace, string name)
    {
        if (!Descriptor.Namespaced)
        {
            return @namespace;
        }

        var ns = @namespace ?? _client.DefaultNamespace;
        return ns.Length == 0 ? throw new ArgumentException($"{Descriptor.Kind} \"{name}\" needs a namespace, not all namespaces", nameof(@namespace)) : ns;
    }

    private string? NamespaceOf(T obj, string? @namespace)
    {
        if (!Descriptor.Namespaced)
        {
            return null;
        }

        var own = ObjectAccess.Namespace(obj);
        if (!string.IsNullOrEmpty(own) && !string.IsNullOrEmpty(@namespace) && own != @namespace)
        {
            throw new ArgumentException($"{Descriptor.Kind} \"{ObjectAccess.Name(obj)}\" is in namespace \"{own}\", not \"{@namespace}\"", nameof(@namespace));
        }

        var ns = !string.IsNullOrEmpty(own) ? own : @namespace ?? _client.DefaultNamespace;
        ObjectAccess.SetNamespace(obj, ns);
        return ns;
    }

    private string RequireName(T obj) =>
        ObjectAccess.Name(obj) is { Length: > 0 } name ? name : throw new ArgumentException($"the {Descriptor.Kind} has no metadata.name", nameof(obj));

    private string Serialize(object obj) => JsonSerializer.Serialize(obj, obj.GetType(), FluidJson.Options);

    private static TResult Convert<TResult>(JsonObject body) =>
        typeof(TResult) == typeof(JsonObject) ? (TResult)(object)body : FluidJson.FromNode<TResult>(body);

    private static string Truncate(string line) => line.Length > 200 ? line[..200] + "..." : line;
}
