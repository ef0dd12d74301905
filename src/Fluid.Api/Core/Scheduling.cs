using System.Text.Json.Nodes;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>Scheduling constraints of a pod (core/v1 Affinity).</summary>
public sealed class Affinity
{
    /// <summary>Node affinity scheduling rules for the pod.</summary>
    public NodeAffinity? NodeAffinity { get; set; }

    /// <summary>Pod affinity rules, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? PodAffinity { get; set; }

    /// <summary>Pod anti-affinity rules, kept as written.</summary>
    [PreserveUnknownFields]
    public JsonObject? PodAntiAffinity { get; set; }
}

/// <summary>Node affinity scheduling rules (core/v1 NodeAffinity).</summary>
public sealed class NodeAffinity
{
    /// <summary>Hard rules: the pod is not scheduled unless a node meets them.</summary>
    public NodeSelector? RequiredDuringSchedulingIgnoredDuringExecution { get; set; }

    /// <summary>Soft rules: nodes meeting them are preferred, by weight.</summary>
    public List<PreferredSchedulingTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; set; }
}

/// <summary>Terms ORed together; a node matches when any term matches.</summary>
public sealed class NodeSelector
{
    /// <summary>The terms; at least one.</summary>
    public List<NodeSelectorTerm> NodeSelectorTerms { get; set; } = [];
}

/// <summary>Requirements ANDed together.</summary>
public sealed class NodeSelectorTerm
{
    /// <summary>Requirements on node labels.</summary>
    public List<NodeSelectorRequirement>? MatchExpressions { get; set; }

    /// <summary>Requirements on node fields.</summary>
    public List<NodeSelectorRequirement>? MatchFields { get; set; }
}

/// <summary>A selector requirement: key, operator, values.</summary>
public sealed class NodeSelectorRequirement
{
    /// <summary>The label key.</summary>
    public string Key { get; set; } = "";

    /// <summary>One of In, NotIn, Exists, DoesNotExist, Gt, Lt.</summary>
    public string Operator { get; set; } = "";

    /// <summary>Values; empty for Exists and DoesNotExist, one integer for Gt and Lt.</summary>
    public List<string>? Values { get; set; }
}

/// <summary>A weighted preference for nodes that match a term.</summary>
public sealed class PreferredSchedulingTerm
{
    /// <summary>Weight from 1 to 100.</summary>
    public int Weight { get; set; }

    /// <summary>The term nodes should match.</summary>
    public NodeSelectorTerm Preference { get; set; } = new();
}

/// <summary>Lets a pod be scheduled onto nodes with a matching taint (core/v1 Toleration).</summary>
public sealed class Toleration
{
    /// <summary>The taint key; empty with operator Exists matches every taint.</summary>
    public string? Key { get; set; }

    /// <summary>Equal (default) or Exists.</summary>
    public string? Operator { get; set; }

    /// <summary>The taint value, for operator Equal.</summary>
    public string? Value { get; set; }

    /// <summary>NoSchedule, PreferNoSchedule or NoExecute; empty matches all.</summary>
    public string? Effect { get; set; }

    /// <summary>For NoExecute: how long the pod stays bound after the taint appears.</summary>
    public long? TolerationSeconds { get; set; }
}

/// <summary>Operators of node selector requirements and tolerations.</summary>
public static class SelectorOperators
{
    /// <summary>Node selector operators.</summary>
    public static readonly IReadOnlyList<string> Node = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

    /// <summary>Toleration operators.</summary>
    public static readonly IReadOnlyList<string> Toleration = ["Equal", "Exists"];

    /// <summary>Taint effects.</summary>
    public static readonly IReadOnlyList<string> TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
}
