using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>Copies data between a dataset and external storage (or another dataset).</summary>
[FluidResource("DataMigrate", "datamigrates", ShortNames = ["migrate"])]
[StatusSubresource]
[PrinterColumn("Phase", "string", ".status.phase", Order = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 2)]
[PrinterColumn("Duration", "string", ".status.duration", Order = 3)]
public sealed class DataMigrate : KubeObject<DataMigrateSpec, OperationStatus>, IDataOperation
{
    /// <inheritdoc/>
    IOperationSpec IDataOperation.OperationSpec => Spec;
}

/// <summary>Desired state of a DataMigrate.</summary>
public sealed class DataMigrateSpec : IScheduledOperationSpec
{
    /// <summary>Image of the migrating container.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Where the data comes from.</summary>
    [Required]
    public DataToMigrate From { get; set; } = new();

    /// <summary>Where the data goes.</summary>
    [Required]
    public DataToMigrate To { get; set; } = new();

    /// <summary>Keep the dataset from being used while migrating (default false).</summary>
    public bool? Block { get; set; }

    /// <summary>Runtime that migrates; the dataset's when empty.</summary>
    public string? RuntimeType { get; set; }

    /// <summary>Engine-specific options.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Once (default), Cron or OnEvent.</summary>
    [AllowedValues("Once", "Cron", "OnEvent")]
    [DefaultValue("Once")]
    public string? Policy { get; set; }

    /// <summary>Cron schedule, when the policy is Cron.</summary>
    public string? Schedule { get; set; }

    /// <summary>Labels and annotations for the migration's pods.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Scheduling constraints of the migration's pods.</summary>
    public Affinity? Affinity { get; set; }

    /// <summary>Taints the migration's pods tolerate.</summary>
    public List<Toleration>? Tolerations { get; set; }

    /// <summary>Labels a node must have to run the migration's pods.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Scheduler for the migration's pods.</summary>
    public string? SchedulerName { get; set; }

    /// <summary>The operation this one runs after.</summary>
    public OperationRef? RunAfter { get; set; }

    /// <summary>Seconds after the operation ends before it is cleaned up.</summary>
    public int? TtlSecondsAfterFinished { get; set; }

    /// <summary>Compute resources of the migration's pods.</summary>
    public ResourceRequirements? Resources { get; set; }

    /// <summary>Parallel tasks (default 1); above 1 a launcher drives workers.</summary>
    [Range(1, int.MaxValue)]
    [DefaultValue(1)]
    public int? Parallelism { get; set; }

    /// <summary>Options of parallel migration, e.g. the SSH port and secret.</summary>
    public Dictionary<string, string>? ParallelOptions { get; set; }
}

/// <summary>One end of a migration: a dataset or external storage.</summary>
public sealed class DataToMigrate
{
    /// <summary>A dataset.</summary>
    public DatasetToMigrate? Dataset { get; set; }

    /// <summary>External storage.</summary>
    public ExternalStorage? ExternalStorage { get; set; }
}

/// <summary>A dataset and path to migrate.</summary>
public sealed class DatasetToMigrate
{
    /// <summary>Name of the dataset.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Namespace of the dataset.</summary>
    public string? Namespace { get; set; }

    /// <summary>Path in the dataset; its root when empty.</summary>
    public string? Path { get; set; }
}

/// <summary>Storage outside Fluid.</summary>
public sealed class ExternalStorage
{
    /// <summary>URI of the storage, e.g. s3://bucket/prefix or pvc://claim/path.</summary>
    [Required]
    public string Uri { get; set; } = "";

    /// <summary>Credentials, from Secrets.</summary>
    public List<EncryptOption>? EncryptOptions { get; set; }
}
