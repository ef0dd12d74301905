using System.Text.Json.Nodes;
using Fluid.Control.Naming;

namespace Fluid.Control.Tests;

public class NativeManifestsTests
{
    private const string SharedS3 = """
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata:
          name: imagenet
          namespace: ml
        spec:
          placement: Shared
          accessModes: [ReadWriteMany]
          nodeAffinity:
            required:
              nodeSelectorTerms:
                - matchExpressions:
                    - key: accelerator
                      operator: In
                      values: [gpu]
          tolerations:
            - key: dedicated
              operator: Equal
              value: ml
              effect: NoSchedule
          mounts:
            - mountPoint: s3://bucket/imagenet
              name: imagenet
              encryptOptions:
                - name: aws.accessKeyId
                  valueFrom:
                    secretKeyRef:
                      name: s3-creds
                      key: id
        ---
        apiVersion: data.fluid.io/v1alpha1
        kind: CacheRuntime
        metadata:
          name: imagenet
          namespace: ml
        spec:
          runtimeClassName: fluid
          options:
            blockSize: 8Mi
          worker:
            replicas: 3
            tieredStore:
              levels:
                - emptyDir:
                    quota: 20Gi
                    medium: Memory
        """;

    [Fact]
    public void Master_is_a_statefulset_and_service_named_name_master_running_fluid_cache_master()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var m = world.Manifests();
        var sts = m.MasterStatefulSet();
        Assert.Equal("demo-master", sts.Str("metadata.name"));
        Assert.Equal("default", sts.Str("metadata.namespace"));
        Assert.Equal(1, sts["spec"]!["replicas"]!.GetValue<int>());
        var container = sts.Container();
        Assert.Equal("fluid", container.Str("image"));
        var args = container.Strings("args");
        Assert.Equal(["cache", "master"], args.Take(2));
        Assert.Equal("http://$(POD_IP):19998", args.Flag("--listen"));
        Assert.Equal("/etc/fluid/token/token", args.Flag("--token-file"));
        Assert.Equal("/etc/fluid/dataset/dataset.json", args.Flag("--dataset-file"));
        Assert.Equal("/var/lib/fluid/master", args.Flag("--data-dir"));
        Assert.Equal("/etc/fluid/secrets", args.Flag("--secrets-dir"));

        var service = m.MasterService();
        Assert.Equal("demo-master", service.Str("metadata.name"));
        Assert.Equal(19998, service["spec"]!["ports"]![0]!["port"]!.GetValue<int>());
        var selector = (JsonObject)service["spec"]!["selector"]!;
        var podLabels = (JsonObject)sts["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.All(selector, p => Assert.Equal(p.Value!.GetValue<string>(), podLabels[p.Key]!.GetValue<string>()));
        Assert.Equal("fluid-master", selector["role"]!.GetValue<string>());
    }

    [Fact]
    public void The_master_mounts_the_dataset_configmap_it_is_told_to_read_and_the_token_secret()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var m = world.Manifests();
        var sts = m.MasterStatefulSet();
        var volumes = (JsonArray)sts["spec"]!["template"]!["spec"]!["volumes"]!;
        Assert.Contains(volumes, v => v!["configMap"]?["name"]?.GetValue<string>() == "demo-dataset");
        Assert.Contains(volumes, v => v!["secret"]?["secretName"]?.GetValue<string>() == "demo-token");

        var map = m.DatasetConfigMap();
        var served = JsonNode.Parse(map["data"]!["dataset.json"]!.GetValue<string>())!;
        Assert.Equal("Dataset", served.Str("kind"));
        Assert.Equal("demo", served.Str("metadata.name"));
        Assert.Equal("local:///var/lib/fluid-samples", served.Str("spec.mounts[0].mountPoint"));

        var secret = m.TokenSecret("abc");
        Assert.Equal("demo-token", secret.Str("metadata.name"));
        Assert.Equal("abc", secret.Str("stringData.token"));
    }

    [Fact]
    public void A_runtime_naming_no_tier_gets_workers_with_one_gibibyte_of_memory_and_hostpath_tiers_get_a_subdirectory_per_worker()
    {
        var world = new TestWorld("""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata: { name: plain, namespace: default }
            spec: { mounts: [ { name: s, mountPoint: "local:///data" } ] }
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: CacheRuntime
            metadata: { name: plain, namespace: default }
            spec: { runtimeClassName: fluid }
            """);
        var sts = world.Manifests().WorkerStatefulSet();
        Assert.Equal(["MEM:/cache/tier0:1Gi"], sts.Container().Strings("args").FlagValues("--tier"));
        var volumes = (JsonArray)sts["spec"]!["template"]!["spec"]!["volumes"]!;
        Assert.Contains(volumes, v => v!["emptyDir"]?["medium"]?.GetValue<string>() == "Memory" && v["emptyDir"]!.Str("sizeLimit") == "1Gi");

        var tiered = TestWorld.FromExample("local-cacheruntime.yaml").Manifests().WorkerStatefulSet();
        var hostTier = ((JsonArray)tiered.Container()["volumeMounts"]!).Single(m => m!["mountPath"]!.GetValue<string>() == "/var/cache/fluid/demo");
        Assert.Equal("$(POD_NAME)", hostTier!["subPathExpr"]!.GetValue<string>());
    }

    [Fact]
    public void Workers_run_fluid_cache_worker_with_the_masters_url_an_id_the_dataset_and_one_tier_flag_per_level()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var sts = world.Manifests().WorkerStatefulSet();
        Assert.Equal("demo-worker", sts.Str("metadata.name"));
        Assert.Equal(2, sts["spec"]!["replicas"]!.GetValue<int>());
        var args = sts.Container().Strings("args");
        Assert.Equal(["cache", "worker"], args.Take(2));
        Assert.Equal("http://demo-master.default.svc:19998", args.Flag("--master"));
        Assert.Equal("$(POD_NAME)", args.Flag("--id"));
        Assert.Equal("$(POD_IP)", args.Flag("--advertise-host"));
        Assert.Equal("default/demo", args.Flag("--dataset"));
        Assert.Equal("$(POD_IP):29999", args.Flag("--listen"));
        Assert.Equal(["MEM:/cache/tier0:1Gi:0.9:0.7", "SSD:/var/cache/fluid/demo:10Gi:0.95:0.8"], args.FlagValues("--tier"));

        var env = (JsonArray)sts.Container()["env"]!;
        Assert.Contains(env, e => e!["name"]!.GetValue<string>() == "POD_IP" && e.Str("valueFrom.fieldRef.fieldPath") == "status.podIP");
        var volumes = (JsonArray)sts["spec"]!["template"]!["spec"]!["volumes"]!;
        Assert.Contains(volumes, v => v!["emptyDir"]?["medium"]?.GetValue<string>() == "Memory" && v["emptyDir"]!.Str("sizeLimit") == "1Gi");
        Assert.Contains(volumes, v => v!["hostPath"]?["path"]?.GetValue<string>() == "/var/cache/fluid/demo");
        Assert.Equal("1Gi", sts.Container().Str("resources.requests.memory"));
    }

    [Fact]
    public void Workers_and_the_fuse_pod_share_a_node_directory_of_worker_sockets_and_name_their_host_by_the_node()
    {
        var m = TestWorld.FromExample("local-cacheruntime.yaml").Manifests();
        var worker = m.WorkerStatefulSet();
        var fuse = m.FuseDaemonSet();
        Assert.Equal("/var/lib/fluid/sockets/$(POD_NAME).sock", worker.Container().Strings("args").Flag("--local-socket"));
        foreach (var workload in new[] { worker, fuse })
        {
            var mount = ((JsonArray)workload.Container()["volumeMounts"]!).Single(v => v!["name"]!.GetValue<string>() == "sockets")!;
            Assert.Equal("/var/lib/fluid/sockets", mount.Str("mountPath"));
            var volume = ((JsonArray)workload["spec"]!["template"]!["spec"]!["volumes"]!).Single(v => v!["name"]!.GetValue<string>() == "sockets")!;
            Assert.Equal("/var/lib/fluid/default/demo/sockets", volume.Str("hostPath.path"));
            Assert.Equal("DirectoryOrCreate", volume.Str("hostPath.type"));
            Assert.Contains((JsonArray)workload.Container()["env"]!, e => e!["name"]!.GetValue<string>() == "FLUID_HOST_ID" && e.Str("valueFrom.fieldRef.fieldPath") == "spec.nodeName");
        }
    }

    [Fact]
    public void Exclusive_placement_forbids_other_datasets_caches_on_the_node()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var sts = world.Manifests().WorkerStatefulSet();
        var pod = sts["spec"]!["template"]!;
        Assert.Equal("Exclusive", pod["metadata"]!["labels"]![FluidLabels.DatasetPlacement]!.GetValue<string>());
        Assert.Equal("default-demo", pod["metadata"]!["labels"]![FluidLabels.Dataset]!.GetValue<string>());
        var anti = pod["spec"]!["affinity"]!["podAntiAffinity"]!;
        var required = (JsonArray)anti["requiredDuringSchedulingIgnoredDuringExecution"]!;
        Assert.Single(required);
        Assert.Equal("fluid.io/dataset", required[0].Str("labelSelector.matchExpressions[0].key"));
        Assert.Equal("Exists", required[0].Str("labelSelector.matchExpressions[0].operator"));
        Assert.Equal("kubernetes.io/hostname", required[0].Str("topologyKey"));
        Assert.Null(anti["preferredDuringSchedulingIgnoredDuringExecution"]);
        var preferred = pod["spec"]!["affinity"]!["nodeAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]![0]!;
        Assert.Equal(100, preferred["weight"]!.GetValue<int>());
        Assert.Equal("fluid.io/f-default-demo", preferred.Str("preference.matchExpressions[0].key"));
    }

    [Fact]
    public void Shared_placement_prefers_spreading_and_avoids_exclusive_caches_and_the_dataset_node_affinity_and_tolerations_apply()
    {
        var world = new TestWorld(SharedS3);
        var sts = world.Manifests().WorkerStatefulSet();
        var pod = sts["spec"]!["template"]!;
        Assert.Equal("Shared", pod["metadata"]!["labels"]![FluidLabels.DatasetPlacement]!.GetValue<string>());
        var anti = pod["spec"]!["affinity"]!["podAntiAffinity"]!;
        Assert.Equal(50, anti["preferredDuringSchedulingIgnoredDuringExecution"]![0]!["weight"]!.GetValue<int>());
        var required = anti["requiredDuringSchedulingIgnoredDuringExecution"]![0]!;
        Assert.Equal("fluid.io/dataset-placement", required.Str("labelSelector.matchExpressions[0].key"));
        Assert.Equal(["Exclusive"], required.Strings("labelSelector.matchExpressions[0].values"));
        var nodeRequired = pod["spec"]!["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!;
        Assert.Equal("accelerator", nodeRequired.Str("nodeSelectorTerms[0].matchExpressions[0].key"));
        Assert.Equal(["gpu"], nodeRequired.Strings("nodeSelectorTerms[0].matchExpressions[0].values"));
        Assert.Equal("dedicated", pod["spec"]!["tolerations"]![0].Str("key"));
        Assert.Equal("NoSchedule", pod["spec"]!["tolerations"]![0].Str("effect"));
    }

    [Fact]
    public void Secrets_of_encrypt_options_are_mounted_where_secrets_dir_points_and_the_block_size_option_becomes_a_flag()
    {
        var world = new TestWorld(SharedS3);
        var m = world.Manifests();
        foreach (var workload in new[] { m.MasterStatefulSet(), m.WorkerStatefulSet(), m.FuseDaemonSet() })
        {
            var mounts = (JsonArray)workload.Container()["volumeMounts"]!;
            Assert.Contains(mounts, v => v!.Str("mountPath") == "/etc/fluid/secrets/s3-creds");
            var volumes = (JsonArray)workload["spec"]!["template"]!["spec"]!["volumes"]!;
            Assert.Contains(volumes, v => v!["secret"]?["secretName"]?.GetValue<string>() == "s3-creds");
        }

        Assert.Equal("8Mi", m.MasterStatefulSet().Container().Strings("args").Flag("--block-size"));
        Assert.Equal("8Mi", m.WorkerStatefulSet().Container().Strings("args").Flag("--block-size"));
        Assert.Equal(["MEM:/cache/tier0:20Gi"], m.WorkerStatefulSet().Container().Strings("args").FlagValues("--tier"));
    }

    [Fact]
    public void Fuse_daemonset_runs_only_on_nodes_labelled_for_the_dataset_and_mounts_at_the_volumes_fluid_path()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var m = world.Manifests();
        var ds = m.FuseDaemonSet();
        Assert.Equal("DaemonSet", ds.Str("kind"));
        Assert.Equal("demo-fuse", ds.Str("metadata.name"));
        var nodeSelector = (JsonObject)ds["spec"]!["template"]!["spec"]!["nodeSelector"]!;
        Assert.Single(nodeSelector);
        Assert.Equal("true", nodeSelector["fluid.io/f-default-demo"]!.GetValue<string>());
        var args = ds.Container().Strings("args");
        Assert.Equal(["cache", "fuse"], args.Take(2));
        Assert.Equal("http://demo-master.default.svc:19998", args.Flag("--master"));
        Assert.Equal("/etc/fluid/token/token", args.Flag("--token-file"));
        Assert.Equal("default/demo", args.Flag("--dataset"));
        var mountpoint = args.Flag("--mountpoint");
        Assert.Equal(m.PersistentVolume().Str("spec.csi.volumeAttributes.fluid_path"), mountpoint);
        Assert.True(ds.Container()["securityContext"]!["privileged"]!.GetValue<bool>());
        var root = ((JsonArray)ds.Container()["volumeMounts"]!).Single(v => v!.Str("name") == "fuse-root")!;
        Assert.Equal("Bidirectional", root.Str("mountPropagation"));
        Assert.StartsWith(root.Str("mountPath") + "/", mountpoint, StringComparison.Ordinal);
    }

    [Fact]
    public void The_volume_is_namespace_name_on_fluids_csi_driver_and_the_claim_is_the_dataset_name_bound_to_it()
    {
        var world = new TestWorld(SharedS3);
        var m = world.Manifests();
        var pv = m.PersistentVolume();
        Assert.Equal("ml-imagenet", pv.Str("metadata.name"));
        Assert.Null(pv["metadata"]!["namespace"]);
        Assert.Equal("fuse.csi.fluid.io", pv.Str("spec.csi.driver"));
        Assert.Equal("ml-imagenet", pv.Str("spec.csi.volumeHandle"));
        var attributes = (JsonObject)pv["spec"]!["csi"]!["volumeAttributes"]!;
        Assert.Equal("/runtime-mnt/fluid/ml/imagenet/fluid-fuse", attributes["fluid_path"]!.GetValue<string>());
        Assert.Equal("fluid", attributes["mount_type"]!.GetValue<string>());
        Assert.Equal("ml", attributes["runtime_namespace"]!.GetValue<string>());
        Assert.Equal("imagenet", attributes["runtime_name"]!.GetValue<string>());
        Assert.Equal("fluid", pv.Str("spec.storageClassName"));
        Assert.Equal(["ReadWriteMany"], pv.Strings("spec.accessModes"));
        Assert.Equal("true", pv["metadata"]!["labels"]!["fluid.io/s-ml-imagenet"]!.GetValue<string>());
        Assert.Equal("fluid", pv.Str("metadata.annotations.CreatedBy"));

        var pvc = m.PersistentVolumeClaim();
        Assert.Equal("imagenet", pvc.Str("metadata.name"));
        Assert.Equal("ml", pvc.Str("metadata.namespace"));
        Assert.Equal("ml-imagenet", pvc.Str("spec.volumeName"));
        Assert.Equal("fluid", pvc.Str("spec.storageClassName"));
        Assert.Equal(["ReadWriteMany"], pvc.Strings("spec.accessModes"));
        Assert.Equal(pv.Str("spec.capacity.storage"), pvc.Str("spec.resources.requests.storage"));
    }

    [Fact]
    public void Access_modes_default_to_read_only_many()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        Assert.Equal(["ReadOnlyMany"], world.Manifests().PersistentVolume().Strings("spec.accessModes"));
    }

    [Fact]
    public void Every_namespaced_object_is_owned_by_the_runtime_as_its_controller()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var m = world.Manifests();
        JsonObject[] owned = [m.TokenSecret("t"), m.DatasetConfigMap(), m.MasterService(), m.MasterStatefulSet(), m.WorkerStatefulSet(), m.FuseDaemonSet(), m.PersistentVolumeClaim()];
        foreach (var manifest in owned)
        {
            var refs = (JsonArray)manifest["metadata"]!["ownerReferences"]!;
            var owner = Assert.Single(refs)!;
            Assert.Equal("data.fluid.io/v1alpha1", owner.Str("apiVersion"));
            Assert.Equal("CacheRuntime", owner.Str("kind"));
            Assert.Equal("demo", owner.Str("name"));
            Assert.Equal(world.Runtime.Metadata.Uid, owner.Str("uid"));
            Assert.True(owner["controller"]!.GetValue<bool>());
            Assert.True(owner["blockOwnerDeletion"]!.GetValue<bool>());
        }

        // A cluster-scoped object cannot name a namespaced owner: the garbage collector would delete it.
        Assert.Null(m.PersistentVolume()["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public void Statefulset_selectors_match_their_pod_template_labels()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var m = world.Manifests();
        foreach (var workload in new[] { m.MasterStatefulSet(), m.WorkerStatefulSet(), m.FuseDaemonSet() })
        {
            var selector = (JsonObject)workload["spec"]!["selector"]!["matchLabels"]!;
            var labels = (JsonObject)workload["spec"]!["template"]!["metadata"]!["labels"]!;
            Assert.NotEmpty(selector);
            Assert.All(selector, p => Assert.Equal(p.Value!.GetValue<string>(), labels[p.Key]?.GetValue<string>()));
        }

        Assert.NotEqual(m.MasterStatefulSet()["spec"]!["selector"]!.ToJsonString(), m.WorkerStatefulSet()["spec"]!["selector"]!.ToJsonString());
    }
}
