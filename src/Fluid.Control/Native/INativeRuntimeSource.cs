using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Control.Status;

namespace Fluid.Control.Native;

/// <summary>One runtime kind the native engine serves: how to read its spec and how to write its status.</summary>
public interface INativeRuntimeSource
{
    /// <summary>The kind, e.g. CacheRuntime or AlluxioRuntime.</summary>
    string Kind { get; }

    /// <summary>The runtime class it is registered under (CacheRuntime's "fluid"), or null.</summary>
    string? RuntimeClass { get; }

    /// <summary>Runtime type in node label names: upstream's type of the kind, e.g. "cache" for CacheRuntime or "alluxio" (e.g. alluxio).</summary>
    string RuntimeType { get; }

    /// <summary>Reads the runtime's spec; never throws for user input (problems go to Errors/Warnings).</summary>
    NativeCacheSpec Read(KubeObject runtime);

    /// <summary>True when the kind's status has cacheStates (upstream's RuntimeStatus does, CacheRuntimeStatus does not).</summary>
    bool StatusHasCacheStates { get; }

    /// <summary>The status of the kind's shape from an observed report, keeping what <paramref name="previous"/> holds that the report does not cover.</summary>
    JsonObject Status(RuntimeReport report, JsonObject? previous);
}
