using System.Globalization;
using Fluid.Control.Naming;

namespace Fluid.Control.Native;

/// <summary>
/// The labels upstream puts on a node that holds a dataset's cache (pkg/utils/dataset/lifecycle):
/// runtime and common labels, the exclusive claim in Exclusive placement, the dataset count, and
/// the memory/disk/total capacity of the cache on the node.
/// </summary>
public static class CacheNodeLabels
{
    /// <summary>The node's labels with the dataset's cache added; unchanged when the node already carries it.</summary>
    public static Dictionary<string, string> Assign(IReadOnlyDictionary<string, string> current, NativeLayout layout, IReadOnlyList<NativeTier> tiers, bool exclusive, string nodeName)
    {
        var labels = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var runtimeLabel = FluidLabels.Runtime(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid);
        if (labels.ContainsKey(runtimeLabel))
        {
            return labels;
        }

        labels[runtimeLabel] = "true";
        labels[FluidLabels.Common(layout.Namespace, layout.Name, layout.DatasetUid)] = "true";
        // Never take over another dataset's claim: releasing ours later would drop theirs.
        if (exclusive && !labels.ContainsKey(FluidLabels.ExclusiveKey))
        {
            labels[FluidLabels.ExclusiveKey] = FluidLabels.ExclusiveValue(layout.Namespace, layout.Name);
        }

        labels[FluidLabels.DatasetNum] = (DatasetCount(labels, nodeName) + 1).ToString(CultureInfo.InvariantCulture);
        var memory = tiers.Where(t => t.IsMemory).Sum(t => t.TotalBytes);
        var disk = tiers.Where(t => !t.IsMemory).Sum(t => t.TotalBytes);
        if (tiers.Any(t => t.IsMemory))
        {
            labels[FluidLabels.MemoryCapacity(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid)] = ByteUnits.Label(memory);
        }

        if (tiers.Any(t => !t.IsMemory))
        {
            labels[FluidLabels.DiskCapacity(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid)] = ByteUnits.Label(disk);
        }

        labels[FluidLabels.TotalCapacity(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid)] = ByteUnits.Label(memory + disk);
        return labels;
    }

    /// <summary>The node's labels with the dataset's cache removed; the exclusive claim only when it is this dataset's.</summary>
    public static Dictionary<string, string> Unassign(IReadOnlyDictionary<string, string> current, NativeLayout layout, string nodeName)
    {
        var labels = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var runtimeLabel = FluidLabels.Runtime(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid);
        if (!labels.Remove(runtimeLabel))
        {
            return labels;
        }

        labels.Remove(FluidLabels.Common(layout.Namespace, layout.Name, layout.DatasetUid));
        labels.Remove(FluidLabels.MemoryCapacity(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid));
        labels.Remove(FluidLabels.DiskCapacity(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid));
        labels.Remove(FluidLabels.TotalCapacity(layout.RuntimeType, layout.Namespace, layout.Name, layout.DatasetUid));
        if (labels.TryGetValue(FluidLabels.ExclusiveKey, out var owner) && owner == FluidLabels.ExclusiveValue(layout.Namespace, layout.Name))
        {
            labels.Remove(FluidLabels.ExclusiveKey);
        }

        if (labels.ContainsKey(FluidLabels.DatasetNum))
        {
            var count = DatasetCount(labels, nodeName);
            if (count < 2)
            {
                labels.Remove(FluidLabels.DatasetNum);
            }
            else
            {
                labels[FluidLabels.DatasetNum] = (count - 1).ToString(CultureInfo.InvariantCulture);
            }
        }

        return labels;
    }

    private static int DatasetCount(Dictionary<string, string> labels, string nodeName)
    {
        if (!labels.TryGetValue(FluidLabels.DatasetNum, out var text))
        {
            return 0;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidOperationException($"node {nodeName}: label {FluidLabels.DatasetNum}=\"{text}\" is not a count; fix or remove the label");
    }
}
