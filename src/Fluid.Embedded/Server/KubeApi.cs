using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Embedded.Storage;
using Fluid.Kube.Selectors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fluid.Embedded.Server;

/// <summary>Settings of the API handler.</summary>
public sealed class KubeApiOptions
{
    /// <summary>The bearer token every request must carry.</summary>
    public required string Token { get; init; }

    /// <summary>Largest request body accepted (the Kubernetes API's limit is 3 MiB).</summary>
    public long MaxBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>How often a watch that allows bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The node agent's pod directories, where pods/log reads container logs; null when no agent runs.</summary>
    public string? PodLogsDirectory { get; init; }
}

/// <summary>
/// The Kubernetes REST API over the <see cref="ObjectStore"/>: discovery, CRUD, patch, watch,
/// status and scale subresources, server-side Table printing. Every failure is a Status object.
/// </summary>
public sealed class KubeApi(ObjectStore store, ResourceCatalog catalog, KubeApiOptions options, ILogger logger)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.Token);
    private readonly PodLogs _logs = new(store, options.PodLogsDirectory);

    /// <summary>Handles one HTTP request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            if (!Authorized(context.Request))
            {
                throw new ApiException(401, "Unauthorized", "Unauthorized: a bearer token is required; use the kubeconfig fluidd wrote in its data directory");
            }

            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await WriteAsync(context, 500, KubeStatus.Failure(500, "InternalError", $"Internal error occurred: {e.Message}")).ConfigureAwait(false);
        }
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), _token);
    }

    private async Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var get = HttpMethods.IsGet(request.Method);
        switch (segments)
        {
            case [] when get:
                await WriteAsync(context, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version") }).ConfigureAwait(false);
                return;
            case ["healthz" or "livez" or "readyz", ..] when get:
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok").ConfigureAwait(false);
                return;
            case ["version"] when get:
                await WriteAsync(context, 200, Discovery.Version()).ConfigureAwait(false);
                return;
            case ["api"] when get:
                await WriteAsync(context, 200, Discovery.ApiVersions(request.Host.Value ?? "127.0.0.1")).ConfigureAwait(false);
                return;
            case ["apis"] when get:
                await WriteAsync(context, 200, Discovery.GroupList(catalog)).ConfigureAwait(false);
                return;
            case ["apis", var group] when get:
                await WriteAsync(context, 200, Discovery.GroupDocument(catalog, group) ?? throw NoSuchPath()).ConfigureAwait(false);
                return;
            case ["api", var version] when get:
                await WriteAsync(context, 200, Discovery.ResourceList(catalog, "", version) ?? throw NoSuchPath()).ConfigureAwait(false);
                return;
            case ["apis", var group, var version] when get:
                await WriteAsync(context, 200, Discovery.ResourceList(catalog, group, version) ?? throw NoSuchPath()).ConfigureAwait(false);
                return;
            case ["openapi", "v3"] when get:
                await WriteAsync(context, 200, OpenApi.V3Root(catalog)).ConfigureAwait(false);
                return;
            case ["openapi", "v3", "api", var version] when get:
                await WriteAsync(context, 200, OpenApi.V3(catalog, "", version) ?? throw NoSuchPath()).ConfigureAwait(false);
                return;
            case ["openapi", "v3", "apis", var group, var version] when get:
                await WriteAsync(context, 200, OpenApi.V3(catalog, group, version) ?? throw NoSuchPath()).ConfigureAwait(false);
                return;
            case ["openapi", "v2"] when get:
                if (request.Headers.Accept.ToString().Contains(OpenApi.ProtobufV2, StringComparison.Ordinal))
                {
                    // Served as octet-stream, as kube-apiserver does: kubectl 1.20 cannot parse the '@' of the media type it asked for.
                    var document = OpenApi.V2Protobuf();
                    context.Response.ContentType = "application/octet-stream";
                    context.Response.ContentLength = document.Length;
                    await context.Response.Body.WriteAsync(document).ConfigureAwait(false);
                    return;
                }

                await WriteAsync(context, 200, OpenApi.V2()).ConfigureAwait(false);
                return;
            case ["api", var version, .. var rest] when rest.Length > 0:
                await ResourceAsync(context, "", version, rest).ConfigureAwait(false);
                return;
            case ["apis", var group, var version, .. var rest] when rest.Length > 0:
                await ResourceAsync(context, group, version, rest).ConfigureAwait(false);
                return;
            default:
                throw NoSuchPath();
        }
    }

    private static ApiException NoSuchPath() => new(404, "NotFound", "the server could not find the requested resource");

    private async Task ResourceAsync(HttpContext context, string group, string version, string[] rest)
    {
        var watchPath = rest[0] == "watch";
        if (watchPath)
        {
            rest = rest[1..];
        }

        string ns = "";
        if (rest.Length >= 3 && rest[0] == "namespaces" && rest[2] is not ("status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            throw NoSuchPath();
        }

        var type = catalog.Find(group, version, rest[0]) ?? throw NoSuchPath();
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        if (subresource == "log" && type.GroupResource == "pods" && ns.Length > 0 && !watchPath)
        {
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource: pods/log is read with GET");
            }

            await _logs.ServeAsync(context, ns, name!).ConfigureAwait(false);
            return;
        }

        if ((ns.Length > 0 && !type.Namespaced) || (subresource is not null && !(subresource == "status" && type.HasStatus) && !(subresource == "scale" && type.Scale is not null)))
        {
            throw NoSuchPath();
        }

        if (type.Namespaced && ns.Length == 0 && name is not null)
        {
            throw NoSuchPath();
        }

        var request = context.Request;
        var method = request.Method;
        var watch = watchPath || Flag(request, "watch");
        var scope = type.Namespaced && ns.Length > 0 ? ns : type.Namespaced ? null : "";
        if (HttpMethods.IsGet(method))
        {
            if (watch)
            {
                await WatchAsync(context, type, scope, name).ConfigureAwait(false);
            }
            else if (name is null)
            {
                await ListAsync(context, type, scope).ConfigureAwait(false);
            }
            else
            {
                var obj = store.Get(type.GroupResource, ns, name) ?? throw ApiException.NotFound(type.GroupResource, name);
                await WriteObjectAsync(context, type, 200, subresource == "scale" ? ToScale(type, obj) : obj).ConfigureAwait(false);
            }

            return;
        }

        if (watch)
        {
            throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource: watch is only for GET");
        }

        if (!string.IsNullOrEmpty(request.Query["dryRun"]))
        {
            // Refused rather than ignored: ignoring it would make a dry run write for real.
            throw ApiException.BadRequest("dryRun is not supported by fluidd; run the request without --dry-run=server (kubectl --dry-run=client works)");
        }

        var warnings = new List<string>();
        var validation = ParseFieldValidation(request);
        if (HttpMethods.IsPost(method) && name is null && ns.Length == (type.Namespaced ? ns.Length : 0))
        {
            if (type.Namespaced && ns.Length == 0)
            {
                throw NoSuchPath();
            }

            var body = await ReadObjectAsync(request).ConfigureAwait(false);
            var created = Create(type, ns, body, validation, warnings);
            AddWarnings(context, warnings);
            await WriteObjectAsync(context, type, 201, created).ConfigureAwait(false);
            return;
        }

        if (name is null)
        {
            if (HttpMethods.IsDelete(method))
            {
                await DeleteCollectionAsync(context, type, scope).ConfigureAwait(false);
                return;
            }

            throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource: {method} needs an object name in the path");
        }

        if (HttpMethods.IsPut(method))
        {
            var body = await ReadObjectAsync(request).ConfigureAwait(false);
            var updated = subresource switch
            {
                "status" => store.Update(type.GroupResource, ns, name, current => WithStatus(current, body)),
                "scale" => ScaleTo(type, ns, name, _ => body),
                _ => Replace(type, ns, name, body, validation, warnings),
            };
            AddWarnings(context, warnings);
            await WriteObjectAsync(context, type, 200, subresource == "scale" ? ToScale(type, updated) : updated).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsPatch(method))
        {
            var (patched, created) = await PatchAsync(context, type, ns, name, subresource, validation, warnings).ConfigureAwait(false);
            AddWarnings(context, warnings);
            await WriteObjectAsync(context, type, created ? 201 : 200, subresource == "scale" ? ToScale(type, patched) : patched).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsDelete(method) && subresource is null)
        {
            var body = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 ? await ReadBodyAsync(request).ConfigureAwait(false) : [];
            var deleteOptions = body.Length > 0 ? ParseJson(body) as JsonObject : null;
            var policy = ObjectFields.Text(deleteOptions, "propagationPolicy") ?? request.Query["propagationPolicy"].ToString();
            if (deleteOptions?["orphanDependents"] is JsonValue orphan && orphan.GetValueKind() == JsonValueKind.True)
            {
                policy = "Orphan";
            }

            var propagation = policy switch
            {
                "" or "Background" => Propagation.Background,
                "Foreground" => Propagation.Foreground,
                "Orphan" => Propagation.Orphan,
                _ => throw ApiException.BadRequest($"propagationPolicy \"{policy}\" is not valid; use Background, Foreground or Orphan"),
            };
            var preconditions = deleteOptions?["preconditions"] as JsonObject;
            var result = store.Delete(type.GroupResource, ns, name, propagation, ObjectFields.Text(preconditions, "uid"), ObjectFields.Text(preconditions, "resourceVersion"));
            await WriteObjectAsync(context, type, result.Removed ? 200 : 202, result.Object).ConfigureAwait(false);
            return;
        }

        throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource: {method} {request.Path}");
    }

    private JsonObject Create(ResourceType type, string ns, JsonObject body, FieldValidation validation, List<string> warnings)
    {
        CheckKind(type, body);
        var metadata = ObjectFields.Metadata(body);
        if (ObjectFields.Text(metadata, "namespace") is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
        {
            throw ApiException.BadRequest($"the namespace of the provided object ({bodyNamespace}) does not match the namespace sent on the request ({ns})");
        }

        if (ns.Length > 0)
        {
            metadata["namespace"] = ns;
            var space = store.Get(ObjectStore.NamespacesResource, "", ns) ?? throw ApiException.NotFound(ObjectStore.NamespacesResource, ns);
            if (ObjectFields.Metadata(space)["deletionTimestamp"] is not null)
            {
                throw new ApiException(403, "Forbidden", $"{type.GroupResource} \"{ObjectFields.Name(body)}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        if (type.HasStatus && type.Kind != "Namespace")
        {
            // As for CRDs with a status subresource: status is written through /status only.
            body.Remove("status");
        }

        if (type.Kind == "Namespace")
        {
            body["status"] = new JsonObject { ["phase"] = "Active" };
        }

        foreach (var field in (string[])["resourceVersion", "uid", "generation", "creationTimestamp", "deletionTimestamp"])
        {
            metadata.Remove(field);
        }

        var admitted = Admission.Admit(type, body, validation, warnings);
        return store.Create(type.GroupResource, ns, admitted);
    }

    private JsonObject Replace(ResourceType type, string ns, string name, JsonObject body, FieldValidation validation, List<string> warnings)
    {
        CheckKind(type, body);
        var bodyName = ObjectFields.Name(body);
        if (bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        return store.Update(type.GroupResource, ns, name, current => Prepare(type, current, body, validation, warnings));
    }

    private static JsonObject Prepare(ResourceType type, JsonObject current, JsonObject next, FieldValidation validation, List<string> warnings)
    {
        var metadata = ObjectFields.Metadata(next);
        metadata["name"] = ObjectFields.Name(current);
        if (ObjectFields.Namespace(current) is { } ns)
        {
            metadata["namespace"] = ns;
        }

        if (type.HasStatus)
        {
            if (current["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
            else
            {
                next.Remove("status");
            }
        }

        var rv = ObjectFields.Text(metadata, "resourceVersion");
        var admitted = Admission.Admit(type, next, validation, warnings);
        if (rv is not null)
        {
            ObjectFields.Metadata(admitted)["resourceVersion"] = rv;
        }

        return admitted;
    }

    private static JsonObject WithStatus(JsonObject current, JsonObject body)
    {
        if (ObjectFields.ResourceVersion(body) is { Length: > 0 } rv)
        {
            ObjectFields.Metadata(current)["resourceVersion"] = rv;
        }

        if (body["status"] is { } status)
        {
            current["status"] = status.DeepClone();
        }
        else
        {
            current.Remove("status");
        }

        return current;
    }

    private async Task<(JsonObject Object, bool Created)> PatchAsync(HttpContext context, ResourceType type, string ns, string name, string? subresource, FieldValidation validation, List<string> warnings)
    {
        var request = context.Request;
        var contentType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var body = await ReadBodyAsync(request).ConfigureAwait(false);
        Func<JsonNode, JsonNode?> apply;
        switch (contentType)
        {
            case "application/merge-patch+json":
                var merge = ParseJson(body);
                apply = target => Patches.Merge(target, merge);
                break;
            case "application/strategic-merge-patch+json":
                var strategic = ParseJson(body);
                apply = target => Patches.Strategic(target, strategic);
                break;
            case "application/json-patch+json":
                var operations = ParseJson(body);
                apply = target => Patches.Json(target, operations);
                break;
            case "application/apply-patch+yaml" or "application/apply-patch+cbor":
                if (string.IsNullOrEmpty(request.Query["fieldManager"]))
                {
                    throw ApiException.BadRequest("PATCH /apply requires fieldManager to be set, e.g. ?fieldManager=kubectl");
                }

                var applied = ParseYaml(body);
                if (store.Get(type.GroupResource, ns, name) is null && subresource is null)
                {
                    if (ObjectFields.Name(applied) is { } appliedName && appliedName != name)
                    {
                        throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
                    }

                    ObjectFields.Metadata(applied)["name"] = name;
                    try
                    {
                        return (Create(type, ns, applied, validation, warnings), true);
                    }
                    catch (ApiException e) when (e.Reason == "AlreadyExists")
                    {
                        // Created meanwhile: apply to it below.
                    }
                }

                apply = target => ApplyMerge(target, applied);
                break;
            default:
                throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \"{contentType}\")");
        }

        if (subresource == "scale")
        {
            return (ScaleTo(type, ns, name, scale => apply(scale) as JsonObject ?? throw ApiException.BadRequest("the patched Scale is not an object")), false);
        }

        var result = store.Update(type.GroupResource, ns, name, current =>
        {
            var patched = apply(current.DeepClone()) as JsonObject ?? throw ApiException.BadRequest("the patch does not leave an object");
            if (subresource == "status")
            {
                return WithStatus(current, patched);
            }

            return Prepare(type, current, patched, validation, warnings);
        });
        return (result, false);
    }

    private static JsonNode? ApplyMerge(JsonNode? target, JsonNode? applied)
    {
        // Server-side apply, simplified: the applied configuration is merged in (objects merge,
        // lists and scalars replace); fields are not tracked per manager, so nothing is removed.
        if (applied is not JsonObject appliedObject)
        {
            return applied?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in appliedObject)
        {
            if (value is not null)
            {
                result[key] = ApplyMerge(result[key]?.DeepClone(), value);
            }
        }

        return result;
    }

    private JsonObject ScaleTo(ResourceType type, string ns, string name, Func<JsonObject, JsonObject> change)
    {
        var scaleSpec = type.Scale!;
        return store.Update(type.GroupResource, ns, name, current =>
        {
            var scale = change(ToScale(type, current));
            if (ObjectFields.ResourceVersion(scale) is { Length: > 0 } rv)
            {
                ObjectFields.Metadata(current)["resourceVersion"] = rv;
            }

            var replicas = scale["spec"]?["replicas"];
            if (replicas is not JsonValue v || !v.TryGetValue<long>(out var count) || count < 0)
            {
                throw new ApiException(422, "Invalid", $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: must be a whole number 0 or more", new JsonObject
                {
                    ["name"] = name,
                    ["group"] = "autoscaling",
                    ["kind"] = "Scale",
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = "must be a whole number 0 or more", ["field"] = "spec.replicas" }),
                });
            }

            SetPath(current, scaleSpec.SpecReplicasPath, JsonValue.Create(count));
            return current;
        });
    }

    private static JsonObject ToScale(ResourceType type, JsonObject obj)
    {
        var scaleSpec = type.Scale!;
        var metadata = ObjectFields.Metadata(obj);
        var selector = scaleSpec.SelectorFromSpec
            ? TableWriter.SelectorText(obj["spec"]?["selector"])
            : scaleSpec.LabelSelectorPath is { } path ? SimpleJsonPath.Value(obj, path)?.ToString() ?? "" : "";
        var status = new JsonObject { ["replicas"] = SimpleJsonPath.Value(obj, scaleSpec.StatusReplicasPath)?.GetValue<JsonElement>().TryGetInt64(out var r) == true ? r : 0 };
        if (selector.Length > 0)
        {
            status["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = SimpleJsonPath.Value(obj, scaleSpec.SpecReplicasPath)?.DeepClone() ?? 0 },
            ["status"] = status,
        };
    }

    private static void SetPath(JsonObject obj, string path, JsonNode value)
    {
        var parts = path.TrimStart('.').Split('.');
        var node = obj;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = [];
                node[part] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }

    private async Task ListAsync(HttpContext context, ResourceType type, string? scope)
    {
        var request = context.Request;
        var filter = Filter(request, null);
        var limit = 0;
        if (!string.IsNullOrEmpty(request.Query["limit"]) && (!int.TryParse(request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            throw ApiException.BadRequest($"limit \"{request.Query["limit"]}\" is not a whole number");
        }

        var continueToken = request.Query["continue"].ToString();
        var page = store.List(type.GroupResource, scope, filter, limit, continueToken.Length > 0 ? continueToken : null);
        var revision = page.Revision.ToString(CultureInfo.InvariantCulture);
        if (TableWriter.Wanted(request.Headers.Accept))
        {
            await WriteAsync(context, 200, TableWriter.Table(type, page.Items, request.Query["includeObject"], revision, page.Continue)).ConfigureAwait(false);
            return;
        }

        var metadata = new JsonObject { ["resourceVersion"] = revision };
        if (page.Continue is not null)
        {
            metadata["continue"] = page.Continue;
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = type.Kind + "List",
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page.Items]),
        }).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? scope)
    {
        var page = store.List(type.GroupResource, scope, Filter(context.Request, null));
        foreach (var obj in page.Items)
        {
            try
            {
                store.Delete(type.GroupResource, ObjectFields.Namespace(obj) ?? "", ObjectFields.Name(obj)!);
            }
            catch (ApiException e) when (e.Code == 404)
            {
            }
        }

        await WriteAsync(context, 200, KubeStatus.Success()).ConfigureAwait(false);
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? scope, string? name)
    {
        var request = context.Request;
        var filter = Filter(request, name);
        var rvText = request.Query["resourceVersion"].ToString();
        long? from = null;
        if (rvText.Length > 0)
        {
            if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            {
                throw ApiException.BadRequest($"resourceVersion \"{rvText}\" is not valid; pass a resourceVersion the server returned");
            }

            from = rv;
        }

        var timeout = TimeSpan.FromMinutes(30);
        if (request.Query["timeoutSeconds"].ToString() is { Length: > 0 } seconds)
        {
            timeout = int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? TimeSpan.FromSeconds(s) : throw ApiException.BadRequest($"timeoutSeconds \"{seconds}\" is not a whole number");
        }

        var bookmarks = Flag(request, "allowWatchBookmarks");
        var table = TableWriter.Wanted(request.Headers.Accept);
        var includeObject = request.Query["includeObject"].ToString();
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        WatchSubscription subscription;
        try
        {
            subscription = store.Watch(type.GroupResource, scope, from);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            // As kube-apiserver does: the watch opens, then says why it ends.
            await WriteEventAsync(response, "ERROR", e.ToStatus(), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var _ = subscription;
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        stop.CancelAfter(timeout);
        var lastRevision = subscription.StartRevision;
        try
        {
            foreach (var change in subscription.Initial)
            {
                await SendAsync(change).ConfigureAwait(false);
            }

            await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            var reader = subscription.Events;
            while (!stop.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                if (bookmarks)
                {
                    wait.CancelAfter(options.BookmarkInterval);
                }

                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    // Every event up to the store's revision that concerns this watch has been sent.
                    var revision = store.Revision;
                    if (reader.Count == 0)
                    {
                        lastRevision = Math.Max(lastRevision, revision);
                        var bookmark = new JsonObject
                        {
                            ["kind"] = type.Kind,
                            ["apiVersion"] = type.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = lastRevision.ToString(CultureInfo.InvariantCulture) },
                        };
                        await WriteEventAsync(response, "BOOKMARK", bookmark, stop.Token).ConfigureAwait(false);
                    }

                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (reader.TryRead(out var change))
                {
                    await SendAsync(change).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        async Task SendAsync(StoredEvent change)
        {
            lastRevision = Math.Max(lastRevision, change.Revision);
            var matches = filter(change.Object);
            var eventType = change.Type;
            if (change.Previous is { } previous && filter(previous) != matches)
            {
                // As kube-apiserver does for a selector: an object that starts matching is ADDED, one that stops is DELETED.
                eventType = matches ? "ADDED" : "DELETED";
            }
            else if (!matches)
            {
                return;
            }

            var obj = table ? TableWriter.Table(type, [change.Object], includeObject) : change.Object;
            await WriteEventAsync(response, eventType, obj, stop.Token, flush: false).ConfigureAwait(false);
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, JsonObject obj, CancellationToken cancellation, bool flush = true)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, cancellation).ConfigureAwait(false);
        await response.Body.WriteAsync("\n"u8.ToArray(), cancellation).ConfigureAwait(false);
        if (flush)
        {
            await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
        }
    }

    private static Func<JsonObject, bool> Filter(HttpRequest request, string? name)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(request.Query["labelSelector"]);
            fields = FieldSelector.Parse(request.Query["fieldSelector"]);
        }
        catch (SelectorSyntaxException e)
        {
            throw ApiException.BadRequest(e.Message);
        }

        if (labels.IsEmpty && fields.IsEmpty && name is null)
        {
            return _ => true;
        }

        return obj => (name is null || ObjectFields.Name(obj) == name)
            && labels.Matches(ObjectFields.Labels(obj))
            && fields.Matches(path => ObjectFields.FieldText(obj, path));
    }

    private static void CheckKind(ResourceType type, JsonObject body)
    {
        var apiVersion = ObjectFields.Text(body, "apiVersion");
        var kind = ObjectFields.Text(body, "kind");
        if (apiVersion is not null && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        if (kind is not null && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind}) of {type.GroupResource}");
        }

        body["apiVersion"] = type.ApiVersion;
        body["kind"] = type.Kind;
        if (body["metadata"] is not null and not JsonObject)
        {
            throw ApiException.BadRequest("metadata must be an object");
        }
    }

    private static FieldValidation ParseFieldValidation(HttpRequest request) => request.Query["fieldValidation"].ToString() switch
    {
        "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        var other => throw ApiException.BadRequest($"fieldValidation \"{other}\" is not valid; use Ignore, Warn or Strict"),
    };

    private static bool Flag(HttpRequest request, string name) => request.Query[name].ToString() is "true" or "1";

    private static void AddWarnings(HttpContext context, List<string> warnings)
    {
        foreach (var warning in warnings.Distinct().Take(20))
        {
            // Header values must be printable ASCII.
            var text = new string([.. warning.Select(c => c switch
            {
                '"' => '\'',
                '\u2014' or '\u2013' => '-',
                >= ' ' and <= '~' => c,
                _ => '?',
            })]);
            context.Response.Headers.Append("Warning", $"299 - \"{text}\"");
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        var limit = options.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ApiException TooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    private async Task<JsonObject> ReadObjectAsync(HttpRequest request)
    {
        var contentType = (request.ContentType ?? "application/json").Split(';')[0].Trim();
        if (contentType is not ("application/json" or "application/yaml" or "application/apply-patch+yaml" or "*/*" or ""))
        {
            // Protobuf and CBOR are not spoken here; clients fall back to JSON on 415.
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got \"{contentType}\")");
        }

        var body = await ReadBodyAsync(request).ConfigureAwait(false);
        var node = contentType is "application/yaml" or "application/apply-patch+yaml" ? ParseYaml(body) : ParseJson(body);
        return node as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object with apiVersion, kind and metadata");
    }

    private static JsonNode ParseJson(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 100 }) ?? throw ApiException.BadRequest("the request body is empty; send a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static JsonObject ParseYaml(byte[] body)
    {
        try
        {
            var documents = YamlDocuments.Parse(Encoding.UTF8.GetString(body));
            return documents.Count == 1 && documents[0].Content is JsonObject obj
                ? obj
                : throw ApiException.BadRequest("the request body must be one YAML or JSON object");
        }
        catch (YamlSyntaxException e)
        {
            throw ApiException.BadRequest($"the request body is not valid YAML: line {e.Line}: {e.Message}");
        }
    }

    private static Task WriteObjectAsync(HttpContext context, ResourceType type, int code, JsonObject obj)
    {
        if (TableWriter.Wanted(context.Request.Headers.Accept) && obj["kind"]?.ToString() == type.Kind)
        {
            return WriteAsync(context, code, TableWriter.Table(type, [obj], context.Request.Query["includeObject"]));
        }

        return WriteAsync(context, code, obj);
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        var response = context.Response;
        response.StatusCode = code;
        response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body.WriteTo(writer);
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
