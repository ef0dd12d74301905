using Fluid.Api.Meta;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Cluster;

namespace Fluid.Control.Engines;

/// <summary>What one engine instance works on: a dataset, the runtime bound to it, and the cluster it may see and change.</summary>
public sealed class EngineContext
{
    /// <summary>The dataset, as last read.</summary>
    public required Dataset Dataset { get; init; }

    /// <summary>The runtime of the same name and namespace, as last read (a typed runtime kind).</summary>
    public required KubeObject Runtime { get; init; }

    /// <summary>The cluster.</summary>
    public required IClusterState Cluster { get; init; }

    /// <summary>The clock; tests fix it.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How often the sources' metadata (total size, file count) is listed again after a listing; null lists it once, as upstream.</summary>
    public TimeSpan? MetadataResyncInterval { get; init; }

    /// <summary>Namespace of the dataset and runtime.</summary>
    public string Namespace => Runtime.Metadata.Namespace ?? "default";

    /// <summary>Name of the dataset and runtime.</summary>
    public string Name => Runtime.Metadata.Name ?? throw new InvalidOperationException("the runtime has no metadata.name");

    /// <summary>Key of the runtime object.</summary>
    public ObjectKey RuntimeKey => new(Runtime.ApiVersion ?? "", Runtime.Kind ?? "", Namespace, Name);

    /// <summary>Key of the dataset object.</summary>
    public ObjectKey DatasetKey => new(Dataset.ApiVersion ?? "", Dataset.Kind ?? "", Dataset.Metadata.Namespace ?? "default", Dataset.Metadata.Name ?? "");
}
