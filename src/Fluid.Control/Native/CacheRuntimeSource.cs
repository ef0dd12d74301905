using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Status;

namespace Fluid.Control.Native;

/// <summary>CacheRuntime with runtimeClassName "fluid": the native engine's own kind.</summary>
public sealed class CacheRuntimeSource : INativeRuntimeSource
{
    /// <summary>The runtime class of the native cache engine.</summary>
    public const string FluidClass = "fluid";

    /// <inheritdoc/>
    public string Kind => "CacheRuntime";

    /// <inheritdoc/>
    public string? RuntimeClass => FluidClass;

    /// <summary>Upstream's runtime type of CacheRuntime (pkg/common: CacheRuntime = "cache").</summary>
    public string RuntimeType => "cache";

    /// <inheritdoc/>
    public NativeCacheSpec Read(KubeObject runtime)
    {
        var spec = ((CacheRuntime)runtime).Spec;
        var result = new NativeCacheSpec();
        if (spec.Master?.Replicas is { } masters)
        {
            if (masters != 1)
            {
                result.Errors.Add(new FieldIssue("spec.master.replicas", $"{masters}: the native cache runs exactly one master; set 1 or leave it out"));
            }
        }

        if (spec.Master?.Disabled == true)
        {
            result.Errors.Add(new FieldIssue("spec.master.disabled", "the native cache cannot run without its master; remove disabled"));
        }

        result.WorkerReplicas = spec.Worker?.Replicas ?? 1;
        if (spec.Worker?.Disabled == true)
        {
            result.WorkerReplicas = 0;
        }

        if (spec.Worker?.RuntimeVersion is { } version)
        {
            result.Image = ImageOf(version) ?? result.Image;
            result.ImagePullPolicy = version.ImagePullPolicy ?? result.ImagePullPolicy;
        }

        foreach (var (k, v) in spec.Worker?.NodeSelector ?? [])
        {
            result.WorkerNodeSelector[k] = v;
        }

        result.WorkerTolerations.AddRange(spec.Worker?.Tolerations ?? []);
        result.FuseTolerations.AddRange(spec.Client?.Tolerations ?? []);
        foreach (var (k, v) in spec.PodMetadata?.Labels ?? [])
        {
            result.PodLabels[k] = v;
        }

        if ((spec.Options ?? []).TryGetValue("blockSize", out var blockSize))
        {
            if (Quantity.TryParse(blockSize, out var size, out var error) && size.Value > 0)
            {
                result.BlockSize = size.Text;
            }
            else
            {
                result.Errors.Add(new FieldIssue("spec.options[blockSize]", $"\"{blockSize}\" is not a positive size such as 4Mi{(error is null ? "" : $" ({error})")}"));
            }
        }

        ReadTiers(spec.Worker?.TieredStore, "spec.worker.tieredStore", result);
        if (spec.Client?.TieredStore?.Levels is { Count: > 0 })
        {
            result.Warnings.Add(new FieldIssue("spec.client.tieredStore", "ignored: the native FUSE client reads through the workers and keeps no cache tiers of its own"));
        }

        return result;
    }

    /// <inheritdoc/>
    public bool StatusHasCacheStates => false;

    /// <inheritdoc/>
    public JsonObject Status(RuntimeReport report, JsonObject? previous)
    {
        var status = previous is null ? new CacheRuntimeStatus() : FluidJson.FromNode<CacheRuntimeStatus>(previous);
        status.Master = Component(report.Master);
        status.Worker = Component(report.Worker);
        status.Client = Component(report.Fuse);
        status.Conditions = [.. report.Conditions];
        status.Selector = report.Selector;
        status.SetupDuration = report.SetupDuration ?? status.SetupDuration;
        return FluidJson.ToNode(status);
    }

    private static CacheRuntimeComponentStatus Component(ComponentState state) => new()
    {
        Phase = state.Phase,
        DesiredReplicas = state.Desired,
        CurrentReplicas = state.Current,
        ReadyReplicas = state.Ready,
        AvailableReplicas = state.Available,
        UnavailableReplicas = state.Unavailable,
    };

    private static string? ImageOf(VersionSpec version) =>
        version.Image is null ? null : version.ImageTag is null ? version.Image : $"{version.Image}:{version.ImageTag}";

    private static void ReadTiers(CacheRuntimeTieredStore? store, string path, NativeCacheSpec result)
    {
        var levels = store?.Levels ?? [];
        for (var i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            var at = FieldPath.Index(FieldPath.Child(path, "levels"), i);
            var given = (level.ProcessMemory is null ? 0 : 1) + (level.EmptyDir is null ? 0 : 1) + (level.HostPath is null ? 0 : 1);
            if (given != 1)
            {
                result.Errors.Add(new FieldIssue(at, $"give exactly one of processMemory, emptyDir and hostPath (found {given})"));
                continue;
            }

            if (level.ProcessMemory is { } memory)
            {
                if (Positive(memory.Quota, FieldPath.Child(at, "processMemory.quota"), result) is { } bytes)
                {
                    result.Tiers.Add(new NativeTier("MEM", [$"/cache/tier{i}"], [bytes], TierVolume.Memory, level.High, level.Low));
                }
            }
            else if (level.EmptyDir is { } emptyDir)
            {
                if (Positive(emptyDir.Quota, FieldPath.Child(at, "emptyDir.quota"), result) is { } bytes)
                {
                    var memoryMedium = string.Equals(emptyDir.Medium, "Memory", StringComparison.Ordinal);
                    result.Tiers.Add(new NativeTier(memoryMedium ? "MEM" : "SSD", [$"/cache/tier{i}"], [bytes], memoryMedium ? TierVolume.Memory : TierVolume.EmptyDir, level.High, level.Low));
                }
            }
            else if (level.HostPath is { } hostPath)
            {
                if (hostPath.Paths.Count == 0 || hostPath.Paths.Count != hostPath.Quotas.Count)
                {
                    result.Errors.Add(new FieldIssue(FieldPath.Child(at, "hostPath.quotas"), $"give one quota per path: {hostPath.Paths.Count} paths, {hostPath.Quotas.Count} quotas"));
                    continue;
                }

                var quotas = new List<long>();
                for (var q = 0; q < hostPath.Quotas.Count; q++)
                {
                    if (Positive(hostPath.Quotas[q], FieldPath.Index(FieldPath.Child(at, "hostPath.quotas"), q), result) is { } bytes)
                    {
                        quotas.Add(bytes);
                    }
                }

                if (quotas.Count == hostPath.Paths.Count)
                {
                    result.Tiers.Add(new NativeTier("SSD", [.. hostPath.Paths], quotas, TierVolume.HostPath, level.High, level.Low));
                }
            }
        }
    }

    private static long? Positive(Quantity? quantity, string path, NativeCacheSpec result)
    {
        if (quantity is null || quantity.Value <= 0)
        {
            result.Errors.Add(new FieldIssue(path, $"{(quantity is null ? "missing" : $"\"{quantity.Text}\"")}: the quota must be a positive size such as 2Gi"));
            return null;
        }

        return quantity.ToInt64();
    }
}
