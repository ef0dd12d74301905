using Fluid.Api.Meta;
using Fluid.Kube.Resources;

namespace Fluid.Kube.Controllers;

/// <summary>
/// Owner references tie what a reconciler creates (StatefulSets, PVCs, ConfigMaps) to the Fluid object it
/// serves, so garbage collection removes them with it and the reconciler can find its own.
/// </summary>
public static class OwnerReferences
{
    /// <summary>A controller reference to <paramref name="owner"/> (controller and blockOwnerDeletion set).</summary>
    public static OwnerReference ControllerReference(object owner)
    {
        var apiVersion = ObjectAccess.ApiVersion(owner);
        var kind = ObjectAccess.Kind(owner);
        var name = ObjectAccess.Name(owner);
        var uid = ObjectAccess.Uid(owner);
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(uid))
        {
            throw new ArgumentException(
                $"an owner needs apiVersion, kind, metadata.name and metadata.uid (read it from the server first); {kind} \"{name}\" lacks some", nameof(owner));
        }

        return new OwnerReference { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = uid, Controller = true, BlockOwnerDeletion = true };
    }

    /// <summary>
    /// Makes <paramref name="owner"/> the controller of <paramref name="obj"/>. Throws when another object
    /// already controls it; an owner of another namespace cannot own a namespaced object.
    /// </summary>
    public static void SetController(object obj, object owner)
    {
        var reference = ControllerReference(owner);
        var ownerNs = ObjectAccess.Namespace(owner);
        var objNs = ObjectAccess.Namespace(obj);
        if (!string.IsNullOrEmpty(ownerNs) && !string.IsNullOrEmpty(objNs) && ownerNs != objNs)
        {
            throw new ArgumentException(
                $"{reference.Kind} \"{reference.Name}\" in namespace \"{ownerNs}\" cannot own an object in namespace \"{objNs}\": owners must share the namespace", nameof(owner));
        }

        var references = ObjectAccess.OwnerReferences(obj).ToList();
        if (references.FirstOrDefault(r => r.Controller == true) is { } existing && existing.Uid != reference.Uid)
        {
            throw new InvalidOperationException(
                $"{ObjectAccess.Kind(obj)} \"{ObjectAccess.Name(obj)}\" is already controlled by {existing.Kind} \"{existing.Name}\"");
        }

        references.RemoveAll(r => r.Uid == reference.Uid);
        references.Add(reference);
        ObjectAccess.SetOwnerReferences(obj, references);
    }

    /// <summary>True when <paramref name="obj"/> names <paramref name="owner"/> (by uid) among its owners.</summary>
    public static bool IsOwnedBy(object obj, object owner)
    {
        var uid = ObjectAccess.Uid(owner);
        return !string.IsNullOrEmpty(uid) && ObjectAccess.OwnerReferences(obj).Any(r => r.Uid == uid);
    }

    /// <summary>The controller reference of the object, or null.</summary>
    public static OwnerReference? ControllerOf(object obj) => ObjectAccess.OwnerReferences(obj).FirstOrDefault(r => r.Controller == true);
}
