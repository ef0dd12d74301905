using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Status;

namespace Fluid.Control.Native;

/// <summary>
/// A classic cache kind (AlluxioRuntime, JuiceFSRuntime, JindoRuntime, GooseFSRuntime,
/// EFCRuntime) served by the native engine: spec.replicas and spec.tieredstore are honoured;
/// every other field set is reported as ignored with its path, because only the third-party
/// engine understands it. The spec is read as JSON, so one reader serves all five kinds.
/// </summary>
public sealed class ClassicRuntimeSource(string kind, string runtimeType) : INativeRuntimeSource
{
    private static readonly HashSet<string> HonouredLevelFields = ["mediumtype", "path", "quota", "quotaList", "high", "low", "volumeType"];

    /// <summary>The classic kinds with upstream's runtime type of each (the type appears in node label names).</summary>
    public static IReadOnlyList<ClassicRuntimeSource> All { get; } =
    [
        new("AlluxioRuntime", "alluxio"),
        new("JuiceFSRuntime", "juicefs"),
        new("JindoRuntime", "jindo"),
        new("GooseFSRuntime", "goosefs"),
        new("EFCRuntime", "efc"),
    ];

    /// <inheritdoc/>
    public string Kind { get; } = kind;

    /// <inheritdoc/>
    public string? RuntimeClass => null;

    /// <inheritdoc/>
    public string RuntimeType { get; } = runtimeType;

    /// <inheritdoc/>
    public NativeCacheSpec Read(KubeObject runtime)
    {
        var result = new NativeCacheSpec();
        var spec = FluidJson.ToNode(runtime)["spec"] as JsonObject ?? [];
        foreach (var (field, value) in spec)
        {
            if (value is null || field is "replicas" or "tieredstore")
            {
                continue;
            }

            result.Warnings.Add(new FieldIssue($"spec.{field}", $"ignored: only the {Kind} engine understands it; here the native cache serves the dataset"));
        }

        if (spec["replicas"] is { } replicas)
        {
            result.WorkerReplicas = replicas.GetValue<int>();
        }

        var store = spec["tieredstore"] is JsonObject s ? FluidJson.FromNode<TieredStore>(s) : null;
        var levels = store?.Levels ?? [];
        var levelJson = spec["tieredstore"]?["levels"] as JsonArray;
        for (var i = 0; i < levels.Count; i++)
        {
            var at = $"spec.tieredstore.levels[{i}]";
            foreach (var (field, value) in levelJson?[i] as JsonObject ?? [])
            {
                if (value is not null && !HonouredLevelFields.Contains(field))
                {
                    result.Warnings.Add(new FieldIssue($"{at}.{field}", $"ignored: only the {Kind} engine understands it"));
                }
            }

            ReadLevel(levels[i], at, result);
        }

        return result;
    }

    /// <inheritdoc/>
    public bool StatusHasCacheStates => true;

    /// <inheritdoc/>
    public JsonObject Status(RuntimeReport report, JsonObject? previous)
    {
        var status = previous is null ? new RuntimeStatus() : FluidJson.FromNode<RuntimeStatus>(previous);
        status.MasterPhase = report.Master.Phase;
        status.DesiredMasterNumberScheduled = report.Master.Desired;
        status.CurrentMasterNumberScheduled = report.Master.Current;
        status.MasterNumberReady = report.Master.Ready;
        status.WorkerPhase = report.Worker.Phase;
        status.DesiredWorkerNumberScheduled = report.Worker.Desired;
        status.CurrentWorkerNumberScheduled = report.Worker.Current;
        status.WorkerNumberReady = report.Worker.Ready;
        status.WorkerNumberAvailable = report.Worker.Available;
        status.WorkerNumberUnavailable = report.Worker.Unavailable;
        status.FusePhase = report.Fuse.Phase;
        status.DesiredFuseNumberScheduled = report.Fuse.Desired;
        status.CurrentFuseNumberScheduled = report.Fuse.Current;
        status.FuseNumberReady = report.Fuse.Ready;
        status.FuseNumberAvailable = report.Fuse.Available;
        status.FuseNumberUnavailable = report.Fuse.Unavailable;
        status.Conditions = [.. report.Conditions];
        status.Selector = report.Selector;
        status.SetupDuration = report.SetupDuration ?? status.SetupDuration;
        return FluidJson.ToNode(status);
    }

    private static void ReadLevel(Level level, string at, NativeCacheSpec result)
    {
        if (level.MediumType is not ("MEM" or "SSD" or "HDD"))
        {
            result.Errors.Add(new FieldIssue($"{at}.mediumtype", $"\"{level.MediumType}\" is not MEM, SSD or HDD"));
            return;
        }

        var paths = (level.Path ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (paths.Length == 0)
        {
            result.Errors.Add(new FieldIssue($"{at}.path", "required: the directories of the tier, e.g. /dev/shm or /mnt/cache1,/mnt/cache2"));
            return;
        }

        var quotas = new List<long>();
        if (!string.IsNullOrEmpty(level.QuotaList))
        {
            var texts = level.QuotaList.Split(',', StringSplitOptions.TrimEntries);
            if (texts.Length != paths.Length)
            {
                result.Errors.Add(new FieldIssue($"{at}.quotaList", $"give one quota per path: {paths.Length} paths, {texts.Length} quotas"));
                return;
            }

            foreach (var text in texts)
            {
                if (!Quantity.TryParse(text, out var q, out _) || q.Value <= 0)
                {
                    result.Errors.Add(new FieldIssue($"{at}.quotaList", $"\"{text}\" is not a positive size such as 10Gi"));
                    return;
                }

                quotas.Add(q.ToInt64());
            }
        }
        else if (level.Quota is { Value: > 0 } quota)
        {
            // Upstream splits a tier's quota evenly over its paths.
            var each = quota.ToInt64() / paths.Length;
            quotas.AddRange(paths.Select(_ => each));
        }
        else
        {
            result.Errors.Add(new FieldIssue($"{at}.quota", "required: a positive size such as 2Gi (or quotaList)"));
            return;
        }

        TierVolume volume;
        switch (level.VolumeType ?? VolumeTypes.HostPath)
        {
            case VolumeTypes.HostPath:
                volume = TierVolume.HostPath;
                break;
            case VolumeTypes.EmptyDir:
                volume = level.MediumType == "MEM" ? TierVolume.Memory : TierVolume.EmptyDir;
                break;
            default:
                result.Errors.Add(new FieldIssue($"{at}.volumeType", $"\"{level.VolumeType}\" is not served by the native cache; use hostPath or emptyDir"));
                return;
        }

        result.Tiers.Add(new NativeTier(level.MediumType, paths, quotas, volume, level.High, level.Low));
    }
}
