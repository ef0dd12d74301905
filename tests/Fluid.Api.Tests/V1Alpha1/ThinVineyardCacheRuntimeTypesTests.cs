using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Schema;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Tests.V1Alpha1;

public class ThinVineyardCacheRuntimeTypesTests
{
    private const string ThinRuntimeProfileYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: ThinRuntimeProfile
        metadata:
          name: rclone
          labels:
            fluid.io/profile: rclone
        spec:
          fileSystemType: rclone
          nodePublishSecretPolicy: MountNodePublishSecretIfExists
          imagePullSecrets:
          - name: registry-creds
          fuse:
            image: fluidcloudnative/rclone-fuse
            imageTag: v0.1.0
            imagePullPolicy: IfNotPresent
            imagePullSecrets:
            - name: fuse-registry
            command:
            - sh
            - -c
            - python3 /fluid_config_init.py && /mount-rclone.sh
            args:
            - --vfs-cache-mode=full
            - --allow-other
            env:
            - name: RCLONE_CONFIG
              value: /etc/rclone/rclone.conf
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
            - name: RCLONE_PASS
              valueFrom:
                secretKeyRef:
                  name: rclone-secret
                  key: password
            options:
              vfs-cache-max-age: 1h
              buffer-size: 32M
            ports:
            - name: rc
              containerPort: 5572
              protocol: TCP
            resources:
              requests:
                cpu: 500m
                memory: 512Mi
              limits:
                memory: 2Gi
            nodeSelector:
              fluid.io/fuse: "true"
            cleanPolicy: OnRuntimeDeleted
            networkMode: ContainerNetwork
            volumeMounts:
            - name: rclone-config
              mountPath: /etc/rclone
              readOnly: true
            - name: cache-dir
              mountPath: /var/cache/rclone
            livenessProbe:
              exec:
                command: [sh, -c, mountpoint /runtime-mnt/thin]
              initialDelaySeconds: 10
              periodSeconds: 30
              failureThreshold: 3
            readinessProbe:
              httpGet:
                path: /healthz
                port: rc
              periodSeconds: 10
            lifecycle:
              preStop:
                exec:
                  command: [sh, -c, umount /runtime-mnt/thin]
            podMetadata:
              labels:
                app: rclone-fuse
              annotations:
                prometheus.io/scrape: "false"
          worker:
            enabled: false
            image: fluidcloudnative/rclone-worker
            imageTag: v0.1.0
            replicas: 1
          volumes:
          - name: rclone-config
            secret:
              secretName: rclone-config
          - name: cache-dir
            hostPath:
              path: /var/cache/rclone
              type: DirectoryOrCreate
        """;

    private const string ThinRuntimeYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: ThinRuntime
        metadata:
          name: s3-data
          namespace: team-a
        spec:
          profileName: rclone
          replicas: 2
          disablePrometheus: true
          runAs:
            uid: 1000
            gid: 1000
            user: fluid
            group: fluid
          imagePullSecrets:
          - name: registry-creds
          management:
            cleanCachePolicy:
              gracePeriodSeconds: 30
              maxRetryAttempts: 5
            metadataSyncPolicy:
              autoSync: false
          fuse:
            imageTag: v0.1.1
            args:
            - --buffer-size=64M
            options:
              vfs-cache-mode: full
              dir-cache-time: 5m
            env:
            - name: RCLONE_VERBOSE
              value: "1"
            cleanPolicy: OnDemand
            nodeSelector:
              node-role: gpu
            resources:
              limits:
                cpu: "2"
                memory: 4Gi
            podMetadata:
              annotations:
                sidecar.istio.io/inject: "false"
          tieredstore:
            levels:
            - mediumtype: SSD
              volumeType: hostPath
              path: /mnt/ssd1,/mnt/ssd2
              quotaList: 100Gi,50Gi
              high: "0.95"
              low: "0.7"
          worker:
            enabled: true
            image: fluidcloudnative/rclone-worker
            imageTag: v0.1.0
            imagePullPolicy: Always
            replicas: 2
            ports:
            - name: metrics
              containerPort: 9090
            env:
            - name: WORKER_MODE
              value: cache
            nodeSelector:
              node-role: storage
            networkMode: HostNetwork
            volumeMounts:
            - name: extra-cache
              mountPath: /cache
            readinessProbe:
              tcpSocket:
                port: 9090
              initialDelaySeconds: 5
          volumes:
          - name: extra-cache
            emptyDir:
              medium: Memory
              sizeLimit: 1Gi
        """;

    private const string VineyardRuntimeYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: VineyardRuntime
        metadata:
          name: vineyard
          namespace: default
        spec:
          replicas: 2
          disablePrometheus: false
          podMetadata:
            labels:
              team: ml
          master:
            replicas: 1
            image: registry.aliyuncs.com/vineyard/vineyardd
            imageTag: v0.22.2
            imagePullPolicy: IfNotPresent
            ports:
              client: 2379
              peer: 2380
            env:
              ETCD_SNAPSHOT_COUNT: "10000"
            nodeSelector:
              kubernetes.io/os: linux
            resources:
              requests:
                cpu: 500m
                memory: 1Gi
            volumeMounts:
            - name: etcd-data
              mountPath: /var/etcd
            podMetadata:
              annotations:
                backup: etcd
            networkMode: ContainerNetwork
            endpoint:
              uri: etcd-svc.etcd-namespace.svc.cluster.local:2379
              encryptOptions:
              - name: access-key
                valueFrom:
                  secretKeyRef:
                    name: etcd-secret
                    key: accesskey
              options:
                tls: "false"
          worker:
            replicas: 2
            image: registry.aliyuncs.com/vineyard/vineyardd
            imageTag: v0.22.2
            ports:
              rpc: 9600
              exporter: 9144
            options:
              vineyardd.reserve.memory: "true"
              etcd.prefix: /vineyard
              wait.etcd.timeout: "120"
            resources:
              requests:
                memory: 6Gi
              limits:
                memory: 8Gi
            networkMode: HostNetwork
          fuse:
            image: registry.aliyuncs.com/vineyard/vineyard-fluid-fuse
            imageTag: v0.22.2
            imagePullPolicy: Always
            env:
              VINEYARD_LOG_LEVEL: info
            cleanPolicy: OnRuntimeDeleted
            resources:
              requests:
                memory: 256Mi
            networkMode: HostNetwork
            podMetadata:
              labels:
                role: socket
            options:
              size: "0"
              etcd_prefix: /vineyard
              spill_lower_rate: "0.3"
          tieredstore:
            levels:
            - mediumtype: MEM
              quota: 4Gi
              high: "0.8"
              low: "0.3"
            - mediumtype: SSD
              quota: 10Gi
              volumeType: hostPath
              path: /var/spill-path
          volumes:
          - name: etcd-data
            persistentVolumeClaim:
              claimName: etcd-data
        """;

    private const string CacheRuntimeYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: CacheRuntime
        metadata:
          name: imagenet
          namespace: ml
        spec:
          runtimeClassName: fluid
          options:
            block-size: 4Mi
          podMetadata:
            labels:
              app: imagenet-cache
          imagePullSecrets:
          - name: registry-creds
          volumes:
          - name: cache-config
            configMap:
              name: imagenet-cache-config
          master:
            replicas: 1
            runtimeVersion:
              image: fluidcloudnative/fluid-cache
              imageTag: v1.0.0
              imagePullPolicy: IfNotPresent
            options:
              journal: raft
            resources:
              requests:
                cpu: "1"
                memory: 2Gi
            env:
            - name: LOG_LEVEL
              value: info
            args:
            - master
            nodeSelector:
              node-role: control
            tolerations:
            - key: dedicated
              operator: Equal
              value: cache
              effect: NoSchedule
          worker:
            replicas: 3
            disabled: false
            volumeMounts:
            - name: cache-config
              mountPath: /etc/fluid-cache
            podMetadata:
              annotations:
                fluid.io/cache: "true"
            tieredStore:
              levels:
              - processMemory:
                  quota: 4Gi
                high: "0.9"
                low: "0.7"
              - hostPath:
                  paths:
                  - /mnt/nvme0
                  - /mnt/nvme1
                  quotas:
                  - 100Gi
                  - 50Gi
                  type: DirectoryOrCreate
                high: "0.95"
                low: "0.8"
          client:
            cleanPolicy: OnDemand
            options:
              attr-timeout: 10s
            tieredStore:
              levels:
              - emptyDir:
                  quota: 1Gi
                  medium: Memory
            resources:
              limits:
                memory: 2Gi
        """;

    private const string CacheRuntimeClassYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: CacheRuntimeClass
        metadata:
          name: fluid
        fileSystemType: fluid
        extraResources:
          configMaps:
          - name: fluid-cache-config
            data:
              cache.toml: |
                [worker]
                data_dir = "/cache"
        dataOperationSpecs:
        - name: DataLoad
          image: fluidcloudnative/fluid-cache:v1.0.0
          command: [/bin/sh, -c]
          args:
          - fluid-cache load "$FLUID_DATALOAD_DATA_PATH"
        - name: DataBackup
        topology:
          master:
            options:
              role: master
            service:
              headless: {}
            dependencies:
              secretMount:
                enabled: true
              extraResources:
                configMaps:
                - name: fluid-cache-config
                  mountPath: /templates
            executionEntries:
              mountUFS:
                command: [bash, -c, /opt/fluid-cache/mount-ufs.sh]
                timeout: 30
              reportSummary:
                command: [fluid-cache, report, --json]
            template:
              metadata:
                labels:
                  component: master
              spec:
                restartPolicy: Always
                initContainers:
                - name: render-config
                  image: hairyhenderson/gomplate:alpine
                  command: [gomplate]
                  args: [-d, config=$(FLUID_RUNTIME_CONFIG_PATH), -f, /templates/cache.toml, -o, /etc/fluid-cache/cache.toml]
                  volumeMounts:
                  - name: shared-config
                    mountPath: /etc/fluid-cache
                containers:
                - name: master
                  image: fluidcloudnative/fluid-cache:v1.0.0
                  args: [master]
                  ports:
                  - name: rpc
                    containerPort: 8995
                  env:
                  - name: POD_NAME
                    valueFrom:
                      fieldRef:
                        fieldPath: metadata.name
                  volumeMounts:
                  - name: shared-config
                    mountPath: /etc/fluid-cache
                volumes:
                - name: shared-config
                  emptyDir: {}
          worker:
            service:
              headless: {}
            template:
              spec:
                containers:
                - name: worker
                  image: fluidcloudnative/fluid-cache:v1.0.0
                  args: [worker]
                  resources:
                    requests:
                      memory: 1Gi
          client:
            dependencies:
              secretMount:
                enabled: false
            template:
              spec:
                hostNetwork: true
                containers:
                - name: client
                  image: fluidcloudnative/fluid-cache:v1.0.0
                  args: [fuse, /runtime-mnt]
                  securityContext:
                    privileged: true
        """;

    [Fact]
    public void A_thin_runtime_profile_wrapping_rclone_loads_and_round_trips()
    {
        var profile = CleanManifest.Read<ThinRuntimeProfile>(ThinRuntimeProfileYaml);

        Assert.Equal("rclone", profile.Spec.FileSystemType);
        Assert.Equal(ThinNodePublishSecretPolicies.MountIfExists, profile.Spec.NodePublishSecretPolicy);
        var fuse = profile.Spec.Fuse!;
        Assert.Equal(["sh", "-c", "python3 /fluid_config_init.py && /mount-rclone.sh"], fuse.Command!);
        Assert.Equal("spec.nodeName", fuse.Env![1].ValueFrom!.FieldRef!.FieldPath);
        Assert.Equal(5572, Assert.Single(fuse.Ports!).Port);
        Assert.Equal("true", fuse.NodeSelector!["fluid.io/fuse"]);
        Assert.Equal(30, fuse.LivenessProbe!["periodSeconds"]!.GetValue<int>());
        Assert.NotNull(fuse.Lifecycle!["preStop"]);
        Assert.Equal(2L << 30, fuse.Resources!.Limits!["memory"].ToInt64());
        Assert.Equal("DirectoryOrCreate", profile.Spec.Volumes![1].HostPath!.Type);
        Assert.False(profile.Spec.Worker!.Enabled);
    }

    [Fact]
    public void A_thin_runtime_with_profile_fuse_tiered_store_and_worker_loads_and_round_trips()
    {
        var runtime = CleanManifest.Read<ThinRuntime>(ThinRuntimeYaml);

        Assert.Equal("rclone", runtime.Spec.ThinRuntimeProfileName);
        Assert.Equal(2, runtime.Spec.Replicas);
        Assert.Equal("full", runtime.Spec.Fuse!.Options!["vfs-cache-mode"]);
        Assert.Equal("OnDemand", runtime.Spec.Fuse.CleanPolicy);
        var level = Assert.Single(runtime.Spec.TieredStore!.Levels!);
        Assert.Equal("SSD", level.MediumType);
        Assert.Equal("100Gi,50Gi", level.QuotaList);
        Assert.Equal(5, runtime.Spec.RuntimeManagement!.CleanCachePolicy!.MaxRetryAttempts);
        Assert.Equal("fluid", runtime.Spec.RunAs!.UserName);
        Assert.Equal(9090, runtime.Spec.Worker!.Ports![0].Port);
        Assert.Equal(9090, runtime.Spec.Worker.ReadinessProbe!["tcpSocket"]!["port"]!.GetValue<int>());
    }

    [Fact]
    public void A_vineyard_runtime_with_master_worker_fuse_and_memory_tier_loads_and_round_trips()
    {
        var runtime = CleanManifest.Read<VineyardRuntime>(VineyardRuntimeYaml);

        var master = runtime.Spec.Master!;
        Assert.Equal(2379, master.Ports!["client"]);
        Assert.Equal("etcd-svc.etcd-namespace.svc.cluster.local:2379", master.ExternalEndpoint!.Uri);
        Assert.Equal("accesskey", master.ExternalEndpoint.EncryptOptions![0].ValueFrom!.SecretKeyRef!.Key);
        Assert.Equal("ContainerNetwork", master.NetworkMode);
        Assert.Equal(9144, runtime.Spec.Worker!.Ports!["exporter"]);
        Assert.Equal("true", runtime.Spec.Worker.Options!["vineyardd.reserve.memory"]);
        Assert.Equal("0", runtime.Spec.Fuse!.Options!["size"]);
        Assert.Equal("info", runtime.Spec.Fuse.Env!["VINEYARD_LOG_LEVEL"]);
        var levels = runtime.Spec.TieredStore!.Levels!;
        Assert.Equal(["MEM", "SSD"], levels.Select(l => l.MediumType));
        Assert.Equal(4L << 30, levels[0].Quota!.ToInt64());
        Assert.Equal("etcd-data", runtime.Spec.Volumes![0].PersistentVolumeClaim!.ClaimName);
    }

    [Fact]
    public void A_cache_runtime_of_the_native_fluid_class_loads_and_round_trips()
    {
        var runtime = CleanManifest.Read<CacheRuntime>(CacheRuntimeYaml);

        Assert.Equal("fluid", runtime.Spec.RuntimeClassName);
        Assert.Equal(1, runtime.Spec.Master!.Replicas);
        Assert.Equal("v1.0.0", runtime.Spec.Master.RuntimeVersion!.ImageTag);
        Assert.Equal("NoSchedule", Assert.Single(runtime.Spec.Master.Tolerations!).Effect);
        var worker = runtime.Spec.Worker!;
        Assert.Equal(3, worker.Replicas);
        Assert.False(worker.Disabled);
        var levels = worker.TieredStore!.Levels!;
        Assert.Equal(4L << 30, levels[0].ProcessMemory!.Quota!.ToInt64());
        Assert.Equal(["/mnt/nvme0", "/mnt/nvme1"], levels[1].HostPath!.Paths);
        Assert.Equal(["100Gi", "50Gi"], levels[1].HostPath!.Quotas.Select(q => q.Text));
        Assert.Equal("0.95", levels[1].High);
        var client = runtime.Spec.Client!;
        Assert.Equal(CacheRuntimeCleanPolicies.OnDemand, client.CleanPolicy);
        Assert.Equal("Memory", Assert.Single(client.TieredStore!.Levels!).EmptyDir!.Medium);
        Assert.Null(runtime.Status);
    }

    [Fact]
    public void A_cache_runtime_status_as_the_controller_writes_it_round_trips()
    {
        const string yaml = """
            apiVersion: data.fluid.io/v1alpha1
            kind: CacheRuntime
            metadata:
              name: imagenet
              namespace: ml
            spec:
              runtimeClassName: fluid
            status:
              valueFile: imagenet-fluid-values
              setupDuration: 2m30s
              selector: app=fluid-cache,release=imagenet
              mountTime: "2025-03-01T10:00:00Z"
              conditions:
              - type: MasterReady
                status: "True"
                reason: Ready
                message: The master is ready.
                lastProbeTime: "2025-03-01T09:58:00Z"
                lastTransitionTime: "2025-03-01T09:58:00Z"
              cacheAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms:
                  - matchExpressions:
                    - key: fluid.io/s-ml-imagenet
                      operator: In
                      values: ["true"]
              master:
                phase: Ready
                readyReplicas: 1
                currentReplicas: 1
                desiredReplicas: 1
                availableReplicas: 1
              worker:
                phase: PartialReady
                reason: Scheduling
                message: 2 of 3 workers are ready
                readyReplicas: 2
                currentReplicas: 3
                desiredReplicas: 3
                unavailableReplicas: 1
                availableReplicas: 2
              client:
                phase: NotReady
            """;

        var status = CleanManifest.Read<CacheRuntime>(yaml).Status!;

        Assert.Equal(RuntimePhases.PartialReady, status.Worker!.Phase);
        Assert.Equal(1, status.Worker.UnavailableReplicas);
        Assert.Equal(RuntimePhases.NotReady, status.Client!.Phase);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero), status.MountTime);
        Assert.Equal("MasterReady", Assert.Single(status.Conditions!).Type);
    }

    [Fact]
    public void A_cache_runtime_class_with_component_templates_loads_and_round_trips()
    {
        var runtimeClass = CleanManifest.Read<CacheRuntimeClass>(CacheRuntimeClassYaml);

        Assert.Equal("fluid", runtimeClass.FileSystemType);
        Assert.Contains("data_dir", runtimeClass.ExtraResources!.ConfigMaps![0].Data!["cache.toml"], StringComparison.Ordinal);
        Assert.Equal(["DataLoad", "DataBackup"], runtimeClass.DataOperationSpecs!.Select(d => d.Name));
        var master = runtimeClass.Topology!.Master!;
        Assert.NotNull(master.Service!.Headless);
        Assert.True(master.Dependencies!.SecretMount!.Enabled);
        Assert.Equal("/templates", master.Dependencies.ExtraResources!.ConfigMaps![0].MountPath);
        Assert.Equal(30, master.ExecutionEntries!.MountUfs!.TimeoutSeconds);
        Assert.Equal(["fluid-cache", "report", "--json"], master.ExecutionEntries.ReportSummary!.Command);
        Assert.Equal("master", master.Template!.Metadata!.Labels!["component"]);
        Assert.Equal(8995, master.Template.Spec!.Containers[0].Ports![0].Port);
        Assert.Equal("render-config", master.Template.Spec.InitContainers![0].Name);
        Assert.True(runtimeClass.Topology.Client!.Template!.Spec!.HostNetwork);
        Assert.True(runtimeClass.Topology.Client.Template.Spec.Containers[0].SecurityContext!["privileged"]!.GetValue<bool>());
    }

    [Fact]
    public void Camel_cased_spellings_of_upstreams_lower_case_tags_are_reported_as_unknown()
    {
        var doc = ManifestReader.Read("""
            apiVersion: data.fluid.io/v1alpha1
            kind: ThinRuntime
            metadata: {name: t}
            spec:
              tieredStore: {levels: []}
              profile: rclone
            """, "f.yaml").Single();

        Assert.Equal(["spec.tieredStore", "spec.profile"], doc.Warnings.Select(w => w.Path));
        Assert.Contains("did you mean \"tieredstore\"", doc.Warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vineyard_runtime_crd_has_upstreams_columns_short_name_and_scale_subresource()
    {
        var crd = Crd<VineyardRuntime>();

        Assert.Equal("Namespaced", crd["spec"]!["scope"]!.GetValue<string>());
        Assert.Equal("""["v6d"]""", crd["spec"]!["names"]!["shortNames"]!.ToJsonString());
        Assert.Equal("""["fluid"]""", crd["spec"]!["names"]!["categories"]!.ToJsonString());
        Assert.Equal(
            ["Ready Masters", "Desired Masters", "Master Phase", "Ready Workers", "Desired Workers", "Worker Phase",
                "Ready Fuses", "Desired Fuses", "Fuse Phase", "API Gateway", "Age"],
            ColumnNames(crd));
        Assert.Equal([10, 10, 0, 10, 10, 0, 10, 10, 0, 10, 0], Columns(crd).Select(c => c!["priority"]?.GetValue<int>() ?? 0));
        Assert.Equal(
            """{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.currentWorkerNumberScheduled","labelSelectorPath":".status.selector"}}""",
            Version(crd)["subresources"]!.ToJsonString());
    }

    [Fact]
    public void Thin_runtime_crd_is_namespaced_with_a_status_subresource_only()
    {
        var crd = Crd<ThinRuntime>();

        Assert.Equal("Namespaced", crd["spec"]!["scope"]!.GetValue<string>());
        Assert.Null(Version(crd)["additionalPrinterColumns"]);
        Assert.Equal("""{"status":{}}""", Version(crd)["subresources"]!.ToJsonString());
        var properties = SpecProperties(crd).Select(p => p.Key).ToList();
        Assert.Contains("tieredstore", properties);
        Assert.DoesNotContain("tieredStore", properties);
        Assert.Contains("profileName", properties);
        Assert.Contains("management", properties);
    }

    [Fact]
    public void Thin_runtime_profile_crd_is_cluster_scoped_and_defaults_the_secret_policy()
    {
        var crd = Crd<ThinRuntimeProfile>();

        Assert.Equal("Cluster", crd["spec"]!["scope"]!.GetValue<string>());
        Assert.Equal("""{"status":{}}""", Version(crd)["subresources"]!.ToJsonString());
        var spec = Schema(crd)["properties"]!["spec"]!;
        Assert.Equal("""["fileSystemType"]""", spec["required"]!.ToJsonString());
        var policy = spec["properties"]!["nodePublishSecretPolicy"]!;
        Assert.Equal("MountNodePublishSecretIfExists", policy["default"]!.GetValue<string>());
        Assert.Equal(3, policy["enum"]!.AsArray().Count);
    }

    [Fact]
    public void Cache_runtime_crd_shows_component_phases_and_replicas_and_no_scale_subresource()
    {
        var crd = Crd<CacheRuntime>();

        Assert.Equal("Namespaced", crd["spec"]!["scope"]!.GetValue<string>());
        Assert.Equal(
            ["Runtime Class", "Ready Masters", "Desired Masters", "Master Phase", "Ready Workers", "Desired Workers", "Worker Phase",
                "Ready Clients", "Desired Clients", "Client Phase", "Age"],
            ColumnNames(crd));
        Assert.Equal("""{"status":{}}""", Version(crd)["subresources"]!.ToJsonString());
        var spec = Schema(crd)["properties"]!["spec"]!;
        Assert.Equal("""["runtimeClassName"]""", spec["required"]!.ToJsonString());
        var masterReplicas = spec["properties"]!["master"]!["properties"]!["replicas"]!;
        Assert.Equal(1, masterReplicas["default"]!.GetValue<int>());
        Assert.Equal(0, masterReplicas["minimum"]!.GetValue<double>());
        var cleanPolicy = spec["properties"]!["client"]!["properties"]!["cleanPolicy"]!;
        Assert.Equal("OnRuntimeDeleted", cleanPolicy["default"]!.GetValue<string>());
        var hostPath = spec["properties"]!["worker"]!["properties"]!["tieredStore"]!["properties"]!["levels"]!["items"]!["properties"]!["hostPath"]!;
        Assert.Equal("""["paths","quotas"]""", hostPath["required"]!.ToJsonString());
    }

    [Fact]
    public void Cache_runtime_class_crd_is_cluster_scoped_with_top_level_fields()
    {
        var crd = Crd<CacheRuntimeClass>();

        Assert.Equal("Cluster", crd["spec"]!["scope"]!.GetValue<string>());
        Assert.Null(Version(crd)["subresources"]);
        Assert.Null(Version(crd)["additionalPrinterColumns"]);
        var root = Schema(crd);
        Assert.Equal("""["fileSystemType"]""", root["required"]!.ToJsonString());
        Assert.Equal(
            ["apiVersion", "dataOperationSpecs", "extraResources", "fileSystemType", "kind", "metadata", "topology"],
            root["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        var timeout = root["properties"]!["topology"]!["properties"]!["master"]!["properties"]!["executionEntries"]!["properties"]!["mountUFS"]!["properties"]!["timeout"]!;
        Assert.Equal("integer", timeout["type"]!.GetValue<string>());
    }

    private static JsonObject Crd<T>() => CrdGenerator.Generate(KindRegistry.Default.Find(typeof(T))!);

    private static JsonObject Version(JsonObject crd) => (JsonObject)crd["spec"]!["versions"]![0]!;

    private static JsonObject Schema(JsonObject crd) => (JsonObject)Version(crd)["schema"]!["openAPIV3Schema"]!;

    private static JsonObject SpecProperties(JsonObject crd) => (JsonObject)Schema(crd)["properties"]!["spec"]!["properties"]!;

    private static JsonArray Columns(JsonObject crd) => Version(crd)["additionalPrinterColumns"] as JsonArray ?? [];

    private static IEnumerable<string> ColumnNames(JsonObject crd) => Columns(crd).Select(c => c!["name"]!.GetValue<string>());
}
