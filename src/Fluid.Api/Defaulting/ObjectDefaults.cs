using System.ComponentModel;
using System.Reflection;
using Fluid.Api.Meta;
using Fluid.Api.V1Alpha1;
using Fluid.Api.Validation;

namespace Fluid.Api.Defaulting;

/// <summary>
/// Fills in what a user may leave out, as upstream Fluid and its CRDs do: every [DefaultValue]
/// of the types (DataLoad policy Once, script restartPolicy Never, dataset placement Exclusive,
/// ...) and the rules below that a single attribute cannot say. Runs after validation, so
/// errors always name what the user wrote.
/// </summary>
public static class ObjectDefaults
{
    private static readonly Dictionary<Type, Action<object>> Rules = new()
    {
        [typeof(DatasetSpec)] = spec => Dataset((DatasetSpec)spec),
        [typeof(TargetPath)] = target => ((TargetPath)target).Replicas ??= 1,
    };

    /// <summary>Applies every default to <paramref name="obj"/> in place.</summary>
    public static void Apply(IKubeObject obj) =>
        ObjectWalker.Walk(
            obj,
            (value, _) =>
            {
                if (Rules.TryGetValue(value.GetType(), out var rule))
                {
                    rule(value);
                }
            },
            field =>
            {
                if (field.Value is null && field.Property.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } value })
                {
                    field.Property.SetValue(field.Owner, value);
                }
            });

    private static void Dataset(DatasetSpec spec)
    {
        if (spec.AccessModes is null || spec.AccessModes.Count == 0)
        {
            spec.AccessModes = [AccessModes.ReadOnlyMany];
        }

        if (spec.PlacementMode == "")
        {
            spec.PlacementMode = PlacementModes.Exclusive;
        }

        foreach (var mount in spec.Mounts ?? [])
        {
            // Upstream places a mount at its absolute path, otherwise at /{name}.
            if (string.IsNullOrEmpty(mount.Path) || mount.Path[0] != '/')
            {
                mount.Path = mount.TreePath;
            }
        }
    }
}
