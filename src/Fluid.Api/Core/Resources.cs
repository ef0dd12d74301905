using System.Text.Json.Nodes;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>Compute resources a container asks for and may not exceed (core/v1 ResourceRequirements).</summary>
public sealed class ResourceRequirements
{
    /// <summary>The most the container may use, by resource name (cpu, memory, ...).</summary>
    public Dictionary<string, Quantity>? Limits { get; set; }

    /// <summary>What the scheduler reserves for the container, by resource name.</summary>
    public Dictionary<string, Quantity>? Requests { get; set; }

    /// <summary>Dynamic resource claims, kept as written.</summary>
    [PreserveUnknownFields]
    public List<JsonObject>? Claims { get; set; }
}

/// <summary>A reference to an object in the same namespace by name.</summary>
public sealed class LocalObjectReference
{
    /// <summary>Name of the referent.</summary>
    public string? Name { get; set; }
}

/// <summary>Selects a key of a Secret or ConfigMap.</summary>
public sealed class KeySelector
{
    /// <summary>Name of the Secret or ConfigMap.</summary>
    public string? Name { get; set; }

    /// <summary>The key.</summary>
    public string Key { get; set; } = "";

    /// <summary>Whether the object or key may be missing.</summary>
    public bool? Optional { get; set; }
}
