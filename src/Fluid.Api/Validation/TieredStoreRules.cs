using System.Globalization;
using Fluid.Api.Core;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Validation;

/// <summary>A cache tier: a known medium, absolute paths, a positive quota that fits the paths, and sane watermarks.</summary>
public sealed class LevelRule : ValidationRule<Level>
{
    /// <inheritdoc/>
    protected override void Check(Level level, string path, ValidationContext context)
    {
        var errors = context.Errors;
        if (level.VolumeType is { Length: > 0 } volumeType && !VolumeTypes.All.Contains(volumeType, StringComparer.Ordinal))
        {
            errors.Add(FieldPath.Child(path, "volumeType"), $"\"{volumeType}\" is not a volume type; use hostPath, emptyDir or volumeTemplate");
        }

        if (level.VolumeType == VolumeTypes.VolumeTemplate && level.VolumeSource is null)
        {
            errors.Required(FieldPath.Child(path, "volumeSource"), "the volume to use when volumeType is volumeTemplate");
        }

        var paths = TierLayout.Paths(level);
        if (paths.Count == 0 && level.VolumeType != VolumeTypes.EmptyDir && level.VolumeType != VolumeTypes.VolumeTemplate)
        {
            errors.Required(FieldPath.Child(path, "path"), "the tier's directories, comma-separated (e.g. /dev/shm or /mnt/ssd1,/mnt/ssd2)");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in paths)
        {
            if (dir.Length == 0 || dir[0] != '/')
            {
                errors.Add(FieldPath.Child(path, "path"), $"\"{dir}\" is not absolute; every tier path starts with /");
            }
            else if (MountPoints.SegmentsProblem(dir) is { } problem)
            {
                errors.Add(FieldPath.Child(path, "path"), problem);
            }
            else if (!seen.Add(dir.TrimEnd('/')))
            {
                errors.Add(FieldPath.Child(path, "path"), $"\"{dir}\" is listed twice; list each directory once");
            }
        }

        CheckQuota(level, paths.Count, path, errors);
        Watermarks.Check(level.High, level.Low, path, errors);
    }

    private static void CheckQuota(Level level, int pathCount, string path, FieldErrors errors)
    {
        if (level.Quota is null && string.IsNullOrEmpty(level.QuotaList))
        {
            errors.Required(FieldPath.Child(path, "quota"), "how much the tier may hold (e.g. 2Gi), or quotaList with one size per path");
            return;
        }

        if (level.Quota is { } quota && quota.Value <= 0)
        {
            errors.Add(FieldPath.Child(path, "quota"), $"{quota} is not positive; give the tier a size such as 2Gi");
        }

        if (string.IsNullOrEmpty(level.QuotaList))
        {
            return;
        }

        var parts = level.QuotaList.Split(',');
        foreach (var part in parts)
        {
            if (!Quantity.TryParse(part.Trim(), out var q, out var error))
            {
                errors.Add(FieldPath.Child(path, "quotaList"), error!);
            }
            else if (q.Value <= 0)
            {
                errors.Add(FieldPath.Child(path, "quotaList"), $"{q} is not positive; every path needs a size such as 10Gi");
            }
        }

        if (pathCount > 0 && parts.Length != pathCount)
        {
            errors.Add(FieldPath.Child(path, "quotaList"), $"{parts.Length} quota(s) for {pathCount} path(s); give one size per path, in the order of path");
        }
    }
}

/// <summary>Tiers come fastest first, each medium once.</summary>
public sealed class TieredStoreRule : ValidationRule<TieredStore>
{
    /// <inheritdoc/>
    protected override void Check(TieredStore store, string path, ValidationContext context)
    {
        var levels = store.Levels ?? [];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastRank = -1;
        for (var i = 0; i < levels.Count; i++)
        {
            var medium = levels[i].MediumType;
            var rank = MediumTypes.All.ToList().IndexOf(medium);
            if (rank < 0)
            {
                continue;
            }

            var item = FieldPath.Child(FieldPath.Index(FieldPath.Child(path, "levels"), i), "mediumtype");
            if (seen.TryGetValue(medium, out var first))
            {
                context.Errors.Add(item, $"{medium} is already tier levels[{first}]; give each medium one level (list several paths in it instead)");
            }
            else if (rank < lastRank)
            {
                context.Errors.Add(item, $"{medium} comes after a slower tier; order levels fastest first: MEM, SSD, HDD");
            }

            seen.TryAdd(medium, i);
            lastRank = Math.Max(lastRank, rank);
        }
    }
}

/// <summary>How a tier's capacity is laid over its directories.</summary>
public static class TierLayout
{
    /// <summary>The tier's directories, from its comma-separated path.</summary>
    public static IReadOnlyList<string> Paths(Level level) =>
        string.IsNullOrWhiteSpace(level.Path) ? [] : [.. level.Path.Split(',').Select(p => p.Trim())];

    /// <summary>
    /// Capacity of each directory: quotaList when given, otherwise the quota split evenly over the
    /// paths (as upstream does), rounding down to whole bytes.
    /// </summary>
    public static IReadOnlyList<(string Path, long Bytes)> PathQuotas(Level level)
    {
        var paths = Paths(level);
        if (!string.IsNullOrEmpty(level.QuotaList))
        {
            var quotas = level.QuotaList.Split(',').Select(q => Quantity.Parse(q.Trim()).ToInt64()).ToList();
            return [.. paths.Zip(quotas, (p, q) => (p, q))];
        }

        if (level.Quota is null || paths.Count == 0)
        {
            return [.. paths.Select(p => (p, 0L))];
        }

        var each = level.Quota.ToInt64() / paths.Count;
        return [.. paths.Select(p => (p, each))];
    }
}

/// <summary>Eviction watermarks: ratios from 0 to 1, low below high.</summary>
public static class Watermarks
{
    /// <summary>Checks the high and low watermarks of the tier at <paramref name="path"/>.</summary>
    public static void Check(string? highText, string? lowText, string path, FieldErrors errors)
    {
        var high = Ratio(highText, FieldPath.Child(path, "high"), errors);
        var low = Ratio(lowText, FieldPath.Child(path, "low"), errors);
        if (high is not null && low is not null && low >= high)
        {
            errors.Add(FieldPath.Child(path, "low"), $"low ({lowText}) must be below high ({highText}): eviction runs from high down to low");
        }
    }

    private static double? Ratio(string? text, string path, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
        {
            errors.Add(path, $"\"{text}\" is not a number; write a ratio from 0 to 1 such as \"0.9\"");
            return null;
        }

        if (value is < 0 or > 1)
        {
            errors.Add(path, $"{text} is out of range; a watermark is a ratio from 0 to 1 (e.g. 0.95, not 95)");
            return null;
        }

        return value;
    }
}

/// <summary>A tier of the native engine's CacheRuntime: one source, positive quotas, absolute paths, sane watermarks.</summary>
public sealed class CacheRuntimeTierRule : ValidationRule<CacheRuntimeTieredStoreLevel>
{
    /// <inheritdoc/>
    protected override void Check(CacheRuntimeTieredStoreLevel level, string path, ValidationContext context)
    {
        var errors = context.Errors;
        var sources = new object?[] { level.ProcessMemory, level.EmptyDir, level.HostPath }.Count(s => s is not null);
        if (sources != 1)
        {
            errors.Add(path, sources == 0
                ? "give the tier one source: processMemory, emptyDir or hostPath"
                : "a tier has exactly one source (processMemory, emptyDir or hostPath); split it into several levels");
        }

        Positive(level.ProcessMemory?.Quota, FieldPath.Child(FieldPath.Child(path, "processMemory"), "quota"), errors);
        Positive(level.EmptyDir?.Quota, FieldPath.Child(FieldPath.Child(path, "emptyDir"), "quota"), errors);
        if (level.HostPath is { } hostPath)
        {
            var where = FieldPath.Child(path, "hostPath");
            for (var i = 0; i < hostPath.Paths.Count; i++)
            {
                if (hostPath.Paths[i] is not ['/', ..] || MountPoints.SegmentsProblem(hostPath.Paths[i]) is not null)
                {
                    errors.Add(FieldPath.Index(FieldPath.Child(where, "paths"), i), $"\"{hostPath.Paths[i]}\" must be an absolute path without \"..\"");
                }
            }

            for (var i = 0; i < hostPath.Quotas.Count; i++)
            {
                Positive(hostPath.Quotas[i], FieldPath.Index(FieldPath.Child(where, "quotas"), i), errors);
            }

            if (hostPath.Quotas.Count != hostPath.Paths.Count)
            {
                errors.Add(FieldPath.Child(where, "quotas"), $"{hostPath.Quotas.Count} quota(s) for {hostPath.Paths.Count} path(s); give one size per path, in the order of paths");
            }
        }

        Watermarks.Check(level.High, level.Low, path, errors);
    }

    private static void Positive(Quantity? quota, string path, FieldErrors errors)
    {
        if (quota is not null && quota.Value <= 0)
        {
            errors.Add(path, $"{quota} is not positive; give the tier a size such as 2Gi");
        }
    }
}
