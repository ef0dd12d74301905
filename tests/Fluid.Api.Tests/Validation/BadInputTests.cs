using Fluid.Api.Serialization;
using Fluid.Api.Validation;

namespace Fluid.Api.Tests.Validation;

/// <summary>Every rule against a manifest that breaks it, each asserting the exact field path reported.</summary>
public class BadInputTests
{
    private const string Secret = "valueFrom: {secretKeyRef: {name: s3-keys, key: id}}";

    public static TheoryData<string, string, string> Cases => new()
    {
        // metadata
        { Dataset("mounts: [{mountPoint: 'local:///data', name: d}]", name: "ImageNet"), "metadata.name", "lowercase" },
        { Dataset("mounts: [{mountPoint: 'local:///data', name: d}]", name: "1data"), "metadata.name", "starting with a letter" },
        { Dataset("mounts: [{mountPoint: 'local:///data', name: d}]", name: new string('a', 64)), "metadata.name", "at most 63" },
        { Dataset("mounts: [{mountPoint: 'local:///data', name: d}]", ns: "Team_A"), "metadata.namespace", "not a valid name" },
        { "apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {namespace: a}\nspec: {}\n", "metadata.name", "required" },
        { "apiVersion: data.fluid.io/v1alpha1\nkind: ThinRuntimeProfile\nmetadata: {name: p, namespace: a}\nspec: {fileSystemType: fuse}\n", "metadata.namespace", "cluster-scoped" },

        // dataset mount points
        { Dataset("mounts: [{mountPoint: '/mnt/data', name: d}]"), "spec.mounts[0].mountPoint", "has no scheme" },
        { Dataset("mounts: [{mountPoint: 'ftp://host/x', name: d}]"), "spec.mounts[0].mountPoint", "unsupported scheme" },
        { Dataset("mounts: [{mountPoint: 'S3://bucket', name: d}]"), "spec.mounts[0].mountPoint", "lowercase" },
        { Dataset("mounts: [{mountPoint: 'local://mnt/data', name: d}]"), "spec.mounts[0].mountPoint", "three slashes" },
        { Dataset("mounts: [{mountPoint: 'local:///', name: d}]"), "spec.mounts[0].mountPoint", "whole file system" },
        { Dataset("mounts: [{mountPoint: 'local:///mnt/../etc', name: d}]"), "spec.mounts[0].mountPoint", "\"..\"" },
        { Dataset("mounts: [{mountPoint: 'pvc://', name: d}]"), "spec.mounts[0].mountPoint", "name the claim" },
        { Dataset("mounts: [{mountPoint: 'pvc://Claim_1/x', name: d}]"), "spec.mounts[0].mountPoint", "claim name" },
        { Dataset("mounts: [{mountPoint: 'dataset://only-name'}]"), "spec.mounts[0].mountPoint", "dataset://namespace/name" },
        { Dataset("mounts: [{mountPoint: 'dataset://ns/other', name: a}, {mountPoint: 'local:///b', name: b}]"), "spec.mounts[0].mountPoint", "only mount" },
        { Dataset("mounts: [{mountPoint: 'dataset://default/demo'}]"), "spec.mounts[0].mountPoint", "itself" },
        { Dataset("mounts: [{mountPoint: 'https:///path', name: d}]"), "spec.mounts[0].mountPoint", "not a valid URL" },
        { Dataset("mounts: [{mountPoint: 'https://user:pw@host/x', name: d}]"), "spec.mounts[0].mountPoint", "credentials" },
        { Dataset("mounts: [{mountPoint: 's3://', name: d}]"), "spec.mounts[0].mountPoint", "name the bucket" },
        { Dataset("mounts: [{mountPoint: 's3://AB', name: d}]"), "spec.mounts[0].mountPoint", "bucket" },
        { Dataset("mounts: [{mountPoint: 'nfs:///export', name: d}]"), "spec.mounts[0].mountPoint", "needs a server" },
        { Dataset("mounts: [{mountPoint: 'hdfs:///data', name: d}]"), "spec.mounts[0].mountPoint", "needs a server" },
        { Dataset("mounts: [{mountPoint: 's3:/', name: d}]"), "spec.mounts[0].mountPoint", "too short" },
        { Dataset("mounts: [{name: d}]"), "spec.mounts[0].mountPoint", "required" },
        { Dataset("mounts: [{mountPoint: 'juicefs://', name: d}]"), "spec.mounts[0].mountPoint", "JuiceFS volume" },

        // dataset mount names and paths
        { Dataset("mounts: [{mountPoint: 'local:///a', name: d}, {mountPoint: 'local:///b', name: d}]"), "spec.mounts[1].name", "already the name" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a, path: /x}, {mountPoint: 'local:///b', name: b, path: /x}]"), "spec.mounts[1].path", "already where" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a}, {mountPoint: 'local:///b', name: b, path: /a/b}]"), "spec.mounts[1].path", "nest" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a, path: data}]"), "spec.mounts[0].path", "not absolute" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a, path: /x/../y}]"), "spec.mounts[0].path", "\"..\"" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a}, {mountPoint: 'local:///b'}]"), "spec.mounts[1].name", "several mounts" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a, path: /}, {mountPoint: 'local:///b', name: b}]"), "spec.mounts[0].path", "root" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: 'a/b'}]"), "spec.mounts[0].name", "becomes a directory" },

        // credentials
        { Dataset("mounts: [{mountPoint: 's3://bucket', name: d, encryptOptions: [{name: fs.s3.key, valueFrom: {secretKeyRef: {name: s3-keys}}}]}]"), "spec.mounts[0].encryptOptions[0].valueFrom.secretKeyRef.key", "key in the Secret" },
        { Dataset("mounts: [{mountPoint: 's3://bucket', name: d, encryptOptions: [{name: fs.s3.key}]}]"), "spec.mounts[0].encryptOptions[0].valueFrom.secretKeyRef", "required" },
        { Dataset($"mounts: [{{mountPoint: 's3://bucket', name: d, encryptOptions: [{{name: k, {Secret}}}, {{name: k, {Secret}}}]}}]"), "spec.mounts[0].encryptOptions[1].name", "already given" },
        { Dataset($"mounts: [{{mountPoint: 's3://bucket', name: d, options: {{k: v}}, encryptOptions: [{{name: k, {Secret}}}]}}]"), "spec.mounts[0].encryptOptions[0].name", "plain options" },
        { Dataset("mounts: [{mountPoint: 's3://bucket', name: d, encryptOptions: [{name: k, valueFrom: {secretKeyRef: {name: My_Secret, key: k}}}]}]"), "spec.mounts[0].encryptOptions[0].valueFrom.secretKeyRef.name", "not a valid name" },
        { Dataset($"mounts: [{{mountPoint: 's3://bucket', name: d}}]\n  sharedEncryptOptions: [{{{Secret}}}]"), "spec.sharedEncryptOptions[0].name", "required" },

        // dataset placement, access, nodes
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a}]\n  accessModes: [ReadMany]"), "spec.accessModes[0]", "not an access mode" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a}]\n  placement: exclusive"), "spec.placement", "case-sensitive" },
        { Dataset("mounts: [{mountPoint: 'local:///a', name: a}]\n  nodeAffinity: {required: {nodeSelectorTerms: []}}"), "spec.nodeAffinity.required.nodeSelectorTerms", "at least one term" },
        { Dataset("nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: gpu, operator: Equals, values: [a]}]}]}}"), "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].operator", "not an operator" },
        { Dataset("nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: gpu, operator: In}]}]}}"), "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values", "at least one value" },
        { Dataset("nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: gpu, operator: Exists, values: [a]}]}]}}"), "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values", "takes no values" },
        { Dataset("nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: gpus, operator: Gt, values: [many]}]}]}}"), "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values", "one integer" },
        { Dataset("nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{operator: Exists}]}]}}"), "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key", "required" },
        { Dataset("tolerations: [{key: gpu, operator: Exists, value: 'yes'}]"), "spec.tolerations[0].value", "remove value" },
        { Dataset("tolerations: [{key: gpu, value: a, effect: NoRun}]"), "spec.tolerations[0].effect", "not a taint effect" },
        { Dataset("tolerations: [{key: gpu, value: a, effect: NoSchedule, tolerationSeconds: 30}]"), "spec.tolerations[0].tolerationSeconds", "NoExecute" },
        { Dataset("tolerations: [{key: gpu, operator: Matches}]"), "spec.tolerations[0].operator", "Equal or Exists" },
        { Dataset("dataRestoreLocation: {path: 'ftp://host/backup'}"), "spec.dataRestoreLocation.path", "local:///dir or pvc://" },
        { Dataset("dataRestoreLocation: {path: 'local:///backup'}"), "spec.dataRestoreLocation.nodeName", "node holding" },
        { Dataset("owner: {uid: -1, gid: 0, user: a, group: b}"), "spec.owner.uid", "negative" },

        // tiered store (on a runtime)
        { Runtime("tieredstore: {levels: [{mediumtype: mem, path: /dev/shm, quota: 1Gi}]}"), "spec.tieredstore.levels[0].mediumtype", "case-sensitive: write \"MEM\"" },
        { Runtime("tieredstore: {levels: [{mediumtype: NVME, path: /dev/shm, quota: 1Gi}]}"), "spec.tieredstore.levels[0].mediumtype", "use one of MEM, SSD, HDD" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm}]}"), "spec.tieredstore.levels[0].quota", "required" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: '0'}]}"), "spec.tieredstore.levels[0].quota", "not positive" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: -1Gi}]}"), "spec.tieredstore.levels[0].quota", "not positive" },
        { Runtime("tieredstore: {levels: [{mediumtype: SSD, path: '/a,/b', quotaList: 10Gi}]}"), "spec.tieredstore.levels[0].quotaList", "one size per path" },
        { Runtime("tieredstore: {levels: [{mediumtype: SSD, path: '/a,/b', quotaList: '10Gi,lots'}]}"), "spec.tieredstore.levels[0].quotaList", "not a quantity" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi, high: '95'}]}"), "spec.tieredstore.levels[0].high", "ratio from 0 to 1" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi, high: '0.7', low: '0.9'}]}"), "spec.tieredstore.levels[0].low", "must be below high" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi, high: 'most'}]}"), "spec.tieredstore.levels[0].high", "not a number" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: 'dev/shm', quota: 1Gi}]}"), "spec.tieredstore.levels[0].path", "not absolute" },
        { Runtime("tieredstore: {levels: [{mediumtype: SSD, path: '/a,/a', quota: 1Gi}]}"), "spec.tieredstore.levels[0].path", "listed twice" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, quota: 1Gi}]}"), "spec.tieredstore.levels[0].path", "required" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /m, quota: 1Gi}, {mediumtype: MEM, path: /n, quota: 1Gi}]}"), "spec.tieredstore.levels[1].mediumtype", "already tier" },
        { Runtime("tieredstore: {levels: [{mediumtype: SSD, path: /s, quota: 1Gi}, {mediumtype: MEM, path: /m, quota: 1Gi}]}"), "spec.tieredstore.levels[1].mediumtype", "fastest first" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /m, quota: 1Gi, volumeType: tmpfs}]}"), "spec.tieredstore.levels[0].volumeType", "not a volume type" },
        { Runtime("tieredstore: {levels: [{mediumtype: MEM, path: /m, quota: 1Gi, volumeType: volumeTemplate}]}"), "spec.tieredstore.levels[0].volumeSource", "required" },
        { Runtime("replicas: -1"), "spec.replicas", "use 0 or more" },
        { Runtime("worker: {resources: {requests: {memory: 4Gi}, limits: {memory: 2Gi}}}"), "spec.worker.resources.requests[memory]", "more than the limit" },
        { Runtime("worker: {resources: {limits: {cpu: '-1'}}}"), "spec.worker.resources.limits[cpu]", "negative" },
        { Process("processor: {script: {image: bash, source: ls, env: [{value: x}]}}"), "spec.processor.script.env[0].name", "required" },

        // the native engine's CacheRuntime tiers
        { Cache("worker: {replicas: 1}", runtimeClass: ""), "spec.runtimeClassName", "required" },
        { Cache("worker: {tieredStore: {levels: [{processMemory: {quota: 1Gi}, hostPath: {paths: [/c], quotas: [1Gi]}}]}}"), "spec.worker.tieredStore.levels[0]", "exactly one source" },
        { Cache("worker: {tieredStore: {levels: [{high: '0.9'}]}}"), "spec.worker.tieredStore.levels[0]", "one source" },
        { Cache("worker: {tieredStore: {levels: [{hostPath: {paths: [cache], quotas: [1Gi]}}]}}"), "spec.worker.tieredStore.levels[0].hostPath.paths[0]", "absolute path" },
        { Cache("worker: {tieredStore: {levels: [{hostPath: {paths: [/a, /b], quotas: [1Gi]}}]}}"), "spec.worker.tieredStore.levels[0].hostPath.quotas", "one size per path" },
        { Cache("worker: {tieredStore: {levels: [{processMemory: {quota: '0'}}]}}"), "spec.worker.tieredStore.levels[0].processMemory.quota", "not positive" },
        { Cache("client: {tieredStore: {levels: [{emptyDir: {quota: 1Gi}, high: '2'}]}}"), "spec.client.tieredStore.levels[0].high", "ratio from 0 to 1" },
        { Cache("worker: {replicas: -2}"), "spec.worker.replicas", "use 0 or more" },

        // operations: schedule, policy, runAfter
        { Load("policy: Cron"), "spec.schedule", "required" },
        { Load("policy: Cron\n  schedule: '61 * * * *'"), "spec.schedule", "minute" },
        { Load("policy: Cron\n  schedule: '0 1 *'"), "spec.schedule", "5 fields" },
        { Load("schedule: '@daily'"), "spec.schedule", "only used with policy Cron" },
        { Load("policy: Daily"), "spec.policy", "use one of Once, Cron, OnEvent" },
        { Load("target: [{path: train}]"), "spec.target[0].path", "not absolute" },
        { Load("target: [{path: /train, replicas: -1}]"), "spec.target[0].replicas", "negative" },
        { Load("target: [{path: /train}, {path: /train/}]"), "spec.target[1].path", "list each path once" },
        { Load("target: [{path: '/a/../../etc'}]"), "spec.target[0].path", "\"..\"" },
        { Load("ttlSecondsAfterFinished: -5"), "spec.ttlSecondsAfterFinished", "negative" },
        { Load("runAfter: {kind: Job, name: prep}"), "spec.runAfter.kind", "not a data operation" },
        { Load("runAfter: {kind: DataLoad}"), "spec.runAfter.name", "required" },
        { Load("runAfter: {kind: DataLoad, name: first, apiVersion: batch/v1}"), "spec.runAfter.apiVersion", "not served" },
        { Load("runAfter: {kind: DataLoad, name: load}"), "spec.runAfter.name", "itself" },
        { Load("runAfter: {kind: DataLoad, name: first, affinityStrategy: {policy: Must}}"), "spec.runAfter.affinityStrategy.policy", "Require or Prefer" },
        { Load("runAfter: {kind: DataLoad, name: first, affinityStrategy: {policy: Prefer, prefers: [{name: zone, weight: 0}]}}"), "spec.runAfter.affinityStrategy.prefers[0].weight", "1 to 100" },
        { Load("runAfter: {kind: DataLoad, name: first, affinityStrategy: {dependOn: {kind: Pod, name: x}}}"), "spec.runAfter.affinityStrategy.dependOn.kind", "not a data operation" },
        { Load("resources: {}", dataset: "Demo"), "spec.dataset.name", "lowercase" },
        { Load("resources: {}", dataset: ""), "spec.dataset.name", "required" },
        { Load("resources: {}", datasetNamespace: "other"), "spec.dataset.namespace", "operation's namespace" },

        // DataProcess
        { Process("processor: {}"), "spec.processor", "give a processor" },
        { Process("processor: {script: {image: bash, source: 'ls'}, job: {podSpec: {containers: [{name: c, image: bash}]}}}"), "spec.processor", "not both" },
        { Process("processor: {script: {image: bash}}"), "spec.processor.script.source", "required" },
        { Process("processor: {script: {image: bash, source: ls, restartPolicy: Always}}"), "spec.processor.script.restartPolicy", "Never, OnFailure" },
        { Process("processor: {script: {image: bash, source: ls, volumeMounts: [{name: v, mountPath: /data}], volumes: [{name: v, emptyDir: {}}]}}"), "spec.processor.script.volumeMounts[0].mountPath", "where the dataset" },
        { Process("processor: {script: {image: bash, source: ls, volumeMounts: [{name: v, mountPath: /out}]}}"), "spec.processor.script.volumeMounts[0].name", "no volume named" },
        { Process("processor: {job: {podSpec: {containers: [{name: c, image: bash, volumeMounts: [{name: v, mountPath: /data/}]}], volumes: [{name: v, emptyDir: {}}]}}}"), "spec.processor.job.podSpec.containers[0].volumeMounts[0].mountPath", "where the dataset" },
        { Process("processor: {job: {podSpec: {containers: [{name: c, image: bash, volumeMounts: [{name: w, mountPath: /w}]}]}}}"), "spec.processor.job.podSpec.containers[0].volumeMounts[0].name", "no volume named" },
        { Process("processor: {job: {podSpec: {containers: [{name: c, image: a}, {name: c, image: b}]}}}"), "spec.processor.job.podSpec.containers[1].name", "unique" },
        { Process("processor: {job: {podSpec: {containers: []}}}"), "spec.processor.job.podSpec.containers", "at least one container" },
        { Process("processor: {job: {}}"), "spec.processor.job.podSpec", "required" },
        { Process("processor: {script: {image: bash, source: ls, volumes: [{name: Bad_Name, emptyDir: {}}]}}"), "spec.processor.script.volumes[0].name", "not a valid name" },
        { Process("processor: {script: {image: bash, source: ls, volumes: [{name: v, emptyDir: {}, hostPath: {path: /x}}]}}"), "spec.processor.script.volumes[0]", "exactly one source" },
        { Process("processor: {script: {image: bash, source: ls}}", mountPath: "data"), "spec.dataset.mountPath", "not absolute" },

        // DataMigrate and DataBackup
        { Migrate("from: {dataset: {name: demo, namespace: default}, externalStorage: {uri: 's3://bucket'}}\n  to: {externalStorage: {uri: 's3://bucket'}}"), "spec.from", "exactly one" },
        { Migrate("from: {externalStorage: {uri: 's3://aaa'}}\n  to: {externalStorage: {uri: 's3://bbb'}}"), "spec.to", "must be a dataset" },
        { Migrate("from: {dataset: {name: demo, namespace: default}}\n  to: {externalStorage: {uri: 'ftp://x/y'}}"), "spec.to.externalStorage.uri", "unsupported scheme" },
        { Migrate("from: {dataset: {name: demo, namespace: default}}\n  to: {externalStorage: {uri: 's3://bucket'}}\n  parallelism: 0"), "spec.parallelism", "use 1 or more" },
        { Migrate("from: {dataset: {name: demo, namespace: default, path: 'rel'}}\n  to: {externalStorage: {uri: 's3://bucket'}}"), "spec.from.dataset.path", "not absolute" },
        { Backup("dataset: demo\n  backupPath: 's3://bucket/b'"), "spec.backupPath", "local:///dir or pvc://" },
        { Backup("backupPath: 'pvc://claim/b'"), "spec.dataset", "required" },
        { Backup("dataset: demo\n  backupPath: 'local://relative'"), "spec.backupPath", "three slashes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_bad_input_is_reported_at_its_field(string yaml, string path, string fragment)
    {
        var errors = Errors(yaml);

        Assert.True(errors.Count > 0, $"no error for:\n{yaml}");
        Assert.All(errors, e => Assert.Equal(path, e.Path));
        Assert.Contains(errors, e => e.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void There_are_at_least_sixty_cases_and_they_cover_every_kind_family()
    {
        var yamls = Cases.Select(c => (string)c[0]).ToList();

        Assert.True(yamls.Count >= 60, $"{yamls.Count} cases");
        foreach (var kind in new[] { "Dataset", "AlluxioRuntime", "CacheRuntime", "DataLoad", "DataProcess", "DataMigrate", "DataBackup", "ThinRuntimeProfile" })
        {
            Assert.Contains(yamls, y => y.Contains($"kind: {kind}\n", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_error_of_a_manifest_is_reported_at_once()
    {
        var errors = Errors(Dataset("mounts: [{mountPoint: 'ftp://x', name: a}, {mountPoint: 'local:///b', name: a}]\n  accessModes: [Sometimes]\n  placement: Mine", name: "Bad"));

        Assert.Equal(["metadata.name", "spec.accessModes[0]", "spec.mounts[0].mountPoint", "spec.mounts[1].name", "spec.placement"], errors.Select(e => e.Path));
    }

    [Fact]
    public void Errors_come_in_path_order_with_list_indexes_compared_as_numbers()
    {
        var mounts = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"{{mountPoint: 'ftp://x/{i}', name: m{i}}}"));

        var errors = Errors(Dataset($"mounts: [{mounts}]"));

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"spec.mounts[{i}].mountPoint"), errors.Select(e => e.Path));
    }

    [Fact]
    public void A_credential_in_plain_options_is_a_warning_not_an_error()
    {
        var doc = ManifestReader.Read(Dataset("mounts: [{mountPoint: 's3://bucket', name: d, options: {fs.s3a.secret.key: abc}}]"), "f.yaml").Single();
        var result = ObjectValidator.Validate(doc.Object!);

        Assert.True(result.IsValid);
        Assert.Equal("spec.mounts[0].options[fs.s3a.secret.key]", Assert.Single(result.Warnings).Path);
    }

    internal static IReadOnlyList<FieldIssue> Errors(string yaml)
    {
        var doc = ManifestReader.Read(yaml, "f.yaml").Single();
        Assert.True(doc.IsTyped, $"not read as a Fluid kind:\n{yaml}");
        Assert.Empty(doc.Errors);
        Assert.Empty(doc.Warnings);
        return ObjectValidator.Validate(doc.Object!).Errors;
    }

    private static string Dataset(string spec, string name = "demo", string ns = "default") =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {{name: '{name}', namespace: {ns}}}\nspec:\n  {spec}\n";

    private static string Runtime(string spec) =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: AlluxioRuntime\nmetadata: {{name: demo}}\nspec:\n  {spec}\n";

    private static string Cache(string spec, string runtimeClass = "fluid") =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: CacheRuntime\nmetadata: {{name: demo}}\nspec:\n  runtimeClassName: '{runtimeClass}'\n  {spec}\n";

    private static string Load(string spec, string dataset = "demo", string? datasetNamespace = null) =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {{name: load, namespace: default}}\nspec:\n  dataset: {{name: '{dataset}'{(datasetNamespace is null ? "" : $", namespace: {datasetNamespace}")}}}\n  {spec}\n";

    private static string Process(string spec, string mountPath = "/data") =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: DataProcess\nmetadata: {{name: proc}}\nspec:\n  dataset: {{name: demo, mountPath: '{mountPath}'}}\n  {spec}\n";

    private static string Migrate(string spec) =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: DataMigrate\nmetadata: {{name: mig}}\nspec:\n  {spec}\n";

    private static string Backup(string spec) =>
        $"apiVersion: data.fluid.io/v1alpha1\nkind: DataBackup\nmetadata: {{name: bak}}\nspec:\n  {spec}\n";
}
