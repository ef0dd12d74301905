using Fluid.Control.Engines;
using Fluid.Control.Naming;

namespace Fluid.Control.Native;

/// <summary>Names, paths, ports and labels of one dataset's native cache, derived from its namespace and name.</summary>
public sealed class NativeLayout
{
    /// <summary>Port of the master's HTTP API.</summary>
    public const int MasterPort = 19998;

    /// <summary>Port of a worker's data endpoint.</summary>
    public const int WorkerPort = 29999;

    /// <summary>The CSI driver that publishes the dataset's volume into pods.</summary>
    public const string CsiDriver = "fuse.csi.fluid.io";

    /// <summary>Storage class of Fluid's volumes.</summary>
    public const string StorageClass = "fluid";

    /// <summary>Mount type in the volume's attributes: the FUSE is this project's native one.</summary>
    public const string MountType = "fluid";

    /// <summary>Where the token Secret is mounted.</summary>
    public const string TokenDir = "/etc/fluid/token";

    /// <summary>Where the dataset ConfigMap is mounted.</summary>
    public const string DatasetDir = "/etc/fluid/dataset";

    /// <summary>Where the Secrets of the dataset's encryptOptions are mounted, one directory per Secret.</summary>
    public const string SecretsDir = "/etc/fluid/secrets";

    /// <summary>Where the master keeps its state in its container.</summary>
    public const string MasterDataDir = "/var/lib/fluid/master";

    /// <summary>Where workers and the FUSE pod mount <see cref="SocketHostDir"/> (the same path in both, as the worker advertises it).</summary>
    public const string SocketDir = "/var/lib/fluid/sockets";

    /// <summary>Creates the layout of a dataset.</summary>
    public NativeLayout(EngineContext ctx, string runtimeType)
    {
        Namespace = ctx.Namespace;
        Name = ctx.Name;
        RuntimeType = runtimeType;
        DatasetUid = ctx.Dataset.Metadata.Uid;
    }

    /// <summary>Namespace of the dataset.</summary>
    public string Namespace { get; }

    /// <summary>Name of the dataset.</summary>
    public string Name { get; }

    /// <summary>Runtime type in node label names.</summary>
    public string RuntimeType { get; }

    /// <summary>Uid of the dataset (used when label names would be too long).</summary>
    public string? DatasetUid { get; }

    /// <summary>Master StatefulSet and Service.</summary>
    public string Master => $"{Name}-master";

    /// <summary>Worker StatefulSet.</summary>
    public string Worker => $"{Name}-worker";

    /// <summary>FUSE DaemonSet.</summary>
    public string Fuse => $"{Name}-fuse";

    /// <summary>Secret holding the token master, workers and clients share.</summary>
    public string TokenSecret => $"{Name}-token";

    /// <summary>ConfigMap holding the dataset the master serves.</summary>
    public string DatasetConfigMap => $"{Name}-dataset";

    /// <summary>PersistentVolume (cluster-scoped): namespace-name, as upstream.</summary>
    public string PersistentVolume => $"{Namespace}-{Name}";

    /// <summary>PersistentVolumeClaim: the dataset's name, as upstream.</summary>
    public string PersistentVolumeClaim => Name;

    /// <summary>The master's URL as workers and clients reach it.</summary>
    public string MasterUrl => $"http://{Master}.{Namespace}.svc:{MasterPort}";

    /// <summary>namespace/name, as the cache's --dataset flag takes it.</summary>
    public string DatasetRef => $"{Namespace}/{Name}";

    /// <summary>The host directory under which the FUSE mounts, upstream's /runtime-mnt/{type}/{ns}/{name}.</summary>
    public string FuseRoot => $"/runtime-mnt/{MountType}/{Namespace}/{Name}";

    /// <summary>The FUSE mountpoint (the volume's fluid_path), upstream's {root}/{type}-fuse.</summary>
    public string FusePath => $"{FuseRoot}/{MountType}-fuse";

    /// <summary>The master's state directory on the node.</summary>
    public string MasterHostDir => $"/var/lib/fluid/{Namespace}/{Name}/master";

    /// <summary>The node directory holding the Unix sockets of the runtime's workers there, shared with its FUSE pod for short-circuit reads.</summary>
    public string SocketHostDir => $"/var/lib/fluid/{Namespace}/{Name}/sockets";

    /// <summary>The dataset id label value.</summary>
    public string DatasetId => FluidLabels.DatasetIdValue(Namespace, Name, DatasetUid);

    /// <summary>The node label the FUSE DaemonSet selects.</summary>
    public string FuseNodeLabel => FluidLabels.Fuse(Namespace, Name, DatasetUid);

    /// <summary>Labels selecting one component's pods.</summary>
    public Dictionary<string, string> Selector(string role) => new(StringComparer.Ordinal)
    {
        ["app"] = "fluid",
        ["release"] = Name,
        ["role"] = $"fluid-{role}",
    };

    /// <summary>The worker selector in string form, for the scale subresource.</summary>
    public string WorkerSelectorText => string.Join(",", Selector("worker").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
