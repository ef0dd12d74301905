using System.Text.RegularExpressions;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Validation;

/// <summary>Rules of one mount: a well-formed source, a usable name and path, credentials only from Secrets.</summary>
public sealed partial class MountRule : ValidationRule<Mount>
{
    private static readonly string[] SecretWords = ["secret", "password", "access.key", "accesskey", "access-key", "token", "credential"];

    /// <inheritdoc/>
    protected override void Check(Mount mount, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if (mount.MountPoint.Length > 0 && MountPoints.Problem(mount.MountPoint) is { } problem)
        {
            errors.Add(FieldPath.Child(path, "mountPoint"), problem);
        }

        if (mount.Name is { Length: > 0 } name && !MountName().IsMatch(name))
        {
            errors.Add(FieldPath.Child(path, "name"), $"\"{name}\" is not a valid mount name: it becomes a directory, so use letters, digits, '-', '_' and '.', starting and ending with a letter or digit (at most 253)");
        }

        if (mount.Path is { Length: > 0 } mountPath)
        {
            if (mountPath[0] != '/')
            {
                errors.Add(FieldPath.Child(path, "path"), $"\"{mountPath}\" is not absolute; write /{mountPath} (or leave path out to use /{{name}})");
            }
            else if (mountPath.Contains('\0', StringComparison.Ordinal) || MountPoints.SegmentsProblem(mountPath) is not null)
            {
                errors.Add(FieldPath.Child(path, "path"), $"\"{mountPath.Replace("\0", "\\0", StringComparison.Ordinal)}\" may not contain \"..\" or NUL");
            }
        }

        foreach (var key in mount.Options?.Keys ?? (IEnumerable<string>)[])
        {
            if (SecretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Warn(FieldPath.Key(FieldPath.Child(path, "options"), key), "looks like a credential in plain text; move it to encryptOptions with valueFrom.secretKeyRef");
            }
        }

        EncryptOptionRules.CheckList(mount.EncryptOptions, FieldPath.Child(path, "encryptOptions"), mount.Options, context);
    }

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$")]
    private static partial Regex MountName();
}

/// <summary>Rules of encryptOptions: each names an option, a Secret and a key, once.</summary>
public static class EncryptOptionRules
{
    /// <summary>Checks a list of encrypt options at <paramref name="path"/>.</summary>
    public static void CheckList(List<EncryptOption>? options, string path, Dictionary<string, string>? plainOptions, ValidationContext context)
    {
        if (options is null)
        {
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count; i++)
        {
            var item = FieldPath.Index(path, i);
            var option = options[i];
            if (option.Name.Length == 0)
            {
                context.Errors.Required(FieldPath.Child(item, "name"), "the option this secret value is for (e.g. fs.s3a.access.key)");
            }
            else if (seen.TryGetValue(option.Name, out var first))
            {
                context.Errors.Add(FieldPath.Child(item, "name"), $"\"{option.Name}\" is already given in {FieldPath.Index(path, first)}; give each option once");
            }
            else
            {
                seen[option.Name] = i;
                if (plainOptions?.ContainsKey(option.Name) == true)
                {
                    context.Errors.Add(FieldPath.Child(item, "name"), $"\"{option.Name}\" is also set in plain options; keep only the encrypted one");
                }
            }

            var secretPath = FieldPath.Child(FieldPath.Child(item, "valueFrom"), "secretKeyRef");
            var secret = option.ValueFrom?.SecretKeyRef;
            if (secret is null)
            {
                context.Errors.Required(secretPath, "valueFrom.secretKeyRef with the name and key of the Secret holding the value");
                continue;
            }

            if (secret.Name.Length == 0)
            {
                context.Errors.Required(FieldPath.Child(secretPath, "name"), "the name of the Secret");
            }
            else if (Names.Dns1123Subdomain(secret.Name) is { } problem)
            {
                context.Errors.Add(FieldPath.Child(secretPath, "name"), problem);
            }

            if (string.IsNullOrEmpty(secret.Key))
            {
                context.Errors.Required(FieldPath.Child(secretPath, "key"), "the key in the Secret that holds the value");
            }
        }
    }
}

/// <summary>Rules across a dataset's mounts and its other fields.</summary>
public sealed class DatasetRule : ValidationRule<Dataset>
{
    /// <inheritdoc/>
    protected override void Check(Dataset dataset, string path, ValidationContext context)
    {
        var spec = dataset.Spec;
        var errors = context.Errors;
        var mounts = spec.Mounts ?? [];
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new List<(string Path, int Index)>();
        for (var i = 0; i < mounts.Count; i++)
        {
            var mount = mounts[i];
            var item = FieldPath.Index("spec.mounts", i);
            if (MountPoints.DatasetReference(mount.MountPoint) is { } reference)
            {
                if (mounts.Count > 1)
                {
                    errors.Add(FieldPath.Child(item, "mountPoint"), "a dataset:// reference must be the only mount of its dataset; move the other mounts to another dataset");
                }

                if (reference.Namespace == context.Namespace && reference.Name == dataset.Metadata.Name)
                {
                    errors.Add(FieldPath.Child(item, "mountPoint"), "a dataset cannot refer to itself");
                }
            }

            if (!string.IsNullOrEmpty(mount.Name))
            {
                if (names.TryGetValue(mount.Name, out var first))
                {
                    errors.Add(FieldPath.Child(item, "name"), $"\"{mount.Name}\" is already the name of spec.mounts[{first}]; give every mount its own name");
                    continue;
                }
                else
                {
                    names[mount.Name] = i;
                }
            }
            else if (mounts.Count > 1 && string.IsNullOrEmpty(mount.Path))
            {
                errors.Required(FieldPath.Child(item, "name"), "with several mounts each needs a name (its directory, /{name}) or an absolute path");
                continue;
            }

            var treePath = Normalize(mount.TreePath);
            if (treePath == "/" && mounts.Count > 1)
            {
                errors.Add(FieldPath.Child(item, string.IsNullOrEmpty(mount.Path) ? "name" : "path"), "only a dataset's single mount may sit at its root (/); give this mount its own directory");
                continue;
            }

            foreach (var (other, index) in paths)
            {
                if (other == treePath)
                {
                    errors.Add(FieldPath.Child(item, "path"), $"{treePath} is already where spec.mounts[{index}] appears; give each mount its own path");
                }
                else if (treePath.StartsWith(other + "/", StringComparison.Ordinal) || other.StartsWith(treePath + "/", StringComparison.Ordinal))
                {
                    errors.Add(FieldPath.Child(item, "path"), $"{treePath} and {other} (spec.mounts[{index}]) nest; mounts may not be inside one another");
                }
            }

            paths.Add((treePath, i));
        }

        for (var i = 0; i < (spec.AccessModes?.Count ?? 0); i++)
        {
            var mode = spec.AccessModes![i];
            if (!AccessModes.All.Contains(mode, StringComparer.Ordinal))
            {
                errors.Add(FieldPath.Index("spec.accessModes", i), $"\"{mode}\" is not an access mode; use ReadOnlyMany, ReadWriteMany, ReadWriteOnce or ReadWriteOncePod");
            }
        }

        EncryptOptionRules.CheckList(spec.SharedEncryptOptions, "spec.sharedEncryptOptions", spec.SharedOptions, context);

        if (spec.NodeAffinity?.Required is { NodeSelectorTerms.Count: 0 })
        {
            errors.Required("spec.nodeAffinity.required.nodeSelectorTerms", "at least one term (or remove nodeAffinity.required)");
        }

        if (spec.DataRestoreLocation is { } restore)
        {
            CheckRestore(restore, errors);
        }

        if (spec.Owner is { } owner)
        {
            if (owner.Uid < 0)
            {
                errors.Add("spec.owner.uid", $"{owner.Uid} is negative; use a user id of 0 or more");
            }

            if (owner.Gid < 0)
            {
                errors.Add("spec.owner.gid", $"{owner.Gid} is negative; use a group id of 0 or more");
            }
        }
    }

    private static void CheckRestore(DataRestoreLocation restore, FieldErrors errors)
    {
        const string where = "spec.dataRestoreLocation";
        if (string.IsNullOrEmpty(restore.Path))
        {
            errors.Required($"{where}.path", "local:///dir (with nodeName) or pvc://claim/dir holding the backup");
            return;
        }

        var scheme = MountPoints.SchemeOf(restore.Path);
        if (scheme is not ("local" or "pvc"))
        {
            errors.Add($"{where}.path", $"\"{restore.Path}\" must be local:///dir or pvc://claim/dir");
        }
        else if (MountPoints.Problem(restore.Path) is { } problem)
        {
            errors.Add($"{where}.path", problem);
        }
        else if (scheme == "local" && string.IsNullOrEmpty(restore.NodeName))
        {
            errors.Required($"{where}.nodeName", "the node holding a local:// backup");
        }
    }

    private static string Normalize(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }
}
