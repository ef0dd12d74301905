using System.Reflection;
using Fluid.Api.Schema;

namespace Fluid.Api.Meta;

/// <summary>A registered kind: its CLR type and how the API serves it.</summary>
public sealed record KindInfo(Type Type, KubeResourceAttribute Resource)
{
    /// <summary>"group/version" or "v1".</summary>
    public string ApiVersion => Resource.ApiVersion;

    /// <summary>Kind name.</summary>
    public string Kind => Resource.Kind;

    /// <summary>True when objects live in a namespace.</summary>
    public bool Namespaced => Resource.Scope == ResourceScope.Namespaced;
}

/// <summary>
/// The kinds the process knows by (apiVersion, kind), built from [KubeResource] types; other
/// layers register their own kinds here instead of switching over kind names.
/// </summary>
public sealed class KindRegistry
{
    private readonly Dictionary<(string ApiVersion, string Kind), KindInfo> _byKind = [];
    private readonly Dictionary<string, List<KindInfo>> _byKindName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, KindInfo> _byType = [];
    private readonly Lock _lock = new();

    /// <summary>The registry every layer shares; starts with the kinds in Fluid.Api.</summary>
    public static KindRegistry Default { get; } = new KindRegistry().AddAssembly(typeof(KindRegistry).Assembly);

    /// <summary>Registers every concrete [KubeResource] type of an assembly.</summary>
    public KindRegistry AddAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (!type.IsAbstract && typeof(IKubeObject).IsAssignableFrom(type) && type.GetCustomAttribute<KubeResourceAttribute>() is not null)
            {
                Add(type);
            }
        }

        return this;
    }

    /// <summary>Registers one [KubeResource] type.</summary>
    public KindRegistry Add(Type type)
    {
        var resource = type.GetCustomAttribute<KubeResourceAttribute>()
            ?? throw new ArgumentException($"{type} has no [KubeResource] attribute", nameof(type));
        var info = new KindInfo(type, resource);
        lock (_lock)
        {
            _byKind[(resource.ApiVersion, resource.Kind)] = info;
            _byType[type] = info;
            if (!_byKindName.TryGetValue(resource.Kind, out var list))
            {
                _byKindName[resource.Kind] = list = [];
            }

            list.RemoveAll(k => k.ApiVersion == info.ApiVersion);
            list.Add(info);
        }

        return this;
    }

    /// <summary>The kind registered for apiVersion and kind, if any.</summary>
    public KindInfo? Find(string apiVersion, string kind)
    {
        lock (_lock)
        {
            return _byKind.GetValueOrDefault((apiVersion, kind));
        }
    }

    /// <summary>The kind registered for a CLR type, if any.</summary>
    public KindInfo? Find(Type type)
    {
        lock (_lock)
        {
            return _byType.GetValueOrDefault(type);
        }
    }

    /// <summary>Every version registered under a kind name (to suggest the right apiVersion).</summary>
    public IReadOnlyList<KindInfo> FindByKindName(string kind)
    {
        lock (_lock)
        {
            return _byKindName.TryGetValue(kind, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Every registered kind.</summary>
    public IReadOnlyList<KindInfo> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _byType.Values];
            }
        }
    }
}
