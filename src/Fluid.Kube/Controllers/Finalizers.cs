using System.Text.Json.Nodes;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Kube.Controllers;

/// <summary>
/// Finalizers keep an object from being deleted until its controller has cleaned up. Adding and removing go
/// through a merge patch carrying the object's resourceVersion, so a concurrent change is never overwritten;
/// on a conflict the object is read again and the change retried.
/// </summary>
public static class Finalizers
{
    private const int ConflictRetries = 5;

    /// <summary>True when the object carries the finalizer.</summary>
    public static bool Has(object obj, string finalizer) => ObjectAccess.Finalizers(obj).Contains(finalizer, StringComparer.Ordinal);

    /// <summary>True once deletion was requested (the object waits for its finalizers).</summary>
    public static bool IsBeingDeleted(object obj) => ObjectAccess.DeletionTimestamp(obj) is not null;

    /// <summary>Adds the finalizer unless present; returns the object as the server now has it.</summary>
    public static Task<T> AddAsync<T>(ResourceClient<T> resource, T obj, string finalizer, CancellationToken cancellationToken = default)
        where T : class =>
        ChangeAsync(resource, obj, Validate(finalizer), add: true, cancellationToken);

    /// <summary>Removes the finalizer if present; returns the object as the server now has it (the last state if that let it go).</summary>
    public static Task<T> RemoveAsync<T>(ResourceClient<T> resource, T obj, string finalizer, CancellationToken cancellationToken = default)
        where T : class =>
        ChangeAsync(resource, obj, Validate(finalizer), add: false, cancellationToken);

    private static async Task<T> ChangeAsync<T>(ResourceClient<T> resource, T obj, string finalizer, bool add, CancellationToken cancellationToken)
        where T : class
    {
        var name = ObjectAccess.Name(obj) ?? throw new ArgumentException("the object has no metadata.name", nameof(obj));
        var ns = resource.Descriptor.Namespaced ? ObjectAccess.Namespace(obj) : null;
        for (var attempt = 1; ; attempt++)
        {
            var current = ObjectAccess.Finalizers(obj);
            if (current.Contains(finalizer, StringComparer.Ordinal) == add)
            {
                return obj;
            }

            var next = add ? [.. current, finalizer] : current.Where(f => f != finalizer).ToList();
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["finalizers"] = new JsonArray([.. next.Select(f => (JsonNode)JsonValue.Create(f))]),
                    ["resourceVersion"] = ObjectAccess.ResourceVersion(obj),
                },
            };
            try
            {
                return await resource.MergePatchAsync(name, patch, ns, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < ConflictRetries)
            {
                obj = await resource.GetAsync(name, ns, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Validate(string finalizer)
    {
        if (string.IsNullOrWhiteSpace(finalizer) || finalizer.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"\"{finalizer}\" is not a finalizer name: use a qualified name such as \"data.fluid.io/dataset-controller\"", nameof(finalizer));
        }

        return finalizer;
    }
}
