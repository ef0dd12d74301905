using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Cluster;
using Fluid.Control.Naming;

namespace Fluid.Control.Native;

/// <summary>
/// Renders the objects of one dataset's native cache as manifests: token Secret, dataset
/// ConfigMap, master StatefulSet and Service, worker StatefulSet, FUSE DaemonSet, volume and
/// claim. Containers run the fluid binary with the flags of `fluid cache master|worker|fuse`.
/// Pure: the same inputs give the same manifests.
/// </summary>
public sealed class NativeManifests(NativeLayout layout, Dataset dataset, KubeObject runtime, NativeCacheSpec spec)
{
    /// <summary>Capacity written on the volume and claim; the cache does not bound the dataset's size.</summary>
    public const string VolumeCapacity = "100Pi";

    /// <summary>The key of the token in the token Secret (and the file name where it is mounted).</summary>
    public const string TokenKey = "token";

    private static readonly string[] MediumOrder = ["MEM", "SSD", "HDD"];

    /// <summary>The layout the manifests follow.</summary>
    public NativeLayout Layout => layout;

    /// <summary>Owner reference to the runtime, set on every namespaced object.</summary>
    public JsonObject OwnerReference() => new()
    {
        ["apiVersion"] = runtime.ApiVersion,
        ["kind"] = runtime.Kind,
        ["name"] = runtime.Metadata.Name,
        ["uid"] = runtime.Metadata.Uid ?? throw new InvalidOperationException($"{runtime.Kind} {layout.DatasetRef} has no metadata.uid; read it back from the API server before rendering"),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>The Secret holding the token.</summary>
    public JsonObject TokenSecret(string token)
    {
        var secret = Owned("v1", "Secret", layout.TokenSecret);
        secret["type"] = "Opaque";
        secret["stringData"] = new JsonObject { [TokenKey] = token };
        return secret;
    }

    /// <summary>The ConfigMap holding the dataset the master serves (its name, namespace and spec).</summary>
    public JsonObject DatasetConfigMap()
    {
        var copy = new JsonObject
        {
            ["apiVersion"] = dataset.ApiVersion,
            ["kind"] = dataset.Kind,
            ["metadata"] = new JsonObject { ["name"] = layout.Name, ["namespace"] = layout.Namespace },
            ["spec"] = FluidJson.ToNode(dataset.Spec),
        };
        var map = Owned("v1", "ConfigMap", layout.DatasetConfigMap);
        map["data"] = new JsonObject { ["dataset.json"] = copy.ToJsonString(FluidJson.Indented) };
        return map;
    }

    /// <summary>The master's Service.</summary>
    public JsonObject MasterService()
    {
        var service = Owned("v1", "Service", layout.Master);
        service["spec"] = new JsonObject
        {
            ["selector"] = Manifest.ToObject(layout.Selector("master")),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = NativeLayout.MasterPort, ["targetPort"] = NativeLayout.MasterPort, ["protocol"] = "TCP" }),
        };
        return service;
    }

    /// <summary>The master StatefulSet.</summary>
    public JsonObject MasterStatefulSet()
    {
        List<string> args = ["cache", "master",
            "--data-dir", NativeLayout.MasterDataDir,
            "--listen", $"http://$(POD_IP):{NativeLayout.MasterPort}",
            "--token-file", $"{NativeLayout.TokenDir}/{TokenKey}",
            "--dataset-file", $"{NativeLayout.DatasetDir}/dataset.json",
            "--secrets-dir", NativeLayout.SecretsDir];
        AddBlockSize(args);
        var mounts = CommonMounts();
        mounts.Add(Mount("master-data", NativeLayout.MasterDataDir));
        mounts.Add(Mount("dataset", NativeLayout.DatasetDir, readOnly: true));
        var volumes = CommonVolumes();
        volumes.Add(new JsonObject { ["name"] = "master-data", ["hostPath"] = new JsonObject { ["path"] = layout.MasterHostDir, ["type"] = "DirectoryOrCreate" } });
        volumes.Add(new JsonObject { ["name"] = "dataset", ["configMap"] = new JsonObject { ["name"] = layout.DatasetConfigMap } });
        var container = Container("master", args, mounts);
        // Listening on the pod's address (not 0.0.0.0) lets several pods share a host network, as fluidd's node does.
        container["env"] = new JsonArray(FieldEnv("POD_IP", "status.podIP"));
        container["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = NativeLayout.MasterPort });
        var podSpec = new JsonObject { ["containers"] = new JsonArray(container), ["volumes"] = volumes };
        AddTolerations(podSpec, []);
        return StatefulSet(layout.Master, "master", spec.MasterReplicas, podSpec, []);
    }

    /// <summary>The worker StatefulSet, placed by the dataset's placement mode and node affinity.</summary>
    public JsonObject WorkerStatefulSet(int? replicas = null)
    {
        List<string> args = ["cache", "worker",
            "--master", layout.MasterUrl,
            "--token-file", $"{NativeLayout.TokenDir}/{TokenKey}",
            "--id", "$(POD_NAME)",
            "--dataset", layout.DatasetRef,
            "--listen", $"$(POD_IP):{NativeLayout.WorkerPort}",
            "--advertise-host", "$(POD_IP)",
            "--local-socket", $"{NativeLayout.SocketDir}/$(POD_NAME).sock",
            "--secrets-dir", NativeLayout.SecretsDir];
        AddBlockSize(args);
        var mounts = CommonMounts();
        var volumes = CommonVolumes();
        AddSocketDir(mounts, volumes);
        long memoryBytes = 0;
        var tiers = Tiers();
        for (var t = 0; t < tiers.Count; t++)
        {
            var tier = tiers[t];
            for (var p = 0; p < tier.Paths.Count; p++)
            {
                var name = $"tier{t}-{p}";
                var mount = Mount(name, tier.Paths[p]);
                if (tier.Volume == TierVolume.HostPath)
                {
                    // Each worker keeps its blocks in its own subdirectory, so workers sharing a node (fluidd's one node) never share a store.
                    mount["subPathExpr"] = "$(POD_NAME)";
                }

                mounts.Add(mount);
                volumes.Add(TierVolumeOf(name, tier, p));
            }

            if (tier.Volume == TierVolume.Memory)
            {
                memoryBytes += tier.TotalBytes;
            }

            foreach (var flag in TierFlags(tier))
            {
                args.Add("--tier");
                args.Add(flag);
            }
        }

        var container = Container("worker", args, mounts);
        container["env"] = new JsonArray(
            FieldEnv("POD_NAME", "metadata.name"),
            FieldEnv("POD_IP", "status.podIP"),
            HostIdEnv());
        container["ports"] = new JsonArray(new JsonObject { ["name"] = "data", ["containerPort"] = NativeLayout.WorkerPort });
        if (memoryBytes > 0)
        {
            // Memory tiers live in tmpfs, which the kernel charges to the container.
            container["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = Quantity.FromBytes(memoryBytes).Text } };
        }

        var podSpec = new JsonObject { ["containers"] = new JsonArray(container), ["volumes"] = volumes, ["affinity"] = WorkerAffinity() };
        if (spec.WorkerNodeSelector.Count > 0)
        {
            podSpec["nodeSelector"] = Manifest.ToObject(spec.WorkerNodeSelector);
        }

        AddTolerations(podSpec, spec.WorkerTolerations);
        var placement = Placement();
        return StatefulSet(layout.Worker, "worker", replicas ?? spec.WorkerReplicas, podSpec, new() { [FluidLabels.DatasetPlacement] = placement });
    }

    /// <summary>The FUSE DaemonSet: it runs only on nodes labelled fluid.io/f-{ns}-{name}=true, so it starts where a pod needs the dataset.</summary>
    public JsonObject FuseDaemonSet()
    {
        List<string> args = ["cache", "fuse",
            "--master", layout.MasterUrl,
            "--token-file", $"{NativeLayout.TokenDir}/{TokenKey}",
            "--secrets-dir", NativeLayout.SecretsDir,
            "--dataset", layout.DatasetRef,
            "--mountpoint", layout.FusePath,
            "--create-mountpoint",
            "--wait-for-master", "2m",
            "-o", "allow_other"];
        var mounts = CommonMounts();
        var root = Mount("fuse-root", layout.FuseRoot);
        root["mountPropagation"] = "Bidirectional";
        mounts.Add(root);
        mounts.Add(Mount("dev-fuse", "/dev/fuse"));
        var volumes = CommonVolumes();
        volumes.Add(new JsonObject { ["name"] = "fuse-root", ["hostPath"] = new JsonObject { ["path"] = layout.FuseRoot, ["type"] = "DirectoryOrCreate" } });
        volumes.Add(new JsonObject { ["name"] = "dev-fuse", ["hostPath"] = new JsonObject { ["path"] = "/dev/fuse", ["type"] = "CharDevice" } });
        AddSocketDir(mounts, volumes);
        var container = Container("fuse", args, mounts);
        container["env"] = new JsonArray(HostIdEnv());
        container["securityContext"] = new JsonObject { ["privileged"] = true };
        var podSpec = new JsonObject
        {
            ["containers"] = new JsonArray(container),
            ["volumes"] = volumes,
            ["nodeSelector"] = new JsonObject { [layout.FuseNodeLabel] = "true" },
        };
        AddTolerations(podSpec, spec.FuseTolerations);
        var selector = layout.Selector("fuse");
        var daemonSet = Owned("apps/v1", "DaemonSet", layout.Fuse);
        daemonSet["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = Manifest.ToObject(selector) },
            ["updateStrategy"] = new JsonObject { ["type"] = "OnDelete" },
            ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = Manifest.ToObject(PodLabels(selector, [])) }, ["spec"] = podSpec },
        };
        return daemonSet;
    }

    /// <summary>The dataset's PersistentVolume (cluster-scoped, so no owner reference: a namespaced owner would make the garbage collector delete it).</summary>
    public JsonObject PersistentVolume()
    {
        var pv = Manifest.New("v1", "PersistentVolume", null, layout.PersistentVolume);
        var metadata = (JsonObject)pv["metadata"]!;
        metadata["labels"] = Manifest.ToObject(VolumeLabels());
        metadata["annotations"] = new JsonObject { [FluidLabels.CreatedByAnnotation] = "fluid" };
        pv["spec"] = new JsonObject
        {
            ["accessModes"] = AccessModes(),
            ["capacity"] = new JsonObject { ["storage"] = VolumeCapacity },
            ["storageClassName"] = NativeLayout.StorageClass,
            ["persistentVolumeReclaimPolicy"] = "Retain",
            ["volumeMode"] = "Filesystem",
            ["csi"] = new JsonObject
            {
                ["driver"] = NativeLayout.CsiDriver,
                ["volumeHandle"] = layout.PersistentVolume,
                ["volumeAttributes"] = new JsonObject
                {
                    ["fluid_path"] = layout.FusePath,
                    ["mount_type"] = NativeLayout.MountType,
                    ["runtime_namespace"] = layout.Namespace,
                    ["runtime_name"] = layout.Name,
                },
            },
        };
        return pv;
    }

    /// <summary>The dataset's PersistentVolumeClaim, named after the dataset and bound to its volume.</summary>
    public JsonObject PersistentVolumeClaim()
    {
        var pvc = Owned("v1", "PersistentVolumeClaim", layout.PersistentVolumeClaim);
        var metadata = (JsonObject)pvc["metadata"]!;
        metadata["labels"] = Manifest.ToObject(VolumeLabels());
        metadata["annotations"] = new JsonObject { [FluidLabels.CreatedByAnnotation] = "fluid" };
        pvc["spec"] = new JsonObject
        {
            ["accessModes"] = AccessModes(),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = VolumeCapacity } },
            ["storageClassName"] = NativeLayout.StorageClass,
            ["volumeName"] = layout.PersistentVolume,
        };
        return pvc;
    }

    /// <summary>A Job that runs `fluid cache load` for a DataLoad.</summary>
    public JsonObject DataLoadJob(DataLoad load)
    {
        var targets = load.Spec.Target is { Count: > 0 } t ? t : [new TargetPath { Path = "/" }];
        var replicas = targets.Max(x => x.Replicas ?? 1);
        List<string> args = ["cache", "load",
            "--master", layout.MasterUrl,
            "--token-file", $"{NativeLayout.TokenDir}/{TokenKey}",
            "--secrets-dir", NativeLayout.SecretsDir,
            "--replicas", replicas.ToString(CultureInfo.InvariantCulture),
            "--operation-id", LoadOperationId(load),
            "--wait-for-master", "2m"];
        args.AddRange(targets.Select(x => x.Path));
        var name = $"{load.Metadata.Name}-loader-job";
        var job = Manifest.New("batch/v1", "Job", layout.Namespace, name);
        var metadata = (JsonObject)job["metadata"]!;
        metadata["labels"] = Manifest.ToObject(new Dictionary<string, string> { ["release"] = load.Metadata.Name ?? "", ["role"] = "dataload-pod", [FluidLabels.DatasetId] = layout.DatasetId });
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = load.ApiVersion,
            ["kind"] = load.Kind,
            ["name"] = load.Metadata.Name,
            ["uid"] = load.Metadata.Uid ?? throw new InvalidOperationException($"DataLoad {load.Metadata.Key} has no metadata.uid"),
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        var container = Container("loader", args, CommonMounts());
        var podSpec = new JsonObject { ["restartPolicy"] = "Never", ["containers"] = new JsonArray(container), ["volumes"] = CommonVolumes() };
        if (load.Spec.NodeSelector is { Count: > 0 } selector)
        {
            podSpec["nodeSelector"] = Manifest.ToObject(selector);
        }

        if (load.Spec.Tolerations is { Count: > 0 } tolerations)
        {
            podSpec["tolerations"] = Manifest.ToNode(tolerations);
        }

        job["spec"] = new JsonObject
        {
            ["backoffLimit"] = 3,
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Manifest.ToObject(new Dictionary<string, string> { ["release"] = load.Metadata.Name ?? "", ["role"] = "dataload-pod" }) },
                ["spec"] = podSpec,
            },
        };
        return job;
    }

    /// <summary>The id the loader reports its progress under at the master: the DataLoad's uid (a new DataLoad of the same name starts afresh).</summary>
    public static string LoadOperationId(KubeObject load) =>
        load.Metadata.Uid ?? throw new InvalidOperationException($"{load.Kind} {load.Metadata.Key} has no metadata.uid; read it back from the API server before planning it");

    /// <summary>The tiers fastest first (MEM, SSD, HDD), keeping the given order within a medium.</summary>
    public IReadOnlyList<NativeTier> Tiers() => spec.Tiers.Count == 0 ? [DefaultTier] : [.. spec.Tiers.OrderBy(t => Array.IndexOf(MediumOrder, t.Medium))];

    /// <summary>The cache of a runtime that names no tier: 1 GiB of memory per worker, so a worker always has somewhere to keep blocks.</summary>
    public static NativeTier DefaultTier { get; } = new("MEM", ["/cache/tier0"], [1L << 30], TierVolume.Memory, null, null);

    /// <summary>The --tier flags of a tier: one flag when its paths share a quota (the worker splits it evenly), else one per path.</summary>
    public static IEnumerable<string> TierFlags(NativeTier tier)
    {
        var marks = tier.High is not null && tier.Low is not null ? $":{tier.High}:{tier.Low}" : "";
        if (tier.QuotaBytes.Distinct().Count() == 1)
        {
            yield return $"{tier.Medium}:{string.Join(',', tier.Paths)}:{Quantity.FromBytes(tier.TotalBytes).Text}{marks}";
            yield break;
        }

        for (var i = 0; i < tier.Paths.Count; i++)
        {
            yield return $"{tier.Medium}:{tier.Paths[i]}:{Quantity.FromBytes(tier.QuotaBytes[i]).Text}{marks}";
        }
    }

    /// <summary>Names of the Secrets the dataset's encryptOptions refer to.</summary>
    public IReadOnlyList<string> SecretNames()
    {
        var options = (dataset.Spec.SharedEncryptOptions ?? []).Concat((dataset.Spec.Mounts ?? []).SelectMany(m => m.EncryptOptions ?? []));
        return [.. options.Select(o => o.ValueFrom?.SecretKeyRef?.Name).OfType<string>().Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>Exclusive unless the dataset asks for Shared.</summary>
    public string Placement() => dataset.Spec.PlacementMode == PlacementModes.Shared ? PlacementModes.Shared : PlacementModes.Exclusive;

    private JsonObject WorkerAffinity()
    {
        var otherDatasets = new JsonObject
        {
            ["labelSelector"] = new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = FluidLabels.Dataset, ["operator"] = "Exists" }) },
            ["topologyKey"] = "kubernetes.io/hostname",
        };
        JsonObject podAntiAffinity;
        if (Placement() == PlacementModes.Exclusive)
        {
            // Exclusive: no other dataset's cache pod on the node.
            podAntiAffinity = new JsonObject { ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(otherDatasets) };
        }
        else
        {
            // Shared: prefer spreading from other caches, and never join an Exclusive one.
            podAntiAffinity = new JsonObject
            {
                ["preferredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject { ["weight"] = 50, ["podAffinityTerm"] = otherDatasets }),
                ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject
                {
                    ["labelSelector"] = new JsonObject
                    {
                        ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = FluidLabels.DatasetPlacement, ["operator"] = "In", ["values"] = new JsonArray(PlacementModes.Exclusive) }),
                    },
                    ["topologyKey"] = "kubernetes.io/hostname",
                }),
            };
        }

        var nodeAffinity = new JsonObject
        {
            ["preferredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject
            {
                ["weight"] = 100,
                ["preference"] = new JsonObject
                {
                    ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = layout.FuseNodeLabel, ["operator"] = "In", ["values"] = new JsonArray("true") }),
                },
            }),
        };
        if (dataset.Spec.NodeAffinity?.Required is { } required)
        {
            nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = Manifest.ToNode(required);
        }

        return new JsonObject { ["podAntiAffinity"] = podAntiAffinity, ["nodeAffinity"] = nodeAffinity };
    }

    private JsonObject StatefulSet(string name, string role, int replicas, JsonObject podSpec, Dictionary<string, string> extraPodLabels)
    {
        var selector = layout.Selector(role);
        var statefulSet = Owned("apps/v1", "StatefulSet", name);
        statefulSet["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["serviceName"] = name,
            ["podManagementPolicy"] = "Parallel",
            ["selector"] = new JsonObject { ["matchLabels"] = Manifest.ToObject(selector) },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Manifest.ToObject(PodLabels(selector, extraPodLabels)) },
                ["spec"] = podSpec,
            },
        };
        return statefulSet;
    }

    private Dictionary<string, string> PodLabels(Dictionary<string, string> selector, Dictionary<string, string> extra)
    {
        var labels = new Dictionary<string, string>(spec.PodLabels, StringComparer.Ordinal);
        foreach (var (k, v) in selector.Concat(extra))
        {
            labels[k] = v;
        }

        labels[FluidLabels.Dataset] = layout.DatasetId;
        labels[FluidLabels.DatasetId] = layout.DatasetId;
        return labels;
    }

    private JsonObject Owned(string apiVersion, string kind, string name)
    {
        var manifest = Manifest.New(apiVersion, kind, layout.Namespace, name);
        var metadata = (JsonObject)manifest["metadata"]!;
        metadata["labels"] = Manifest.ToObject(new Dictionary<string, string> { ["app"] = "fluid", ["release"] = layout.Name, [FluidLabels.DatasetId] = layout.DatasetId });
        metadata["ownerReferences"] = new JsonArray(OwnerReference());
        return manifest;
    }

    private Dictionary<string, string> VolumeLabels() => new(StringComparer.Ordinal)
    {
        [FluidLabels.Common(layout.Namespace, layout.Name, layout.DatasetUid)] = "true",
        [FluidLabels.DatasetId] = layout.DatasetId,
    };

    private JsonArray AccessModes() =>
        new([.. (dataset.Spec.AccessModes is { Count: > 0 } modes ? modes : [Api.V1Alpha1.AccessModes.ReadOnlyMany]).Select(m => (JsonNode)JsonValue.Create(m))]);

    private JsonObject Container(string name, List<string> args, JsonArray mounts) => new()
    {
        ["name"] = name,
        ["image"] = spec.Image,
        ["imagePullPolicy"] = spec.ImagePullPolicy,
        ["args"] = new JsonArray([.. args.Select(a => (JsonNode)JsonValue.Create(a))]),
        ["volumeMounts"] = mounts,
    };

    private JsonArray CommonMounts()
    {
        var mounts = new JsonArray(Mount("token", NativeLayout.TokenDir, readOnly: true));
        foreach (var secret in SecretNames())
        {
            mounts.Add(Mount($"secret-{secret}", $"{NativeLayout.SecretsDir}/{secret}", readOnly: true));
        }

        return mounts;
    }

    private JsonArray CommonVolumes()
    {
        var volumes = new JsonArray(new JsonObject { ["name"] = "token", ["secret"] = new JsonObject { ["secretName"] = layout.TokenSecret } });
        foreach (var secret in SecretNames())
        {
            volumes.Add(new JsonObject { ["name"] = $"secret-{secret}", ["secret"] = new JsonObject { ["secretName"] = secret } });
        }

        return volumes;
    }

    private void AddTolerations(JsonObject podSpec, List<Toleration> component)
    {
        var all = (dataset.Spec.Tolerations ?? []).Concat(component).ToList();
        if (all.Count > 0)
        {
            podSpec["tolerations"] = Manifest.ToNode(all);
        }
    }

    private void AddBlockSize(List<string> args)
    {
        if (spec.BlockSize is { } size)
        {
            args.Add("--block-size");
            args.Add(size);
        }
    }

    // Workers on a node listen on a Unix socket in this shared directory; the FUSE pod there asks them for block
    // files over it and gets the open files back (SCM_RIGHTS), so it reads cached blocks without a copy over TCP.
    private void AddSocketDir(JsonArray mounts, JsonArray volumes)
    {
        mounts.Add(Mount("sockets", NativeLayout.SocketDir));
        volumes.Add(new JsonObject { ["name"] = "sockets", ["hostPath"] = new JsonObject { ["path"] = layout.SocketHostDir, ["type"] = "DirectoryOrCreate" } });
    }

    // Workers and FUSE clients on the same node recognise each other by the node's name.
    private static JsonObject HostIdEnv() => FieldEnv("FLUID_HOST_ID", "spec.nodeName");

    private static JsonObject TierVolumeOf(string name, NativeTier tier, int pathIndex) => tier.Volume switch
    {
        TierVolume.HostPath => new JsonObject { ["name"] = name, ["hostPath"] = new JsonObject { ["path"] = tier.Paths[pathIndex], ["type"] = "DirectoryOrCreate" } },
        TierVolume.Memory => new JsonObject { ["name"] = name, ["emptyDir"] = new JsonObject { ["medium"] = "Memory", ["sizeLimit"] = Quantity.FromBytes(tier.QuotaBytes[pathIndex]).Text } },
        _ => new JsonObject { ["name"] = name, ["emptyDir"] = new JsonObject { ["sizeLimit"] = Quantity.FromBytes(tier.QuotaBytes[pathIndex]).Text } },
    };

    private static JsonObject Mount(string name, string path, bool readOnly = false)
    {
        var mount = new JsonObject { ["name"] = name, ["mountPath"] = path };
        if (readOnly)
        {
            mount["readOnly"] = true;
        }

        return mount;
    }

    private static JsonObject FieldEnv(string name, string fieldPath) =>
        new() { ["name"] = name, ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = fieldPath } } };
}
