using System.Text.Json.Nodes;

namespace Fluid.Control.Cluster;

/// <summary>
/// What an engine may see and change in the cluster: objects as JSON manifests, addressed by
/// apiVersion, kind, namespace and name. A reconciler backs it with the Kubernetes client; engines
/// never do other I/O, so the same engine runs against a real cluster, fluidd, or a test double.
/// </summary>
public interface IClusterState
{
    /// <summary>The object, or null when it does not exist.</summary>
    Task<JsonObject?> GetAsync(ObjectKey key, CancellationToken ct = default);

    /// <summary>Objects of a kind in a namespace (all namespaces or cluster-scoped when null) whose labels include every pair of <paramref name="labels"/>.</summary>
    Task<IReadOnlyList<JsonObject>> ListAsync(string apiVersion, string kind, string? ns, IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default);

    /// <summary>
    /// Creates the object or replaces its metadata and spec; its status is left as observed. Over the
    /// Kubernetes API this is server-side apply with the controller's field manager (rendered
    /// manifests carry no resourceVersion); a manifest read with Get and changed keeps its
    /// resourceVersion, so that write is an optimistic update that fails on a conflict.
    /// </summary>
    Task ApplyAsync(JsonObject manifest, CancellationToken ct = default);

    /// <summary>Replaces the status of an existing object (the status subresource).</summary>
    Task UpdateStatusAsync(ObjectKey key, JsonObject status, CancellationToken ct = default);

    /// <summary>
    /// Changes the status of an existing object from its current value: <paramref name="change"/> gets
    /// the status as stored now (empty when there is none) and returns the new one, or null to leave it.
    /// A write that meets a concurrent change is retried with the fresh status, so fields others own
    /// (a lock another reconciler took meanwhile) are never overwritten with stale values.
    /// </summary>
    Task UpdateStatusAsync(ObjectKey key, Func<JsonObject, JsonObject?> change, CancellationToken ct = default);

    /// <summary>Deletes the object; false when it did not exist.</summary>
    Task<bool> DeleteAsync(ObjectKey key, CancellationToken ct = default);
}
