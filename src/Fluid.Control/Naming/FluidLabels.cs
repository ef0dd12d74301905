namespace Fluid.Control.Naming;

/// <summary>
/// Label and annotation names upstream Fluid puts on nodes, pods and volumes, built the way
/// upstream builds them (pkg/common/label.go, pkg/utils/label.go, pkg/ddc/base/label.go), so
/// the webhook, the scheduler plugins and kubectl selectors written for upstream keep working.
/// </summary>
public static class FluidLabels
{
    /// <summary>Prefix of every label and annotation the controllers add.</summary>
    public const string Prefix = "fluid.io/";

    /// <summary>Prefix of the storage labels: fluid.io/s-.</summary>
    public const string StoragePrefix = Prefix + "s-";

    /// <summary>Prefix of the label of nodes that run (or may run) a dataset's FUSE: fluid.io/f-.</summary>
    public const string FusePrefix = Prefix + "f-";

    /// <summary>Number of datasets cached on a node.</summary>
    public const string DatasetNum = Prefix + "dataset-num";

    /// <summary>Label of a dataset's cache pods: namespace-name of the dataset.</summary>
    public const string Dataset = Prefix + "dataset";

    /// <summary>Label of a dataset's objects holding its id.</summary>
    public const string DatasetId = Prefix + "dataset-id";

    /// <summary>Label of cache pods: the dataset's placement mode (Exclusive or Shared).</summary>
    public const string DatasetPlacement = Prefix + "dataset-placement";

    /// <summary>Node label claiming the node for one dataset in Exclusive placement; its value is namespace_name.</summary>
    public const string ExclusiveKey = "fluid_exclusive";

    /// <summary>Annotation upstream puts on the volumes it creates.</summary>
    public const string CreatedByAnnotation = "CreatedBy";

    /// <summary>Upstream's limit on a label name including its prefix (DNS-1035 label length).</summary>
    public const int MaxLength = 63;

    /// <summary>
    /// prefix + "namespace-name", or prefix + the dataset's uid when that would reach
    /// <see cref="MaxLength"/> characters (upstream's GetNamespacedNameValueWithPrefix).
    /// </summary>
    public static string NamespacedWithPrefix(string prefix, string ns, string name, string? datasetUid)
    {
        var full = $"{prefix}{ns}-{name}";
        if (full.Length < MaxLength || string.IsNullOrEmpty(datasetUid))
        {
            return full;
        }

        return prefix + datasetUid;
    }

    /// <summary>The dataset's id: "namespace-name", or its uid when long.</summary>
    public static string DatasetIdValue(string ns, string name, string? datasetUid) => NamespacedWithPrefix("", ns, name, datasetUid);

    /// <summary>fluid.io/s-{ns}-{name}: any runtime caches the dataset on the node.</summary>
    public static string Common(string ns, string name, string? datasetUid) => NamespacedWithPrefix(StoragePrefix, ns, name, datasetUid);

    /// <summary>fluid.io/s-{type}-{ns}-{name}: the runtime of this type caches the dataset on the node.</summary>
    public static string Runtime(string runtimeType, string ns, string name, string? datasetUid) =>
        NamespacedWithPrefix($"{StoragePrefix}{runtimeType}-", ns, name, datasetUid);

    /// <summary>fluid.io/s-h-{type}-m-{ns}-{name}: memory cache capacity on the node.</summary>
    public static string MemoryCapacity(string runtimeType, string ns, string name, string? datasetUid) => Capacity(runtimeType, "m-", ns, name, datasetUid);

    /// <summary>fluid.io/s-h-{type}-d-{ns}-{name}: disk cache capacity on the node.</summary>
    public static string DiskCapacity(string runtimeType, string ns, string name, string? datasetUid) => Capacity(runtimeType, "d-", ns, name, datasetUid);

    /// <summary>fluid.io/s-h-{type}-t-{ns}-{name}: total cache capacity on the node.</summary>
    public static string TotalCapacity(string runtimeType, string ns, string name, string? datasetUid) => Capacity(runtimeType, "t-", ns, name, datasetUid);

    /// <summary>fluid.io/f-{ns}-{name}: the node runs the dataset's FUSE.</summary>
    public static string Fuse(string ns, string name, string? datasetUid) => NamespacedWithPrefix(FusePrefix, ns, name, datasetUid);

    /// <summary>Value of <see cref="ExclusiveKey"/>: namespace_name.</summary>
    public static string ExclusiveValue(string ns, string name) => $"{ns}_{name}";

    private static string Capacity(string runtimeType, string storage, string ns, string name, string? datasetUid) =>
        NamespacedWithPrefix($"{StoragePrefix}h-{runtimeType}-{storage}", ns, name, datasetUid);
}
