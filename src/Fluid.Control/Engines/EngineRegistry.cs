using Fluid.Api.Meta;

namespace Fluid.Control.Engines;

/// <summary>
/// Engines by runtime kind (and, for CacheRuntime, runtime class). Engine kinds register
/// themselves; shared code only looks them up, so adding an engine never touches a switch.
/// </summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<(string Kind, string Class), Func<EngineContext, IEngine>> _factories = [];

    /// <summary>Registers the engine of a runtime kind; <paramref name="runtimeClass"/> narrows kinds that name their engine class (CacheRuntime).</summary>
    public void Register(string runtimeKind, string? runtimeClass, Func<EngineContext, IEngine> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(runtimeKind);
        var key = (runtimeKind, runtimeClass ?? "");
        if (!_factories.TryAdd(key, factory))
        {
            throw new InvalidOperationException($"an engine is already registered for {Describe(key)}");
        }
    }

    /// <summary>Kinds and classes with a registered engine, for messages and tests.</summary>
    public IReadOnlyList<string> Registered => [.. _factories.Keys.Select(Describe).Order(StringComparer.Ordinal)];

    /// <summary>Runtime kinds with at least one registered engine, in name order (a controller watches each).</summary>
    public IReadOnlyList<string> Kinds => [.. _factories.Keys.Select(k => k.Kind).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>True when an engine serves the kind (and class).</summary>
    public bool Serves(string runtimeKind, string? runtimeClass = null) => _factories.ContainsKey((runtimeKind, runtimeClass ?? ""));

    /// <summary>The engine for the context's runtime; <paramref name="runtimeClass"/> is the runtime's class name when its kind has one.</summary>
    public IEngine Create(EngineContext context, string? runtimeClass = null)
    {
        var kind = context.Runtime.Kind ?? "";
        if (_factories.TryGetValue((kind, runtimeClass ?? ""), out var factory))
        {
            return factory(context);
        }

        var path = runtimeClass is null ? "kind" : "spec.runtimeClassName";
        var what = runtimeClass is null ? $"kind {kind}" : $"{kind} with runtimeClassName \"{runtimeClass}\"";
        throw new EngineInputException(path, $"no engine serves {what}; engines here serve: {string.Join(", ", Registered)}");
    }

    /// <summary>The runtime class of a runtime whose kind has one, read from its spec (CacheRuntime's spec.runtimeClassName).</summary>
    public static string? RuntimeClassOf(KubeObject runtime) =>
        runtime.GetType().GetProperty("Spec")?.GetValue(runtime) is { } spec
        && spec.GetType().GetProperty("RuntimeClassName")?.GetValue(spec) is string name ? name : null;

    private static string Describe((string Kind, string Class) key) => key.Class.Length == 0 ? key.Kind : $"{key.Kind}/{key.Class}";
}
