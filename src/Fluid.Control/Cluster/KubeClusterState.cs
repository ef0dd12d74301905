using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Control.Cluster;

/// <summary>
/// <see cref="IClusterState"/> over the Kubernetes API: rendered manifests are written by
/// server-side apply with the controller's field manager, manifests read and changed (they carry a
/// resourceVersion) by an optimistic replace, status through the status subresource with a retry on
/// conflicts, deletes in the background so owned objects are collected by the server.
/// </summary>
public sealed class KubeClusterState(KubeClient client, string fieldManager = KubeClusterState.FieldManager) : IClusterState
{
    /// <summary>The field manager of the controller's applies.</summary>
    public const string FieldManager = "fluid-controller";

    private const int StatusAttempts = 5;

    /// <summary>The client this state talks through.</summary>
    public KubeClient Client => client;

    /// <inheritdoc/>
    public Task<JsonObject?> GetAsync(ObjectKey key, CancellationToken ct = default) =>
        Resource(key).TryGetAsync(key.Name, key.Namespace, ct);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(
        string apiVersion, string kind, string? ns, IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default)
    {
        var resource = client.Resource(apiVersion, kind);
        var selector = labels is null || labels.Count == 0
            ? null
            : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        var items = new List<JsonObject>();
        await foreach (var item in resource.ListAllAsync(new ListOptions { LabelSelector = selector }, ns ?? KubeClient.AllNamespaces, ct).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    /// <inheritdoc/>
    public async Task ApplyAsync(JsonObject manifest, CancellationToken ct = default)
    {
        var key = ObjectKey.Of(manifest);
        var resource = Resource(key);
        var copy = (JsonObject)manifest.DeepClone();
        copy.Remove("status");
        if (copy["metadata"]?["resourceVersion"] is not null)
        {
            await resource.ReplaceAsync(copy, fieldManager, ct).ConfigureAwait(false);
            return;
        }

        // The controller owns what it renders; force takes back fields a person edited by hand.
        await resource.ApplyAsync(copy, fieldManager, force: true, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task UpdateStatusAsync(ObjectKey key, JsonObject status, CancellationToken ct = default)
    {
        var resource = Resource(key);
        for (var attempt = 1; ; attempt++)
        {
            var current = await resource.GetAsync(key.Name, key.Namespace, ct).ConfigureAwait(false);
            current["status"] = status.DeepClone();
            try
            {
                await resource.ReplaceStatusAsync(current, ct).ConfigureAwait(false);
                return;
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < StatusAttempts)
            {
                // The object changed between the read and the write (its spec or metadata); the status we
                // computed is still ours to write, so write it over the fresh object.
            }
        }
    }

    /// <inheritdoc/>
    public async Task UpdateStatusAsync(ObjectKey key, Func<JsonObject, JsonObject?> change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var resource = Resource(key);
        for (var attempt = 1; ; attempt++)
        {
            var current = await resource.GetAsync(key.Name, key.Namespace, ct).ConfigureAwait(false);
            if (change(current["status"]?.DeepClone() as JsonObject ?? []) is not { } status)
            {
                return;
            }

            current["status"] = status;
            try
            {
                // The read's resourceVersion makes this write fail if anything changed since; then it is computed again.
                await resource.ReplaceStatusAsync(current, ct).ConfigureAwait(false);
                return;
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < StatusAttempts)
            {
            }
        }
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(ObjectKey key, CancellationToken ct = default)
    {
        try
        {
            await Resource(key).DeleteAsync(key.Name, key.Namespace, new DeleteOptions { PropagationPolicy = PropagationPolicy.Background }, ct).ConfigureAwait(false);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    private ResourceClient<JsonObject> Resource(ObjectKey key) => client.Resource(key.ApiVersion, key.Kind);
}
