using System.Text.Json;
using System.Text.Json.Serialization;
using Fluid.Api.Schema;

namespace Fluid.Api.Core;

/// <summary>
/// Where a volume's data comes from (core/v1 VolumeSource). The sources Fluid's workloads use are
/// modelled; every other Kubernetes volume source is accepted and kept as written.
/// </summary>
[OpaqueFields("nfs", "csi", "projected", "downwardAPI", "ephemeral", "image", "awsElasticBlockStore", "gcePersistentDisk",
    "gitRepo", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "azureDisk",
    "vsphereVolume", "quobyte", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos")]
public class VolumeSource
{
    /// <summary>A directory of the node.</summary>
    public HostPathVolumeSource? HostPath { get; set; }

    /// <summary>An empty directory that lives as long as the pod.</summary>
    public EmptyDirVolumeSource? EmptyDir { get; set; }

    /// <summary>A PersistentVolumeClaim in the pod's namespace.</summary>
    public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; set; }

    /// <summary>The keys of a Secret as files.</summary>
    public SecretVolumeSource? Secret { get; set; }

    /// <summary>The keys of a ConfigMap as files.</summary>
    public ConfigMapVolumeSource? ConfigMap { get; set; }

    /// <summary>The other volume sources, kept as written.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OtherSources { get; set; }
}

/// <summary>A named volume of a pod (core/v1 Volume).</summary>
public sealed class Volume : VolumeSource
{
    /// <summary>Volume name, referred to by volumeMounts.</summary>
    [JsonPropertyOrder(-1)]
    public string Name { get; set; } = "";
}

/// <summary>A directory of the node.</summary>
public sealed class HostPathVolumeSource
{
    /// <summary>Path on the node.</summary>
    public string Path { get; set; } = "";

    /// <summary>What must be at the path: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice.</summary>
    public string? Type { get; set; }
}

/// <summary>An empty directory for the pod's lifetime.</summary>
public sealed class EmptyDirVolumeSource
{
    /// <summary>"" (node disk) or "Memory" (tmpfs).</summary>
    public string? Medium { get; set; }

    /// <summary>The most it may hold.</summary>
    public Quantity? SizeLimit { get; set; }
}

/// <summary>A claim to mount.</summary>
public sealed class PersistentVolumeClaimVolumeSource
{
    /// <summary>Name of the PersistentVolumeClaim.</summary>
    public string ClaimName { get; set; } = "";

    /// <summary>Mount read-only.</summary>
    public bool? ReadOnly { get; set; }
}

/// <summary>A Secret's keys as files.</summary>
public sealed class SecretVolumeSource
{
    /// <summary>Name of the Secret.</summary>
    public string? SecretName { get; set; }

    /// <summary>Which keys, to which paths; all when empty.</summary>
    public List<KeyToPath>? Items { get; set; }

    /// <summary>File mode bits.</summary>
    public int? DefaultMode { get; set; }

    /// <summary>Whether the Secret may be missing.</summary>
    public bool? Optional { get; set; }
}

/// <summary>A ConfigMap's keys as files.</summary>
public sealed class ConfigMapVolumeSource
{
    /// <summary>Name of the ConfigMap.</summary>
    public string? Name { get; set; }

    /// <summary>Which keys, to which paths; all when empty.</summary>
    public List<KeyToPath>? Items { get; set; }

    /// <summary>File mode bits.</summary>
    public int? DefaultMode { get; set; }

    /// <summary>Whether the ConfigMap may be missing.</summary>
    public bool? Optional { get; set; }
}

/// <summary>A key projected to a relative path.</summary>
public sealed class KeyToPath
{
    /// <summary>The key.</summary>
    public string Key { get; set; } = "";

    /// <summary>Relative path of the file.</summary>
    public string Path { get; set; } = "";

    /// <summary>File mode bits.</summary>
    public int? Mode { get; set; }
}

/// <summary>Where a volume appears in a container (core/v1 VolumeMount).</summary>
public sealed class VolumeMount
{
    /// <summary>Name of the pod volume.</summary>
    public string Name { get; set; } = "";

    /// <summary>Path inside the container.</summary>
    public string MountPath { get; set; } = "";

    /// <summary>Path within the volume to mount instead of its root.</summary>
    public string? SubPath { get; set; }

    /// <summary>Like subPath, with $(VAR) expansion.</summary>
    public string? SubPathExpr { get; set; }

    /// <summary>Mount read-only.</summary>
    public bool? ReadOnly { get; set; }

    /// <summary>None, HostToContainer or Bidirectional.</summary>
    public string? MountPropagation { get; set; }

    /// <summary>Disabled, IfPossible or Enabled.</summary>
    public string? RecursiveReadOnly { get; set; }
}
