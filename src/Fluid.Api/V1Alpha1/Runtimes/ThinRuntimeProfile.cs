using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Api.V1Alpha1;

/// <summary>
/// A cluster-wide template for thin runtimes: the file system it serves and the FUSE client
/// (and optional worker) that mounts it. Like upstream, it is in no category.
/// </summary>
[FluidResource("ThinRuntimeProfile", "thinruntimeprofiles", Scope = ResourceScope.Cluster)]
[StatusSubresource]
public sealed class ThinRuntimeProfile : KubeObject<ThinRuntimeProfileSpec, ThinRuntimeProfileStatus>;

/// <summary>Desired state of a thin runtime profile.</summary>
public sealed class ThinRuntimeProfileSpec
{
    /// <summary>The file system the profile serves, e.g. nfs or rclone.</summary>
    [Required]
    public string FileSystemType { get; set; } = "";

    /// <summary>Secrets for pulling the profile's images.</summary>
    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>The worker component.</summary>
    public ThinCompTemplateSpec? Worker { get; set; }

    /// <summary>The FUSE client.</summary>
    public ThinFuseSpec? Fuse { get; set; }

    /// <summary>Volumes the worker and FUSE client may mount through their volumeMounts.</summary>
    public List<Volume>? Volumes { get; set; }

    /// <summary>What to do with the node-publish secret when the dataset mounts an existing persistent volume: NotMountNodePublishSecret, MountNodePublishSecretIfExists (the default) or CopyNodePublishSecretAndMountIfNotExists.</summary>
    [AllowedValues(ThinNodePublishSecretPolicies.NotMount, ThinNodePublishSecretPolicies.MountIfExists, ThinNodePublishSecretPolicies.CopyAndMountIfNotExists)]
    [DefaultValue(ThinNodePublishSecretPolicies.MountIfExists)]
    public string? NodePublishSecretPolicy { get; set; }
}

/// <summary>Observed state of a thin runtime profile; it has no fields.</summary>
public sealed class ThinRuntimeProfileStatus;

/// <summary>Values of a thin runtime profile's nodePublishSecretPolicy.</summary>
public static class ThinNodePublishSecretPolicies
{
    /// <summary>Do not mount the node-publish secret.</summary>
    public const string NotMount = "NotMountNodePublishSecret";

    /// <summary>Mount the node-publish secret when it exists (the default).</summary>
    public const string MountIfExists = "MountNodePublishSecretIfExists";

    /// <summary>Copy the node-publish secret and mount the copy if it does not exist yet.</summary>
    public const string CopyAndMountIfNotExists = "CopyNodePublishSecretAndMountIfNotExists";
}
