using Fluid.Api.Scheduling;
using Fluid.Api.Schema;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Validation;

/// <summary>What every data operation shares: what it runs after, its clean-up delay, its policy and schedule.</summary>
public sealed class OperationSpecRule : ValidationRule<IOperationSpec>
{
    /// <inheritdoc/>
    protected override void Check(IOperationSpec spec, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if (spec.TtlSecondsAfterFinished < 0)
        {
            errors.Add(FieldPath.Child(path, "ttlSecondsAfterFinished"), $"{spec.TtlSecondsAfterFinished} is negative; use 0 (clean up at once) or more seconds");
        }

        if (spec.RunAfter is { } runAfter)
        {
            CheckRunAfter(runAfter, FieldPath.Child(path, "runAfter"), context);
        }

        if (spec is IScheduledOperationSpec scheduled)
        {
            CheckSchedule(scheduled, path, errors);
        }
    }

    private static void CheckSchedule(IScheduledOperationSpec spec, string path, FieldErrors errors)
    {
        var schedulePath = FieldPath.Child(path, "schedule");
        if (spec.Policy == Policies.Cron)
        {
            if (string.IsNullOrWhiteSpace(spec.Schedule))
            {
                errors.Required(schedulePath, "a cron schedule when policy is Cron, e.g. \"0 2 * * *\" (02:00 every day) or @hourly");
            }
            else if (!CronSchedule.TryParse(spec.Schedule, out _, out var problem))
            {
                errors.Add(schedulePath, problem!);
            }
        }
        else if (!string.IsNullOrEmpty(spec.Schedule))
        {
            errors.Add(schedulePath, $"a schedule is only used with policy Cron (policy is {spec.Policy ?? "Once"}); set policy: Cron or remove schedule");
        }
    }

    private static void CheckRunAfter(OperationRef runAfter, string path, ValidationContext context)
    {
        var errors = context.Errors;
        CheckReference(runAfter, path, errors);
        if (runAfter.Kind == context.Root.Kind && runAfter.Name == context.Root.Metadata.Name
            && (string.IsNullOrEmpty(runAfter.Namespace) || runAfter.Namespace == context.Namespace))
        {
            errors.Add(FieldPath.Child(path, "name"), "an operation cannot run after itself");
        }

        if (runAfter.AffinityStrategy is not { } strategy)
        {
            return;
        }

        var strategyPath = FieldPath.Child(path, "affinityStrategy");
        if (strategy.Policy is { Length: > 0 } policy && !AffinityPolicies.All.Contains(policy, StringComparer.Ordinal))
        {
            errors.Add(FieldPath.Child(strategyPath, "policy"), $"\"{policy}\" is not an affinity policy; use Require or Prefer (or leave it empty)");
        }

        if (strategy.DependOn is { } dependOn)
        {
            CheckReference(dependOn, FieldPath.Child(strategyPath, "dependOn"), errors);
        }

        for (var i = 0; i < (strategy.Prefers?.Count ?? 0); i++)
        {
            var prefer = strategy.Prefers![i];
            var item = FieldPath.Index(FieldPath.Child(strategyPath, "prefers"), i);
            if (prefer.Name.Length == 0)
            {
                errors.Required(FieldPath.Child(item, "name"), "the node label to prefer, e.g. kubernetes.io/hostname");
            }

            if (prefer.Weight is < 1 or > 100)
            {
                errors.Add(FieldPath.Child(item, "weight"), $"{prefer.Weight} is out of range; use a weight from 1 to 100");
            }
        }

        for (var i = 0; i < (strategy.Requires?.Count ?? 0); i++)
        {
            if (strategy.Requires![i].Name.Length == 0)
            {
                errors.Required(FieldPath.Child(FieldPath.Index(FieldPath.Child(strategyPath, "requires"), i), "name"), "the node label to require, e.g. kubernetes.io/hostname");
            }
        }
    }

    private static void CheckReference(ObjectRef reference, string path, FieldErrors errors)
    {
        if (reference.Kind.Length == 0)
        {
            errors.Required(FieldPath.Child(path, "kind"), $"the kind of the operation: {string.Join(", ", OperationKinds.All)}");
        }
        else if (!OperationKinds.All.Contains(reference.Kind, StringComparer.Ordinal))
        {
            errors.Add(FieldPath.Child(path, "kind"), $"\"{reference.Kind}\" is not a data operation; use one of {string.Join(", ", OperationKinds.All)}");
        }

        if (reference.Name.Length == 0)
        {
            errors.Required(FieldPath.Child(path, "name"), "the name of the operation to run after");
        }

        var fluid = $"{FluidResourceAttribute.FluidGroup}/{FluidResourceAttribute.FluidVersion}";
        if (!string.IsNullOrEmpty(reference.ApiVersion) && reference.ApiVersion != fluid)
        {
            errors.Add(FieldPath.Child(path, "apiVersion"), $"\"{reference.ApiVersion}\" is not served; use {fluid} or leave it out");
        }

        if (!string.IsNullOrEmpty(reference.Namespace) && Names.Dns1123Label(reference.Namespace) is { } problem)
        {
            errors.Add(FieldPath.Child(path, "namespace"), problem);
        }
    }
}

/// <summary>A DataLoad targets a dataset in its own namespace and loads absolute paths.</summary>
public sealed class DataLoadRule : ValidationRule<DataLoad>
{
    /// <inheritdoc/>
    protected override void Check(DataLoad load, string path, ValidationContext context)
    {
        var errors = context.Errors;
        DatasetName(load.Spec.Dataset.Name, "spec.dataset.name", errors);
        SameNamespace(load.Spec.Dataset.Namespace, "spec.dataset.namespace", context);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (load.Spec.Target?.Count ?? 0); i++)
        {
            var target = load.Spec.Target![i];
            var item = FieldPath.Index("spec.target", i);
            if (target.Path.Length > 0)
            {
                if (DatasetPath(target.Path) is { } problem)
                {
                    errors.Add(FieldPath.Child(item, "path"), problem);
                }
                else if (seen.TryGetValue(target.Path.TrimEnd('/'), out var first))
                {
                    errors.Add(FieldPath.Child(item, "path"), $"{target.Path} is already spec.target[{first}]; list each path once");
                }
                else
                {
                    seen[target.Path.TrimEnd('/')] = i;
                }
            }

            if (target.Replicas < 0)
            {
                errors.Add(FieldPath.Child(item, "replicas"), $"{target.Replicas} is negative; load at least 1 replica");
            }
        }
    }

    /// <summary>Checks a reference to a dataset by name.</summary>
    internal static void DatasetName(string name, string path, FieldErrors errors)
    {
        if (name.Length > 0 && Names.Dns1035Label(name) is { } problem)
        {
            errors.Add(path, problem);
        }
    }

    /// <summary>What is wrong with a path inside a dataset, or null.</summary>
    internal static string? DatasetPath(string path) =>
        path[0] != '/' ? $"\"{path}\" is not absolute; paths in a dataset start with / (e.g. /{path})"
        : path.Contains('\0', StringComparison.Ordinal) ? "the path contains NUL"
        : MountPoints.SegmentsProblem(path);

    /// <summary>An operation works on a dataset in its own namespace.</summary>
    internal static void SameNamespace(string? datasetNamespace, string path, ValidationContext context)
    {
        if (!string.IsNullOrEmpty(datasetNamespace) && datasetNamespace != context.Namespace)
        {
            context.Errors.Add(path, $"the dataset must be in the operation's namespace ({context.Namespace}); create the {context.Root.Kind} in {datasetNamespace} instead");
        }
    }
}

/// <summary>A DataMigrate moves data between one dataset and one other place.</summary>
public sealed class DataMigrateRule : ValidationRule<DataMigrate>
{
    /// <inheritdoc/>
    protected override void Check(DataMigrate migrate, string path, ValidationContext context)
    {
        var from = End(migrate.Spec.From, "spec.from", context);
        var to = End(migrate.Spec.To, "spec.to", context);
        if (from == "externalStorage" && to == "externalStorage")
        {
            context.Errors.Add("spec.to", "one end of a migration must be a dataset; set spec.from.dataset or spec.to.dataset");
        }

        if (migrate.Spec.Parallelism > 1 && (migrate.Spec.ParallelOptions is null || migrate.Spec.ParallelOptions.Count == 0))
        {
            context.Errors.Warn("spec.parallelOptions", "parallelism above 1 usually needs parallelOptions (e.g. sshSecretName); the defaults will be used");
        }
    }

    private static string? End(DataToMigrate end, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if ((end.Dataset is null) == (end.ExternalStorage is null))
        {
            errors.Add(path, "give exactly one of dataset or externalStorage");
            return null;
        }

        if (end.Dataset is { } dataset)
        {
            DataLoadRule.DatasetName(dataset.Name, FieldPath.Child(path, "dataset.name"), errors);
            if (!string.IsNullOrEmpty(dataset.Path) && DataLoadRule.DatasetPath(dataset.Path) is { } problem)
            {
                errors.Add(FieldPath.Child(path, "dataset.path"), problem);
            }

            return "dataset";
        }

        var storage = end.ExternalStorage!;
        var uriPath = FieldPath.Child(path, "externalStorage.uri");
        if (storage.Uri.Length > 0)
        {
            if (MountPoints.DatasetReference(storage.Uri) is not null)
            {
                errors.Add(uriPath, "to migrate from or to a dataset, use dataset: {name, namespace} instead of a dataset:// URI");
            }
            else if (MountPoints.Problem(storage.Uri) is { } problem)
            {
                errors.Add(uriPath, problem);
            }
        }

        EncryptOptionRules.CheckList(storage.EncryptOptions, FieldPath.Child(path, "externalStorage.encryptOptions"), null, context);
        return "externalStorage";
    }
}

/// <summary>A DataBackup names its dataset and writes to local:// or pvc://.</summary>
public sealed class DataBackupRule : ValidationRule<DataBackup>
{
    /// <inheritdoc/>
    protected override void Check(DataBackup backup, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if (string.IsNullOrEmpty(backup.Spec.Dataset))
        {
            errors.Required("spec.dataset", "the name of the dataset to back up");
        }
        else
        {
            DataLoadRule.DatasetName(backup.Spec.Dataset, "spec.dataset", errors);
        }

        if (string.IsNullOrEmpty(backup.Spec.BackupPath))
        {
            errors.Required("spec.backupPath", "where to write the backup: local:///dir or pvc://claim/dir");
        }
        else if (MountPoints.SchemeOf(backup.Spec.BackupPath) is not ("local" or "pvc"))
        {
            errors.Add("spec.backupPath", $"\"{backup.Spec.BackupPath}\" must be local:///dir or pvc://claim/dir");
        }
        else if (MountPoints.Problem(backup.Spec.BackupPath) is { } problem)
        {
            errors.Add("spec.backupPath", problem);
        }
    }
}

/// <summary>A DataProcess has exactly one processor, and the dataset's mount path is its own.</summary>
public sealed class DataProcessRule : ValidationRule<DataProcess>
{
    /// <inheritdoc/>
    protected override void Check(DataProcess process, string path, ValidationContext context)
    {
        var errors = context.Errors;
        var spec = process.Spec;
        DataLoadRule.DatasetName(spec.Dataset.Name, "spec.dataset.name", errors);
        DataLoadRule.SameNamespace(spec.Dataset.Namespace, "spec.dataset.namespace", context);
        var mountPath = spec.Dataset.MountPath;
        if (mountPath.Length > 0 && mountPath[0] != '/')
        {
            errors.Add("spec.dataset.mountPath", $"\"{mountPath}\" is not absolute; write /{mountPath}");
        }

        if (!string.IsNullOrEmpty(spec.Dataset.SubPath) && MountPoints.SegmentsProblem(spec.Dataset.SubPath) is { } subProblem)
        {
            errors.Add("spec.dataset.subPath", subProblem);
        }

        var processor = spec.Processor;
        if ((processor.Job is null) == (processor.Script is null))
        {
            errors.Add("spec.processor", processor.Job is null
                ? "give a processor: job (a pod spec) or script (an image and a script source)"
                : "give exactly one processor: job or script, not both");
        }

        if (processor.Job is { PodSpec: null })
        {
            errors.Required("spec.processor.job.podSpec", "the pod to run, with at least one container");
        }

        const string reserved = "the dataset (spec.dataset.mountPath)";
        if (processor.Script is { } script && mountPath.Length > 0)
        {
            MountPaths.CheckConflicts(script.VolumeMounts, "spec.processor.script.volumeMounts", context, mountPath, reserved);
            var volumes = new HashSet<string>((script.Volumes ?? []).Select(v => v.Name), StringComparer.Ordinal);
            for (var i = 0; i < (script.VolumeMounts?.Count ?? 0); i++)
            {
                var name = script.VolumeMounts![i].Name;
                if (name.Length > 0 && !volumes.Contains(name))
                {
                    errors.Add($"spec.processor.script.volumeMounts[{i}].name", $"no volume named \"{name}\" in spec.processor.script.volumes; add it or fix the name");
                }
            }
        }

        var containers = processor.Job?.PodSpec?.Containers ?? [];
        for (var i = 0; i < containers.Count && mountPath.Length > 0; i++)
        {
            MountPaths.CheckConflicts(Reserved(containers[i].VolumeMounts, mountPath), $"spec.processor.job.podSpec.containers[{i}].volumeMounts", context, mountPath, reserved);
        }
    }

    // Only the mounts that collide with the dataset: repeats among the others are the PodSpec rule's to report.
    private static List<Core.VolumeMount>? Reserved(List<Core.VolumeMount>? mounts, string mountPath) =>
        mounts?.Select(m => m.MountPath.TrimEnd('/') == mountPath.TrimEnd('/') ? m : new Core.VolumeMount { Name = m.Name }).ToList();
}
