using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>Runs a job or a script over a dataset mounted into its pod.</summary>
[FluidResource("DataProcess", "dataprocesses")]
[StatusSubresource]
[PrinterColumn("Dataset", "string", ".spec.dataset.name", Order = 1)]
[PrinterColumn("Phase", "string", ".status.phase", Order = 2)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp", Order = 3)]
[PrinterColumn("Duration", "string", ".status.duration", Order = 4)]
public sealed class DataProcess : KubeObject<DataProcessSpec, OperationStatus>, IDataOperation
{
    /// <inheritdoc/>
    IOperationSpec IDataOperation.OperationSpec => Spec;
}

/// <summary>Desired state of a DataProcess.</summary>
public sealed class DataProcessSpec : IScheduledOperationSpec
{
    /// <summary>The dataset, and where it is mounted in the processor's containers.</summary>
    [Required]
    public TargetDatasetWithMountPath Dataset { get; set; } = new();

    /// <summary>What runs: exactly one of job or script.</summary>
    [Required]
    public Processor Processor { get; set; } = new();

    /// <summary>The operation this one runs after.</summary>
    public OperationRef? RunAfter { get; set; }

    /// <summary>Seconds after the operation ends before it is cleaned up.</summary>
    public int? TtlSecondsAfterFinished { get; set; }

    /// <summary>Once (default), Cron or OnEvent.</summary>
    [AllowedValues("Once", "Cron", "OnEvent")]
    [DefaultValue("Once")]
    public string? Policy { get; set; }

    /// <summary>Cron schedule, when the policy is Cron.</summary>
    public string? Schedule { get; set; }
}

/// <summary>A dataset and where its volume is mounted.</summary>
public sealed class TargetDatasetWithMountPath
{
    /// <summary>Name of the dataset.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Namespace of the dataset; the operation's when empty.</summary>
    public string? Namespace { get; set; }

    /// <summary>Absolute path in the containers where the dataset appears.</summary>
    [Required]
    public string MountPath { get; set; } = "";

    /// <summary>Path within the dataset to mount instead of its root.</summary>
    public string? SubPath { get; set; }
}

/// <summary>What a DataProcess runs: a job (a pod spec) or a script.</summary>
public sealed class Processor
{
    /// <summary>Service account of the processor's pod.</summary>
    public string? ServiceAccountName { get; set; }

    /// <summary>Labels and annotations of the processor's pod.</summary>
    public PodMetadata? PodMetadata { get; set; }

    /// <summary>Run a pod of this spec.</summary>
    public JobProcessor? Job { get; set; }

    /// <summary>Run a script in an image.</summary>
    public ScriptProcessor? Script { get; set; }
}

/// <summary>A processor that runs a pod spec as a job.</summary>
public sealed class JobProcessor
{
    /// <summary>The pod to run.</summary>
    public PodSpec? PodSpec { get; set; }
}

/// <summary>A processor that runs a script.</summary>
public sealed class ScriptProcessor
{
    /// <summary>Image to run the script in.</summary>
    public string? Image { get; set; }

    /// <summary>Image tag.</summary>
    public string? ImageTag { get; set; }

    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Never (default) or OnFailure.</summary>
    [AllowedValues("Never", "OnFailure")]
    [DefaultValue("Never")]
    public string? RestartPolicy { get; set; }

    /// <summary>Interpreter, e.g. ["bash"]; the script source is passed to it.</summary>
    public List<string>? Command { get; set; }

    /// <summary>The script.</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>Environment variables.</summary>
    public List<EnvVar>? Env { get; set; }

    /// <summary>Volumes mounted into the container.</summary>
    public List<VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Volumes of the pod.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>Compute resources.</summary>
    public ResourceRequirements? Resources { get; set; }
}
