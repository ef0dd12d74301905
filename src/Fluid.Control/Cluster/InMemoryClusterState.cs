using System.Text.Json.Nodes;

namespace Fluid.Control.Cluster;

/// <summary>
/// A test double of the Kubernetes API: objects kept in memory, deep-copied in and out so callers
/// cannot alias stored state. It records every write in order (<see cref="Writes"/>) so tests can
/// check the order in which an engine creates things. No admission, no garbage collection, no
/// resourceVersion: reconcilers run against fluidd or a real API server, never against this.
/// </summary>
public sealed class InMemoryClusterState : IClusterState
{
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    private readonly List<string> _writes = [];
    private readonly Lock _lock = new();

    /// <summary>Every write in order: "apply Kind/ns/name", "status Kind/ns/name" or "delete Kind/ns/name".</summary>
    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>Every stored object.</summary>
    public IReadOnlyList<JsonObject> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _objects.Values.Select(o => (JsonObject)o.DeepClone())];
            }
        }
    }

    /// <inheritdoc/>
    public Task<JsonObject?> GetAsync(ObjectKey key, CancellationToken ct = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_objects.TryGetValue(key, out var found) ? (JsonObject?)found.DeepClone() : null);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<JsonObject>> ListAsync(string apiVersion, string kind, string? ns, IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default)
    {
        lock (_lock)
        {
            IReadOnlyList<JsonObject> found = [.. _objects
                .Where(e => e.Key.ApiVersion == apiVersion && e.Key.Kind == kind && (ns is null || e.Key.Namespace == ns))
                .Where(e => labels is null || labels.All(l => Manifest.Label(e.Value, l.Key) == l.Value))
                .OrderBy(e => e.Key.ToString(), StringComparer.Ordinal)
                .Select(e => (JsonObject)e.Value.DeepClone())];
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc/>
    public Task ApplyAsync(JsonObject manifest, CancellationToken ct = default)
    {
        var key = ObjectKey.Of(manifest);
        var copy = (JsonObject)manifest.DeepClone();
        lock (_lock)
        {
            if (_objects.TryGetValue(key, out var existing) && existing["status"] is { } status)
            {
                copy["status"] = status.DeepClone();
            }
            else
            {
                copy.Remove("status");
            }

            _objects[key] = copy;
            _writes.Add($"apply {key}");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task UpdateStatusAsync(ObjectKey key, JsonObject status, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var existing))
            {
                throw new KeyNotFoundException($"{key} does not exist; its status cannot be updated");
            }

            existing["status"] = status.DeepClone();
            _writes.Add($"status {key}");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task UpdateStatusAsync(ObjectKey key, Func<JsonObject, JsonObject?> change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var existing))
            {
                throw new KeyNotFoundException($"{key} does not exist; its status cannot be updated");
            }

            if (change(existing["status"]?.DeepClone() as JsonObject ?? []) is { } status)
            {
                existing["status"] = status;
                _writes.Add($"status {key}");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(ObjectKey key, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var removed = _objects.Remove(key);
            if (removed)
            {
                _writes.Add($"delete {key}");
            }

            return Task.FromResult(removed);
        }
    }

    /// <summary>Stores an object as an outside actor would (kubelet, a user), status included, without recording a write.</summary>
    public void Seed(JsonObject manifest)
    {
        lock (_lock)
        {
            _objects[ObjectKey.Of(manifest)] = (JsonObject)manifest.DeepClone();
        }
    }
}
