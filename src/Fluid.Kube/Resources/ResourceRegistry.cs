using System.Reflection;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Kube.Resources;

/// <summary>
/// The kinds the client can address: Fluid's own (from the [KubeResource] types of Fluid.Api) and the
/// core/apps/batch/coordination kinds the reconcilers create. Other layers add theirs.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly Dictionary<(string ApiVersion, string Kind), ResourceDescriptor> _byKind = [];
    private readonly Dictionary<Type, ResourceDescriptor> _byType = [];
    private readonly Dictionary<ResourceDescriptor, IReadOnlyList<string>> _shortNames = [];
    private readonly Lock _lock = new();

    /// <summary>Every Kubernetes kind Fluid works with.</summary>
    public static IReadOnlyList<ResourceDescriptor> KubernetesKinds { get; } =
    [
        new("", "v1", "pods", "Pod", true) { HasStatus = true },
        new("", "v1", "nodes", "Node", false) { HasStatus = true },
        new("", "v1", "persistentvolumes", "PersistentVolume", false) { HasStatus = true },
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true) { HasStatus = true },
        new("", "v1", "configmaps", "ConfigMap", true),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "services", "Service", true) { HasStatus = true },
        new("", "v1", "events", "Event", true),
        new("", "v1", "namespaces", "Namespace", false) { HasStatus = true },
        new("apps", "v1", "statefulsets", "StatefulSet", true) { HasStatus = true, HasScale = true },
        new("apps", "v1", "daemonsets", "DaemonSet", true) { HasStatus = true },
        new("apps", "v1", "deployments", "Deployment", true) { HasStatus = true, HasScale = true },
        new("batch", "v1", "jobs", "Job", true) { HasStatus = true },
        new("batch", "v1", "cronjobs", "CronJob", true) { HasStatus = true },
        new("coordination.k8s.io", "v1", "leases", "Lease", true),
    ];

    /// <summary>The short names kubectl accepts for the Kubernetes kinds (by plural).</summary>
    private static readonly Dictionary<string, string[]> KubernetesShortNames = new(StringComparer.Ordinal)
    {
        ["pods"] = ["po"],
        ["nodes"] = ["no"],
        ["persistentvolumes"] = ["pv"],
        ["persistentvolumeclaims"] = ["pvc"],
        ["configmaps"] = ["cm"],
        ["services"] = ["svc"],
        ["events"] = ["ev"],
        ["namespaces"] = ["ns"],
        ["statefulsets"] = ["sts"],
        ["daemonsets"] = ["ds"],
        ["deployments"] = ["deploy"],
        ["cronjobs"] = ["cj"],
    };

    /// <summary>The kinds Fluid uses, shared by every client (after KubernetesKinds: static fields initialise in order).</summary>
    public static ResourceRegistry Default { get; } = CreateDefault();

    /// <summary>Adds a kind; a later registration of the same apiVersion and kind replaces the earlier.</summary>
    public ResourceRegistry Add(ResourceDescriptor descriptor, Type? type = null, IReadOnlyList<string>? shortNames = null)
    {
        lock (_lock)
        {
            _byKind[(descriptor.ApiVersion, descriptor.Kind)] = descriptor;
            if (type is not null)
            {
                _byType[type] = descriptor;
            }

            if (shortNames is { Count: > 0 })
            {
                _shortNames[descriptor] = shortNames;
            }
        }

        return this;
    }

    /// <summary>Adds a [KubeResource] type, with its status and scale subresources.</summary>
    public ResourceRegistry Add(Type type)
    {
        var resource = type.GetCustomAttribute<KubeResourceAttribute>()
            ?? throw new ArgumentException($"{type} has no [KubeResource] attribute", nameof(type));
        return Add(
            new ResourceDescriptor(resource.Group, resource.Version, resource.Plural, resource.Kind, resource.Scope == ResourceScope.Namespaced)
            {
                HasStatus = type.GetCustomAttribute<StatusSubresourceAttribute>() is not null,
                HasScale = type.GetCustomAttribute<ScaleSubresourceAttribute>() is not null,
            },
            type,
            resource.ShortNames);
    }

    /// <summary>The short names of a kind (e.g. "po" for pods), empty when it has none.</summary>
    public IReadOnlyList<string> ShortNames(ResourceDescriptor descriptor)
    {
        lock (_lock)
        {
            return _shortNames.GetValueOrDefault(descriptor) ?? [];
        }
    }

    /// <summary>
    /// The kind a kubectl-style resource name means: plural ("datasets"), singular ("dataset"), short name
    /// ("po", "sts"), kind ("StatefulSet"), each optionally qualified by its group or version and group
    /// ("datasets.data.fluid.io", "statefulsets.v1.apps"); null when none matches.
    /// </summary>
    public ResourceDescriptor? Resolve(string resource)
    {
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? resource : resource[..dot];
        var qualifier = dot < 0 ? null : resource[(dot + 1)..];
        lock (_lock)
        {
            var candidates = _byKind.Values.Where(d =>
                qualifier is null || string.Equals(qualifier, d.Group, StringComparison.OrdinalIgnoreCase)
                || string.Equals(qualifier, $"{d.Version}.{d.Group}".TrimEnd('.'), StringComparison.OrdinalIgnoreCase)).ToList();
            return candidates.FirstOrDefault(d => string.Equals(d.Plural, name, StringComparison.OrdinalIgnoreCase))
                ?? candidates.FirstOrDefault(d => string.Equals(d.Kind, name, StringComparison.OrdinalIgnoreCase))
                ?? candidates.FirstOrDefault(d => _shortNames.GetValueOrDefault(d)?.Contains(name, StringComparer.OrdinalIgnoreCase) == true);
        }
    }

    /// <summary>The descriptor of a typed resource class.</summary>
    public ResourceDescriptor For(Type type)
    {
        lock (_lock)
        {
            if (_byType.TryGetValue(type, out var found))
            {
                return found;
            }
        }

        return type.GetCustomAttribute<KubeResourceAttribute>() is not null
            ? Add(type).For(type)
            : throw new ArgumentException($"{type.Name} is not a resource kind: it has no [KubeResource] attribute", nameof(type));
    }

    /// <summary>The descriptor of apiVersion and kind; throws naming the known versions when unknown.</summary>
    public ResourceDescriptor For(string apiVersion, string kind)
    {
        lock (_lock)
        {
            if (_byKind.TryGetValue((apiVersion, kind), out var found))
            {
                return found;
            }

            var versions = _byKind.Values.Where(d => d.Kind == kind).Select(d => d.ApiVersion).ToList();
            throw new ArgumentException(versions.Count == 0
                ? $"kind {kind} ({apiVersion}) is not known to the client; register it in ResourceRegistry"
                : $"kind {kind} is not served as {apiVersion}; use apiVersion {string.Join(" or ", versions)}");
        }
    }

    /// <summary>Every registered kind.</summary>
    public IReadOnlyList<ResourceDescriptor> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _byKind.Values];
            }
        }
    }

    private static ResourceRegistry CreateDefault()
    {
        var registry = new ResourceRegistry();
        foreach (var kind in KindRegistry.Default.All)
        {
            registry.Add(kind.Type);
        }

        foreach (var kind in KubernetesKinds)
        {
            registry.Add(kind, shortNames: KubernetesShortNames.GetValueOrDefault(kind.Plural));
        }

        return registry;
    }
}
