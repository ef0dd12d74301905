using System.Globalization;
using Fluid.Api.Core;
using Fluid.Api.Serialization;

namespace Fluid.Api.Validation;

/// <summary>A node selector requirement: a known operator with the values it needs.</summary>
public sealed class NodeSelectorRequirementRule : ValidationRule<NodeSelectorRequirement>
{
    /// <inheritdoc/>
    protected override void Check(NodeSelectorRequirement value, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if (value.Key.Length == 0)
        {
            errors.Required(FieldPath.Child(path, "key"), "the node label to match, e.g. kubernetes.io/hostname");
        }

        var values = value.Values ?? [];
        switch (value.Operator)
        {
            case "In" or "NotIn" when values.Count == 0:
                errors.Required(FieldPath.Child(path, "values"), $"at least one value for operator {value.Operator}");
                break;
            case "Exists" or "DoesNotExist" when values.Count > 0:
                errors.Add(FieldPath.Child(path, "values"), $"operator {value.Operator} takes no values; remove them");
                break;
            case "Gt" or "Lt" when values.Count != 1 || !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                errors.Add(FieldPath.Child(path, "values"), $"operator {value.Operator} takes exactly one integer value");
                break;
            case "In" or "NotIn" or "Exists" or "DoesNotExist" or "Gt" or "Lt":
                break;
            case "":
                errors.Required(FieldPath.Child(path, "operator"), "one of In, NotIn, Exists, DoesNotExist, Gt, Lt");
                break;
            default:
                errors.Add(FieldPath.Child(path, "operator"), $"\"{value.Operator}\" is not an operator; use one of {string.Join(", ", SelectorOperators.Node)}");
                break;
        }
    }
}

/// <summary>A preferred scheduling term has a weight from 1 to 100.</summary>
public sealed class PreferredSchedulingTermRule : ValidationRule<PreferredSchedulingTerm>
{
    /// <inheritdoc/>
    protected override void Check(PreferredSchedulingTerm value, string path, ValidationContext context)
    {
        if (value.Weight is < 1 or > 100)
        {
            context.Errors.Add(FieldPath.Child(path, "weight"), $"{value.Weight} is out of range; use a weight from 1 to 100");
        }
    }
}

/// <summary>A toleration: a known operator and effect; Exists takes no value.</summary>
public sealed class TolerationRule : ValidationRule<Toleration>
{
    /// <inheritdoc/>
    protected override void Check(Toleration value, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if (value.Operator is { Length: > 0 } op && !SelectorOperators.Toleration.Contains(op, StringComparer.Ordinal))
        {
            errors.Add(FieldPath.Child(path, "operator"), $"\"{op}\" is not an operator; use Equal or Exists");
        }

        if (value.Operator == "Exists" && !string.IsNullOrEmpty(value.Value))
        {
            errors.Add(FieldPath.Child(path, "value"), "operator Exists matches any value; remove value (or use operator Equal)");
        }

        if (string.IsNullOrEmpty(value.Key) && value.Operator != "Exists")
        {
            errors.Add(FieldPath.Child(path, "operator"), "an empty key matches every taint only with operator Exists");
        }

        if (value.Effect is { Length: > 0 } effect && !SelectorOperators.TaintEffects.Contains(effect, StringComparer.Ordinal))
        {
            errors.Add(FieldPath.Child(path, "effect"), $"\"{effect}\" is not a taint effect; use NoSchedule, PreferNoSchedule or NoExecute");
        }

        if (value.TolerationSeconds is not null && value.Effect != "NoExecute")
        {
            errors.Add(FieldPath.Child(path, "tolerationSeconds"), "only applies to effect NoExecute; set effect: NoExecute or remove it");
        }
    }
}

/// <summary>Resource amounts are not negative and requests do not exceed limits.</summary>
public sealed class ResourceRequirementsRule : ValidationRule<ResourceRequirements>
{
    /// <inheritdoc/>
    protected override void Check(ResourceRequirements value, string path, ValidationContext context)
    {
        foreach (var (kind, map) in new[] { ("limits", value.Limits), ("requests", value.Requests) })
        {
            foreach (var (name, quantity) in map ?? [])
            {
                if (quantity.Value < 0)
                {
                    context.Errors.Add(FieldPath.Key(FieldPath.Child(path, kind), name), $"{quantity} is negative; resources must be 0 or more");
                }
            }
        }

        foreach (var (name, request) in value.Requests ?? [])
        {
            if (value.Limits?.TryGetValue(name, out var limit) == true && request.Value > limit.Value)
            {
                context.Errors.Add(FieldPath.Key(FieldPath.Child(path, "requests"), name), $"request {request} is more than the limit {limit}; raise the limit or lower the request");
            }
        }
    }
}

/// <summary>An environment variable has a name and at most one source.</summary>
public sealed class EnvVarRule : ValidationRule<EnvVar>
{
    /// <inheritdoc/>
    protected override void Check(EnvVar value, string path, ValidationContext context)
    {
        if (value.Name.Length == 0)
        {
            context.Errors.Required(FieldPath.Child(path, "name"), "the variable's name");
        }

        if (value.Value is { Length: > 0 } && value.ValueFrom is not null)
        {
            context.Errors.Add(FieldPath.Child(path, "valueFrom"), "give either value or valueFrom, not both");
        }
    }
}

/// <summary>A volume mount names a volume and an absolute path.</summary>
public sealed class VolumeMountRule : ValidationRule<VolumeMount>
{
    /// <inheritdoc/>
    protected override void Check(VolumeMount value, string path, ValidationContext context)
    {
        if (value.Name.Length == 0)
        {
            context.Errors.Required(FieldPath.Child(path, "name"), "the name of the volume to mount");
        }

        if (value.MountPath.Length == 0)
        {
            context.Errors.Required(FieldPath.Child(path, "mountPath"), "the absolute path where the volume appears");
        }
        else if (value.MountPath[0] != '/')
        {
            context.Errors.Add(FieldPath.Child(path, "mountPath"), $"\"{value.MountPath}\" is not absolute; write /{value.MountPath}");
        }
    }
}

/// <summary>A volume has a DNS-label name and one source.</summary>
public sealed class VolumeRule : ValidationRule<Volume>
{
    /// <inheritdoc/>
    protected override void Check(Volume value, string path, ValidationContext context)
    {
        if (value.Name.Length == 0)
        {
            context.Errors.Required(FieldPath.Child(path, "name"), "a name that volumeMounts refer to");
        }
        else if (Names.Dns1123Label(value.Name) is { } problem)
        {
            context.Errors.Add(FieldPath.Child(path, "name"), problem);
        }

        var sources = new object?[] { value.HostPath, value.EmptyDir, value.PersistentVolumeClaim, value.Secret, value.ConfigMap }.Count(s => s is not null)
            + (value.OtherSources?.Count ?? 0);
        if (sources > 1)
        {
            context.Errors.Add(path, "a volume has exactly one source (hostPath, emptyDir, persistentVolumeClaim, secret, configMap, ...); split it into several volumes");
        }
    }
}

/// <summary>Volume mounts of a pod refer to its volumes; container names are unique.</summary>
public sealed class PodSpecRule : ValidationRule<PodSpec>
{
    /// <inheritdoc/>
    protected override void Check(PodSpec value, string path, ValidationContext context)
    {
        if (value.Containers.Count == 0)
        {
            context.Errors.Required(FieldPath.Child(path, "containers"), "at least one container");
        }

        var volumes = new HashSet<string>((value.Volumes ?? []).Select(v => v.Name), StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (list, field) in new[] { (value.InitContainers, "initContainers"), (value.Containers, "containers") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                var container = list![i];
                var item = FieldPath.Index(FieldPath.Child(path, field), i);
                if (container.Name.Length == 0)
                {
                    context.Errors.Required(FieldPath.Child(item, "name"), "a container name");
                }
                else if (!names.Add(container.Name))
                {
                    context.Errors.Add(FieldPath.Child(item, "name"), $"\"{container.Name}\" is used by another container; names must be unique in a pod");
                }

                for (var j = 0; j < (container.VolumeMounts?.Count ?? 0); j++)
                {
                    var mount = container.VolumeMounts![j];
                    if (mount.Name.Length > 0 && !volumes.Contains(mount.Name))
                    {
                        context.Errors.Add(FieldPath.Child(FieldPath.Index(FieldPath.Child(item, "volumeMounts"), j), "name"), $"no volume named \"{mount.Name}\" in {FieldPath.Child(path, "volumes")}; add it or fix the name");
                    }
                }

                MountPaths.CheckConflicts(container.VolumeMounts, FieldPath.Child(item, "volumeMounts"), context);
            }
        }
    }
}

/// <summary>Checks that mount paths in one container are distinct.</summary>
public static class MountPaths
{
    /// <summary>Reports every volume mount whose mountPath repeats an earlier one.</summary>
    public static void CheckConflicts(List<VolumeMount>? mounts, string path, ValidationContext context, string? reserved = null, string? reservedBy = null)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (mounts?.Count ?? 0); i++)
        {
            var mountPath = mounts![i].MountPath.TrimEnd('/');
            if (mountPath.Length == 0)
            {
                continue;
            }

            var item = FieldPath.Child(FieldPath.Index(path, i), "mountPath");
            if (reserved is not null && mountPath == reserved.TrimEnd('/'))
            {
                context.Errors.Add(item, $"{mounts[i].MountPath} is where {reservedBy} is mounted; choose another path");
            }
            else if (seen.TryGetValue(mountPath, out var first))
            {
                context.Errors.Add(item, $"{mounts[i].MountPath} is already mounted by {FieldPath.Index(path, first)}; each mount needs its own path");
            }
            else
            {
                seen[mountPath] = i;
            }
        }
    }
}
