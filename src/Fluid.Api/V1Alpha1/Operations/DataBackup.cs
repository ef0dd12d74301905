using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>Backs up a dataset's metadata (and cache state) to a path.</summary>
[FluidResource("DataBackup", "databackups", ShortNames = ["backup"])]
[StatusSubresource]
[PrinterColumn("Dataset", "string", ".spec.dataset", Order = 1)]
[PrinterColumn("Phase", "string", ".status.phase", Order = 2)]
[PrinterColumn("Path", "string", ".status.infos.BackupLocationPath", Order = 3)]
[PrinterColumn("NodeName", "string", ".status.infos.BackupLocationNodeName", Order = 4)]
[PrinterColumn("Duration", "string", ".status.duration", Order = 5)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 6)]
public sealed class DataBackup : KubeObject<DataBackupSpec, OperationStatus>, IDataOperation
{
    /// <inheritdoc/>
    IOperationSpec IDataOperation.OperationSpec => Spec;
}

/// <summary>Desired state of a DataBackup.</summary>
public sealed class DataBackupSpec : IOperationSpec
{
    /// <summary>Name of the dataset to back up.</summary>
    public string? Dataset { get; set; }

    /// <summary>Where to write the backup: local:///path (on the node) or pvc://claim/subpath.</summary>
    public string? BackupPath { get; set; }

    /// <summary>The user the backup runs as.</summary>
    public User? RunAs { get; set; }

    /// <summary>The operation this one runs after.</summary>
    public OperationRef? RunAfter { get; set; }

    /// <summary>Seconds after the operation ends before it is cleaned up.</summary>
    public int? TtlSecondsAfterFinished { get; set; }
}
