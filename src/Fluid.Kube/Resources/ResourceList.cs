using Fluid.Api.Meta;

namespace Fluid.Kube.Resources;

/// <summary>One page of a list call.</summary>
public sealed class ResourceList<T>
{
    /// <summary>"group/version".</summary>
    public string? ApiVersion { get; set; }

    /// <summary>The kind followed by "List".</summary>
    public string? Kind { get; set; }

    /// <summary>resourceVersion to watch from, and the continue token when there are more pages.</summary>
    public ListMeta Metadata { get; set; } = new();

    /// <summary>The objects of this page.</summary>
    public List<T> Items { get; set; } = [];
}

/// <summary>autoscaling/v1 Scale: the replicas of a workload, read and written through /scale.</summary>
public sealed class Scale : IKubeObject
{
    /// <inheritdoc/>
    public string? ApiVersion { get; set; } = "autoscaling/v1";

    /// <inheritdoc/>
    public string? Kind { get; set; } = "Scale";

    /// <inheritdoc/>
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Desired replicas.</summary>
    public ScaleSpec Spec { get; set; } = new();

    /// <summary>Observed replicas.</summary>
    public ScaleStatus? Status { get; set; }
}

/// <summary>Desired replicas.</summary>
public sealed class ScaleSpec
{
    /// <summary>Replicas wanted.</summary>
    public int Replicas { get; set; }
}

/// <summary>Observed replicas.</summary>
public sealed class ScaleStatus
{
    /// <summary>Replicas running.</summary>
    public int Replicas { get; set; }

    /// <summary>Label selector of the pods, as a string.</summary>
    public string? Selector { get; set; }
}
