using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Api.Validation;

namespace Fluid.Api.Tests.V1Alpha1;

/// <summary>Dataset and data operation manifests written from upstream's documented fields load, validate and round-trip unchanged.</summary>
public class DatasetAndOperationTypesTests
{
    private const string DatasetYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata:
          name: imagenet
          namespace: default
          labels: {team: vision}
        spec:
          mounts:
          - mountPoint: s3://imagenet-bucket/train
            name: train
            path: /train
            readOnly: true
            shared: false
            options:
              alluxio.underfs.s3.endpoint: http://s3.example.internal:7480
              alluxio.underfs.s3.disable.dns.buckets: "true"
            encryptOptions:
            - name: aws.accessKeyId
              valueFrom: {secretKeyRef: {name: s3-keys, key: access-key}}
            - name: aws.secretKey
              valueFrom: {secretKeyRef: {name: s3-keys, key: secret-key}}
          - mountPoint: pvc://labels-claim/v2
            name: labels
          owner: {uid: 1000, gid: 1000, user: fluid, group: fluid}
          nodeAffinity:
            required:
              nodeSelectorTerms:
              - matchExpressions:
                - {key: nvidia.com/gpu.present, operator: In, values: ["true"]}
          tolerations:
          - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
          accessModes: [ReadOnlyMany]
          placement: Shared
          runtimes:
          - {name: imagenet, namespace: default, category: Accelerate, type: alluxio, masterReplicas: 1}
          dataRestoreLocation: {path: 'pvc://backups/imagenet'}
          sharedOptions: {alluxio.user.file.readtype.default: CACHE}
          sharedEncryptOptions:
          - name: aws.sessionToken
            valueFrom: {secretKeyRef: {name: s3-keys, key: token}}
        status:
          phase: Bound
          ufsTotal: 52.18GiB
          fileNum: "1281167"
          cacheStates: {cached: 1.50GiB, cacheCapacity: 15.00GiB, cachedPercentage: 2.9%, cacheHitRatio: 81.2%, localHitRatio: 70.0%, remoteHitRatio: 11.2%}
          conditions:
          - {type: Ready, status: "True", reason: DatasetReady, message: The ddc runtime is ready., lastUpdateTime: "2024-05-01T10:00:00Z", lastTransitionTime: "2024-05-01T10:00:00Z"}
          hcfs: {endpoint: "alluxio://imagenet-master-0.default:19998", underlayerFileSystemVersion: 3.3.0}
          runtimes:
          - {name: imagenet, namespace: default, category: Accelerate, type: alluxio, masterReplicas: 1}
          operationRef: {DataLoad: warmup}
          datasetRef: [team-a/shared-imagenet]
        """;

    public static TheoryData<string> Manifests => new()
    {
        DatasetYaml,
        """
        apiVersion: data.fluid.io/v1alpha1
        kind: DataLoad
        metadata: {name: warmup, namespace: default}
        spec:
          dataset: {name: imagenet, namespace: default}
          loadMetadata: true
          target:
          - {path: /train/n01440764, replicas: 2}
          - {path: /labels}
          options: {atomicCache: "true"}
          podMetadata: {labels: {job: warmup}, annotations: {note: nightly}}
          affinity:
            nodeAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 50
                preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}
          tolerations: [{key: dedicated, operator: Equal, value: data, effect: NoExecute, tolerationSeconds: 600}]
          nodeSelector: {disk: ssd}
          schedulerName: default-scheduler
          policy: Cron
          schedule: "0 2 * * *"
          runAfter:
            kind: DataMigrate
            name: pull-latest
            namespace: default
            affinityStrategy:
              policy: Prefer
              prefers: [{name: kubernetes.io/hostname, weight: 100}]
          ttlSecondsAfterFinished: 300
          resources:
            requests: {cpu: 500m, memory: 1Gi}
            limits: {cpu: "2", memory: 4Gi}
        status:
          phase: Complete
          duration: 2m3s
          conditions: [{type: Complete, status: "True", lastProbeTime: "2024-05-01T02:02:03Z", lastTransitionTime: "2024-05-01T02:02:03Z"}]
          lastScheduleTime: "2024-05-01T02:00:00Z"
          lastSuccessfulTime: "2024-05-01T02:02:03Z"
          waitingFor: {operationComplete: true}
        """,
        """
        apiVersion: data.fluid.io/v1alpha1
        kind: DataMigrate
        metadata: {name: pull-latest}
        spec:
          image: registry.example.org/fluid/migrate
          imageTag: v1.0
          imagePullPolicy: IfNotPresent
          from:
            externalStorage:
              uri: s3://upstream-bucket/imagenet
              encryptOptions:
              - name: aws.accessKeyId
                valueFrom: {secretKeyRef: {name: s3-keys, key: access-key}}
          to:
            dataset: {name: imagenet, namespace: default, path: /train}
          block: true
          runtimeType: alluxio
          options: {timeout: 30m}
          policy: Once
          podMetadata: {labels: {job: migrate}}
          nodeSelector: {disk: ssd}
          ttlSecondsAfterFinished: 60
          parallelism: 4
          parallelOptions: {sshPort: "120", sshSecretName: migrate-ssh}
        """,
        """
        apiVersion: data.fluid.io/v1alpha1
        kind: DataBackup
        metadata: {name: imagenet-backup}
        spec:
          dataset: imagenet
          backupPath: pvc://backups/imagenet
          runAs: {uid: 1000, gid: 1000, user: fluid, group: fluid}
          runAfter: {kind: DataLoad, name: warmup}
          ttlSecondsAfterFinished: 3600
        status:
          phase: Complete
          duration: 12s
          infos: {BackupLocationPath: pvc://backups/imagenet, BackupLocationNodeName: NA}
          conditions: []
        """,
        """
        apiVersion: data.fluid.io/v1alpha1
        kind: DataProcess
        metadata: {name: checksum}
        spec:
          dataset: {name: imagenet, namespace: default, mountPath: /data, subPath: train}
          processor:
            serviceAccountName: processor
            podMetadata: {labels: {step: checksum}}
            script:
              image: bash
              imageTag: "5"
              imagePullPolicy: IfNotPresent
              restartPolicy: OnFailure
              command: [bash]
              source: |
                find /data -type f | head -100 | xargs md5sum > /out/sums
              env: [{name: LANG, value: C}, {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
              volumeMounts: [{name: out, mountPath: /out}]
              volumes: [{name: out, emptyDir: {medium: Memory, sizeLimit: 1Gi}}]
              resources: {limits: {memory: 512Mi}}
          runAfter: {kind: DataLoad, name: warmup, affinityStrategy: {policy: Require, requires: [{name: kubernetes.io/hostname}]}}
          ttlSecondsAfterFinished: 600
          policy: Once
        """,
        """
        apiVersion: data.fluid.io/v1alpha1
        kind: DataProcess
        metadata: {name: train}
        spec:
          dataset: {name: imagenet, mountPath: /data}
          processor:
            job:
              podSpec:
                restartPolicy: Never
                serviceAccountName: trainer
                nodeSelector: {gpu: "true"}
                tolerations: [{operator: Exists}]
                securityContext: {runAsUser: 1000}
                shareProcessNamespace: true
                containers:
                - name: train
                  image: pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
                  command: [python, train.py]
                  args: [--data, /data]
                  workingDir: /workspace
                  ports: [{name: metrics, containerPort: 9090, protocol: TCP}]
                  env: [{name: EPOCHS, value: "10"}, {name: TOKEN, valueFrom: {secretKeyRef: {name: hub, key: token, optional: true}}}]
                  envFrom: [{configMapRef: {name: train-config}}]
                  resources: {limits: {nvidia.com/gpu: "1"}}
                  volumeMounts: [{name: shm, mountPath: /dev/shm}]
                  readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 5}
                volumes:
                - {name: shm, emptyDir: {medium: Memory}}
                - {name: nfs-extra, nfs: {server: 10.0.0.1, path: /exports}}
        """,
    };

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Upstream_style_manifests_load_validate_and_round_trip(string yaml)
    {
        var obj = CleanManifest.Read<IKubeObject>(yaml);

        Assert.IsNotType<UnstructuredObject>(obj);
        var result = ObjectValidator.Validate(obj);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Typed_fields_are_read_where_they_belong()
    {
        var dataset = (Dataset)ManifestReader.Read(DatasetYaml, "f.yaml").Single().Object!;

        Assert.Equal("s3://imagenet-bucket/train", dataset.Spec.Mounts![0].MountPoint);
        Assert.Equal("secret-key", dataset.Spec.Mounts[0].EncryptOptions![1].ValueFrom!.SecretKeyRef!.Key);
        Assert.Equal("/labels", dataset.Spec.Mounts[1].TreePath);
        Assert.Equal("Shared", dataset.Spec.PlacementMode);
        Assert.Equal("In", dataset.Spec.NodeAffinity!.Required!.NodeSelectorTerms[0].MatchExpressions![0].Operator);
        Assert.Equal("2.9%", dataset.Status!.CacheStates!["cachedPercentage"]);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), dataset.Status.Conditions![0].LastTransitionTime);
    }

    [Fact]
    public void Operation_progress_is_written_in_the_shape_fluid_load_reads()
    {
        var status = new OperationStatus
        {
            Phase = OperationPhases.Executing,
            Progress = new OperationProgress { TotalBytes = 3L << 30, LoadedBytes = 1L << 30, TotalFiles = 1200, LoadedFiles = 400, BytesPerSecond = 104857600, Eta = "20s", Percentage = "33.3%" },
        };

        Assert.Equal(
            """{"phase":"Executing","progress":{"totalBytes":3221225472,"loadedBytes":1073741824,"totalFiles":1200,"loadedFiles":400,"bytesPerSecond":104857600,"eta":"20s","percentage":"33.3%"}}""",
            FluidJson.ToNode(status).ToJsonString());

        // No rate yet: eta is left out, every count is written even when zero.
        status.Progress = new OperationProgress { TotalBytes = 10 };
        Assert.Equal("""{"totalBytes":10,"loadedBytes":0,"totalFiles":0,"loadedFiles":0,"bytesPerSecond":0,"percentage":"0.0%"}""", FluidJson.ToNode(status)["progress"]!.ToJsonString());
        var read = FluidJson.FromNode<OperationStatus>(System.Text.Json.Nodes.JsonNode.Parse("""{"progress":{"totalBytes":5,"loadedBytes":5,"totalFiles":1,"loadedFiles":1,"bytesPerSecond":7,"eta":"0s","percentage":"100.0%"}}""")!.AsObject());
        Assert.Equal(7, read.Progress!.BytesPerSecond);
        Assert.Equal("0s", read.Progress.Eta);
    }
}
