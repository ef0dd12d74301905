using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>Loads (prewarms) some or all of a dataset into its cache: once, on a schedule, or after another operation.</summary>
[FluidResource("DataLoad", "dataloads", ShortNames = ["load"])]
[StatusSubresource]
[PrinterColumn("Dataset", "string", ".spec.dataset.name", Order = 1)]
[PrinterColumn("Phase", "string", ".status.phase", Order = 2)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 3)]
[PrinterColumn("Duration", "string", ".status.duration", Order = 4)]
public sealed class DataLoad : KubeObject<DataLoadSpec, OperationStatus>, IDataOperation
{
    /// <inheritdoc/>
    IOperationSpec IDataOperation.OperationSpec => Spec;
}

/// <summary>Desired state of a DataLoad.</summary>
public sealed class DataLoadSpec : IScheduledOperationSpec
{
    /// <summary>The dataset to load.</summary>
    public TargetDataset Dataset { get; set; } = new();

    /// <summary>Load the dataset's metadata before its data.</summary>
    public bool? LoadMetadata { get; set; }

    /// <summary>Paths to load, each with its replica count; the whole dataset when empty.</summary>
    public List<TargetPath>? Target { get; set; }

    /// <summary>Engine-specific options of the load.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Labels and annotations for the load's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Scheduling constraints of the load's pods.</summary>
    public Affinity? Affinity { get; set; }

    /// <summary>Taints the load's pods tolerate.</summary>
    public List<Toleration>? Tolerations { get; set; }

    /// <summary>Labels a node must have to run the load's pods.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Scheduler for the load's pods.</summary>
    public string? SchedulerName { get; set; }

    /// <summary>Once (default), Cron or OnEvent.</summary>
    [AllowedValues("Once", "Cron", "OnEvent")]
    [DefaultValue("Once")]
    public string? Policy { get; set; }

    /// <summary>Cron schedule (5 fields or @hourly, @daily, ...), when the policy is Cron.</summary>
    public string? Schedule { get; set; }

    /// <summary>The operation this one runs after.</summary>
    public OperationRef? RunAfter { get; set; }

    /// <summary>Seconds after the operation ends before it is cleaned up.</summary>
    public int? TtlSecondsAfterFinished { get; set; }

    /// <summary>Compute resources of the load's pods.</summary>
    public ResourceRequirements? Resources { get; set; }
}

/// <summary>The dataset an operation works on.</summary>
public sealed class TargetDataset
{
    /// <summary>Name of the dataset.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Namespace of the dataset; the operation's when empty.</summary>
    public string? Namespace { get; set; }
}

/// <summary>A path of the dataset to load.</summary>
public sealed class TargetPath
{
    /// <summary>Path in the dataset's tree, e.g. /imagenet/train.</summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>How many cache replicas to load (default 1).</summary>
    public int? Replicas { get; set; }
}
