using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Schema;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Tests.V1Alpha1;

public class ClassicRuntimeTypesTests
{
    private const string AlluxioYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: AlluxioRuntime
        metadata:
          name: hbase
          namespace: analytics
          labels:
            team: data
        spec:
          replicas: 2
          alluxioVersion:
            image: registry.aliyuncs.com/alluxio/alluxio
            imageTag: "2.9.0"
            imagePullPolicy: IfNotPresent
          imagePullSecrets:
            - name: registry-cred
          tieredstore:
            levels:
              - mediumtype: MEM
                path: /dev/shm
                quota: 2Gi
                high: "0.95"
                low: "0.7"
              - mediumtype: SSD
                path: /mnt/ssd0,/mnt/ssd1
                quotaList: 100Gi,50Gi
                volumeType: hostPath
                high: "0.9"
                low: "0.6"
          properties:
            alluxio.user.file.writetype.default: MUST_CACHE
            alluxio.user.block.size.bytes.default: 256MB
            alluxio.user.metadata.cache.enabled: "true"
          jvmOptions:
            - "-Xmx4G"
            - "-XX:+UnlockExperimentalVMOptions"
          master:
            replicas: 3
            jvmOptions:
              - "-Xmx6G"
            properties:
              alluxio.master.journal.type: UFS
            ports:
              rpc: 19998
              web: 19999
            resources:
              requests:
                cpu: "1"
                memory: 4Gi
              limits:
                cpu: "2"
                memory: 8Gi
            env:
              ALLUXIO_MASTER_JAVA_OPTS: "-Dalluxio.master.journal.folder=/journal"
            nodeSelector:
              node-role.fluid.io/alluxio-master: "true"
            networkMode: ContainerNetwork
            volumeMounts:
              - name: hadoop-conf
                mountPath: /opt/hadoop/conf
                readOnly: true
            podMetadata:
              labels:
                component: master
              annotations:
                prometheus.io/scrape: "true"
            imagePullSecrets:
              - name: master-registry-cred
          jobMaster:
            resources:
              requests:
                memory: 1Gi
          worker:
            jvmOptions:
              - "-Xmx12G"
              - "-XX:MaxDirectMemorySize=32g"
            properties:
              alluxio.worker.network.reader.buffer.size: 32MB
            ports:
              rpc: 29999
            resources:
              limits:
                cpu: "8"
                memory: 16Gi
            networkMode: HostNetwork
            podMetadata:
              labels:
                component: worker
          jobWorker:
            resources:
              limits:
                memory: 2Gi
          apiGateway:
            enabled: true
            ports:
              rest: 39999
          initUsers:
            image: registry.aliyuncs.com/fluid/init-users
            imageTag: v0.9.0
            imagePullPolicy: IfNotPresent
            env:
              FLUID_INIT_USERS_TIMEOUT: "30"
            resources:
              requests:
                cpu: 100m
          fuse:
            image: registry.aliyuncs.com/alluxio/alluxio-fuse
            imageTag: "2.9.0"
            imagePullPolicy: IfNotPresent
            imagePullSecrets:
              - name: registry-cred
            jvmOptions:
              - "-Xmx16G"
              - "-Xms16G"
            properties:
              alluxio.fuse.jnifuse.enabled: "true"
            env:
              MAX_IDLE_THREADS: "32"
            resources:
              requests:
                cpu: 500m
                memory: 2Gi
            args:
              - fuse
              - --fuse-opts=kernel_cache,ro,max_read=131072,attr_timeout=7200,entry_timeout=7200,nonempty
            nodeSelector:
              fluid.io/fuse: "true"
            cleanPolicy: OnDemand
            networkMode: ""
            volumeMounts:
              - name: fuse-log
                mountPath: /var/log/alluxio
            podMetadata:
              annotations:
                sidecar.istio.io/inject: "false"
          data:
            replicas: 2
            pin: true
          runAs:
            uid: 1201
            gid: 1201
            user: fluid-user-1
            group: fluid-group-1
          disablePrometheus: false
          hadoopConfig: hdfs-config
          volumes:
            - name: hadoop-conf
              configMap:
                name: hdfs-config
            - name: fuse-log
              hostPath:
                path: /var/log/alluxio-fuse
                type: DirectoryOrCreate
            - name: cache-pvc
              persistentVolumeClaim:
                claimName: alluxio-cache
          podMetadata:
            labels:
              app: hbase-cache
          management:
            cleanCachePolicy:
              gracePeriodSeconds: 60
              maxRetryAttempts: 3
            metadataSyncPolicy:
              autoSync: false
        """;

    private const string JuiceFSYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: JuiceFSRuntime
        metadata:
          name: jfsdemo
          namespace: default
        spec:
          replicas: 2
          juicefsVersion:
            image: juicedata/juicefs-fuse
            imageTag: ce-v1.1.0
            imagePullPolicy: IfNotPresent
          initUsers:
            image: registry.aliyuncs.com/fluid/init-users
            imageTag: v0.9.0
          tieredstore:
            levels:
              - mediumtype: SSD
                path: /cache1:/cache2
                quota: 40Gi
                low: "0.1"
          configs:
            - juicefs-config
          master:
            enabled: false
          worker:
            options:
              cache-size: "102400"
              free-space-ratio: "0.1"
              attr-cache: "7200"
            env:
              - name: JFS_LOG_LEVEL
                value: debug
              - name: ACCESS_KEY
                valueFrom:
                  secretKeyRef:
                    name: jfs-secret
                    key: access-key
              - name: POD_IP
                valueFrom:
                  fieldRef:
                    fieldPath: status.podIP
            ports:
              - name: metrics
                containerPort: 9567
                protocol: TCP
            resources:
              requests:
                cpu: "1"
                memory: 2Gi
              limits:
                cpu: "2"
                memory: 4Gi
            nodeSelector:
              juicefs-cache: "true"
            volumeMounts:
              - name: cache-dir
                mountPath: /cache1
            podMetadata:
              labels:
                role: juicefs-worker
            networkMode: ContainerNetwork
          jobWorker:
            replicas: 1
            enabled: true
            resources:
              limits:
                memory: 1Gi
          fuse:
            image: juicedata/juicefs-fuse
            imageTag: ce-v1.1.0
            imagePullPolicy: IfNotPresent
            env:
              - name: GOMAXPROCS
                value: "4"
            resources:
              requests:
                cpu: 500m
                memory: 1Gi
            options:
              attr-cache: "7200"
              entry-cache: "7200"
              metrics: 0.0.0.0:9567
            nodeSelector:
              fluid.io/fuse: "true"
            volumeMounts:
              - name: cache-dir
                mountPath: /cache1
                subPath: fuse
            cleanPolicy: OnFuseChanged
            podMetadata:
              annotations:
                prometheus.io/port: "9567"
            networkMode: HostNetwork
          runAs:
            uid: 1000
            gid: 1000
            user: juicefs
            group: juicefs
          disablePrometheus: true
          volumes:
            - name: cache-dir
              emptyDir:
                medium: Memory
                sizeLimit: 4Gi
          volumeClaimTemplates:
            - metadata:
                name: cache
              spec:
                accessModes:
                  - ReadWriteOnce
                storageClassName: local-ssd
                resources:
                  requests:
                    storage: 100Gi
          podMetadata:
            labels:
              app: jfsdemo
          management:
            metadataSyncPolicy:
              autoSync: true
        """;

    private const string JindoYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: JindoRuntime
        metadata:
          name: oss-data
          namespace: training
        spec:
          replicas: 3
          jindoVersion:
            image: registry.cn-shanghai.aliyuncs.com/jindofs/smartdata
            imageTag: "6.2.0"
            imagePullPolicy: IfNotPresent
          secret: oss-credentials
          user: hadoop
          hadoopConfig: hdfs-conf
          networkmode: ContainerNetwork
          properties:
            fs.oss.download.thread.concurrency: "32"
            fs.jindocache.meta.cache.enable: "true"
          tieredstore:
            levels:
              - mediumtype: MEM
                path: /dev/shm
                volumeType: emptyDir
                quota: 4Gi
                high: "0.99"
                low: "0.95"
          master:
            replicas: 1
            properties:
              namespace.rpc.port: "8101"
            ports:
              rpc: 8101
            resources:
              requests:
                cpu: "1"
                memory: 4Gi
            env:
              JINDO_LOG_LEVEL: info
            nodeSelector:
              jindo-master: "true"
            tolerations:
              - key: dedicated
                operator: Equal
                value: fluid
                effect: NoSchedule
            podMetadata:
              labels:
                role: jindo-master
            volumeMounts:
              - name: oss-conf
                mountPath: /etc/jindo
                readOnly: true
            imagePullSecrets:
              - name: acr-cred
          worker:
            disabled: false
            properties:
              storage.data-dirs.capacities: 4g
            ports:
              rpc: 6101
            resources:
              limits:
                memory: 8Gi
            labels:
              legacy-worker-label: v1
            tolerations:
              - operator: Exists
          fuse:
            image: registry.cn-shanghai.aliyuncs.com/jindofs/jindo-fuse
            imageTag: "6.2.0"
            imagePullPolicy: IfNotPresent
            imagePullSecrets:
              - name: acr-cred
            args:
              - -okernel_cache
              - -oro
              - -oattr_timeout=7200
              - -oentry_timeout=7200
            properties:
              fs.jindocache.read.buffer.size: 1m
            env:
              JINDO_FUSE_THREADS: "16"
            resources:
              requests:
                memory: 2Gi
            nodeSelector:
              fluid.io/fuse: "true"
            tolerations:
              - key: gpu
                operator: Exists
                effect: NoExecute
                tolerationSeconds: 300
            podMetadata:
              annotations:
                sidecar.istio.io/inject: "false"
            cleanPolicy: OnRuntimeDeleted
            disabled: false
            logConfig:
              logger.level: "2"
            metrics:
              enabled: true
              scrapeTarget: MountPod
          logConfig:
            logger.sync: "false"
          labels:
            legacy-label: jindo
          podMetadata:
            annotations:
              owner: training-team
          runAs:
            uid: 1005
            gid: 1005
            user: jindo
            group: jindo
          cleanCachePolicy:
            gracePeriodSeconds: 30
            maxRetryAttempts: 5
          volumes:
            - name: oss-conf
              secret:
                secretName: oss-conf
                defaultMode: 420
          imagePullSecrets:
            - name: acr-cred
        """;

    private const string GooseFSYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: GooseFSRuntime
        metadata:
          name: cos-data
          namespace: default
        spec:
          replicas: 2
          goosefsVersion:
            image: ccr.ccs.tencentyun.com/qcloud/goosefs
            imageTag: v1.2.0
            imagePullPolicy: IfNotPresent
          tieredstore:
            levels:
              - mediumtype: SSD
                path: /mnt/disk1,/mnt/disk2
                quota: 200Gi
                high: "0.9"
                low: "0.2"
          properties:
            goosefs.user.block.size.bytes.default: 64MB
            goosefs.user.streaming.reader.chunk.size.bytes: 32MB
          jvmOptions:
            - "-Xmx8G"
          master:
            replicas: 1
            jvmOptions:
              - "-Xmx4G"
            properties:
              goosefs.master.journal.type: UFS
            ports:
              rpc: 19998
              web: 19999
            resources:
              requests:
                cpu: "1"
                memory: 4Gi
            env:
              GOOSEFS_MASTER_OPTS: "-Dgoosefs.master.hostname=0.0.0.0"
            nodeSelector:
              goosefs-master: "true"
            annotations:
              prometheus.io/scrape: "true"
          jobMaster:
            resources:
              limits:
                memory: 2Gi
          worker:
            jvmOptions:
              - "-Xmx12G"
            ports:
              rpc: 29999
            resources:
              limits:
                cpu: "4"
                memory: 16Gi
          jobWorker:
            resources:
              limits:
                memory: 2Gi
          apiGateway:
            enabled: true
          initUsers:
            image: ccr.ccs.tencentyun.com/qcloud/init-users
            imageTag: v0.6.0
          fuse:
            image: ccr.ccs.tencentyun.com/qcloud/goosefs-fuse
            imageTag: v1.2.0
            imagePullPolicy: IfNotPresent
            jvmOptions:
              - "-Xmx4G"
            properties:
              goosefs.fuse.cached.paths.max: "5000"
            env:
              MAX_IDLE_THREADS: "32"
            resources:
              requests:
                cpu: 500m
            args:
              - fuse
              - --fuse-opts=kernel_cache,ro
            nodeSelector:
              fluid.io/fuse: "true"
            cleanPolicy: OnDemand
            annotations:
              sidecar.istio.io/inject: "false"
          data:
            replicas: 1
            pin: false
          runAs:
            uid: 1000
            gid: 1000
            user: goosefs
            group: goosefs
          disablePrometheus: true
          hadoopConfig: cos-hadoop-conf
          cleanCachePolicy:
            gracePeriodSeconds: 10
            maxRetryAttempts: 2
        """;

    private const string EfcYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: EFCRuntime
        metadata:
          name: nas-demo
          namespace: default
        spec:
          replicas: 3
          master:
            replicas: 1
            version:
              image: registry.cn-zhangjiakou.aliyuncs.com/nascache/efc-master
              imageTag: "0.1.0"
              imagePullPolicy: IfNotPresent
            properties:
              cache_capacity_gb: "10"
            ports:
              rpc: 18000
            resources:
              requests:
                cpu: 500m
                memory: 1Gi
            disabled: false
            nodeSelector:
              efc-master: "true"
            networkMode: HostNetwork
            podMetadata:
              labels:
                role: efc-master
          worker:
            version:
              image: registry.cn-zhangjiakou.aliyuncs.com/nascache/efc-worker
              imageTag: "0.1.0"
            properties:
              cache_media: /cache_dir
            ports:
              rpc: 18001
            resources:
              limits:
                memory: 16Gi
            networkMode: ContainerNetwork
            podMetadata:
              annotations:
                efc.io/worker: "true"
          initFuse:
            version:
              image: registry.cn-zhangjiakou.aliyuncs.com/nascache/init-alifuse
              imageTag: update
              imagePullPolicy: IfNotPresent
          fuse:
            version:
              image: registry.cn-zhangjiakou.aliyuncs.com/nascache/efc-fuse
              imageTag: "0.1.0"
            properties:
              g_tier_EnableClusterCache: "true"
              g_tier_EnableClusterCachePrefetch: "true"
            resources:
              requests:
                memory: 512Mi
            nodeSelector:
              fluid.io/fuse: "true"
            cleanPolicy: OnDemand
            networkMode: HostNetwork
            podMetadata:
              labels:
                role: efc-fuse
          tieredstore:
            levels:
              - mediumtype: MEM
                path: /dev/shm
                quota: 15Gi
                high: "0.9"
                low: "0.8"
          osAdvise:
            osVersion: alinux2
            enabled: true
          cleanCachePolicy:
            gracePeriodSeconds: 60
            maxRetryAttempts: 3
          podMetadata:
            labels:
              app: nas-demo
        """;

    private const string JindoWithStatusYaml = """
        apiVersion: data.fluid.io/v1alpha1
        kind: JindoRuntime
        metadata:
          name: oss-data
          namespace: training
        spec:
          replicas: 2
        status:
          valueFile: oss-data-jindofs-values
          masterPhase: Ready
          workerPhase: PartialReady
          fusePhase: Ready
          desiredMasterNumberScheduled: 1
          currentMasterNumberScheduled: 1
          masterNumberReady: 1
          desiredWorkerNumberScheduled: 2
          currentWorkerNumberScheduled: 2
          workerNumberReady: 1
          workerNumberAvailable: 1
          workerNumberUnavailable: 1
          desiredFuseNumberScheduled: 0
          currentFuseNumberScheduled: 0
          fuseNumberReady: 0
          setupDuration: 45s
          selector: app=jindo,release=oss-data,role=jindo-worker
          cacheStates:
            cacheCapacity: 8.00GiB
            cached: 1.20GiB
            cachedPercentage: 15.0%
          conditions:
            - type: MasterReady
              status: "True"
              reason: Master is ready
              message: The master is ready.
              lastProbeTime: "2024-05-01T10:00:00Z"
              lastTransitionTime: "2024-05-01T10:00:00Z"
        """;

    [Fact]
    public void An_alluxio_runtime_from_the_docs_loads_cleanly_and_round_trips()
    {
        var runtime = CleanManifest.Read<AlluxioRuntime>(AlluxioYaml);

        Assert.Equal("analytics/hbase", runtime.Key);
        Assert.Equal(2, runtime.Spec.Replicas);
        Assert.Equal("2.9.0", runtime.Spec.AlluxioVersion!.ImageTag);
        var levels = runtime.Spec.TieredStore!.Levels!;
        Assert.Equal(["MEM", "SSD"], levels.Select(l => l.MediumType));
        Assert.Equal("2Gi", levels[0].Quota!.Text);
        Assert.Equal("0.95", levels[0].High);
        Assert.Equal("100Gi,50Gi", levels[1].QuotaList);
        Assert.Equal(19998, runtime.Spec.Master!.Ports!["rpc"]);
        Assert.Equal("8Gi", runtime.Spec.Master.Resources!.Limits!["memory"].Text);
        Assert.Equal("ContainerNetwork", runtime.Spec.Master.NetworkMode);
        Assert.Equal("/opt/hadoop/conf", runtime.Spec.Master.VolumeMounts!.Single().MountPath);
        Assert.True(runtime.Spec.ApiGateway!.Enabled);
        Assert.Equal("OnDemand", runtime.Spec.Fuse!.CleanPolicy);
        Assert.Equal(2, runtime.Spec.Fuse.Args!.Count);
        Assert.True(runtime.Spec.Data!.Pin);
        Assert.Equal("fluid-user-1", runtime.Spec.RunAs!.UserName);
        Assert.Equal("hdfs-config", runtime.Spec.HadoopConfig);
        Assert.Equal("alluxio-cache", runtime.Spec.Volumes![2].PersistentVolumeClaim!.ClaimName);
        Assert.Equal(60, runtime.Spec.RuntimeManagement!.CleanCachePolicy!.GracePeriodSeconds);
        Assert.False(runtime.Spec.RuntimeManagement.MetadataSyncPolicy!.AutoSync);
        Assert.Equal("registry-cred", runtime.Spec.ImagePullSecrets!.Single().Name);
    }

    [Fact]
    public void A_juicefs_runtime_from_the_docs_loads_cleanly_and_round_trips()
    {
        var runtime = CleanManifest.Read<JuiceFSRuntime>(JuiceFSYaml);

        Assert.Equal("ce-v1.1.0", runtime.Spec.JuiceFSVersion!.ImageTag);
        Assert.Equal(["juicefs-config"], runtime.Spec.Configs!);
        var worker = runtime.Spec.Worker!;
        Assert.Equal("102400", worker.Options!["cache-size"]);
        Assert.Equal("access-key", worker.Env![1].ValueFrom!.SecretKeyRef!.Key);
        Assert.Equal("status.podIP", worker.Env[2].ValueFrom!.FieldRef!.FieldPath);
        Assert.Equal(9567, worker.Ports!.Single().Port);
        Assert.False(runtime.Spec.Master!.Enabled);
        Assert.Equal("OnFuseChanged", runtime.Spec.Fuse!.CleanPolicy);
        Assert.Equal("0.0.0.0:9567", runtime.Spec.Fuse.Options!["metrics"]);
        Assert.Equal("4Gi", runtime.Spec.Volumes!.Single().EmptyDir!.SizeLimit!.Text);
        Assert.Equal("local-ssd", runtime.Spec.VolumeClaimTemplates!.Single()["spec"]!["storageClassName"]!.GetValue<string>());
        Assert.True(runtime.Spec.RuntimeManagement!.MetadataSyncPolicy!.AutoSync);
    }

    [Fact]
    public void A_jindo_runtime_from_the_docs_loads_cleanly_and_round_trips()
    {
        var runtime = CleanManifest.Read<JindoRuntime>(JindoYaml);

        Assert.Equal("oss-credentials", runtime.Spec.Secret);
        Assert.Equal("hadoop", runtime.Spec.User);
        Assert.Equal("ContainerNetwork", runtime.Spec.NetworkMode);
        Assert.Equal("emptyDir", runtime.Spec.TieredStore!.Levels!.Single().VolumeType);
        Assert.Equal("NoSchedule", runtime.Spec.Master!.Tolerations!.Single().Effect);
        Assert.Equal(8101, runtime.Spec.Master.Ports!["rpc"]);
        Assert.False(runtime.Spec.Worker!.Disabled);
        Assert.Equal("v1", runtime.Spec.Worker.Labels!["legacy-worker-label"]);
        Assert.Equal(300, runtime.Spec.Fuse!.Tolerations!.Single().TolerationSeconds);
        Assert.Equal("MountPod", runtime.Spec.Fuse.Metrics!.ScrapeTarget);
        Assert.Equal("2", runtime.Spec.Fuse.LogConfig!["logger.level"]);
        Assert.Equal(5, runtime.Spec.CleanCachePolicy!.MaxRetryAttempts);
        Assert.Equal(420, runtime.Spec.Volumes!.Single().Secret!.DefaultMode);
    }

    [Fact]
    public void A_goosefs_runtime_loads_cleanly_and_round_trips()
    {
        var runtime = CleanManifest.Read<GooseFSRuntime>(GooseFSYaml);

        Assert.Equal("v1.2.0", runtime.Spec.GooseFSVersion!.ImageTag);
        Assert.Equal("200Gi", runtime.Spec.TieredStore!.Levels!.Single().Quota!.Text);
        Assert.Equal("true", runtime.Spec.Master!.Annotations!["prometheus.io/scrape"]);
        Assert.Equal(19999, runtime.Spec.Master.Ports!["web"]);
        Assert.True(runtime.Spec.ApiGateway!.Enabled);
        Assert.Equal("sidecar.istio.io/inject", runtime.Spec.Fuse!.Annotations!.Keys.Single());
        Assert.Equal(1, runtime.Spec.Data!.Replicas);
        Assert.False(runtime.Spec.Data.Pin);
        Assert.Equal("cos-hadoop-conf", runtime.Spec.HadoopConfig);
        Assert.Equal(10, runtime.Spec.CleanCachePolicy!.GracePeriodSeconds);
    }

    [Fact]
    public void An_efc_runtime_from_the_docs_loads_cleanly_and_round_trips()
    {
        var runtime = CleanManifest.Read<EFCRuntime>(EfcYaml);

        Assert.Equal("registry.cn-zhangjiakou.aliyuncs.com/nascache/efc-master", runtime.Spec.Master!.Version!.Image);
        Assert.Equal(18000, runtime.Spec.Master.Ports!["rpc"]);
        Assert.False(runtime.Spec.Master.Disabled);
        Assert.Equal("16Gi", runtime.Spec.Worker!.Resources!.Limits!["memory"].Text);
        Assert.Equal("update", runtime.Spec.InitFuse!.Version!.ImageTag);
        Assert.Equal("true", runtime.Spec.Fuse!.Properties!["g_tier_EnableClusterCache"]);
        Assert.Equal("alinux2", runtime.Spec.OSAdvise!.OSVersion);
        Assert.True(runtime.Spec.OSAdvise.Enabled);
        Assert.Equal("15Gi", runtime.Spec.TieredStore!.Levels!.Single().Quota!.Text);
    }

    [Fact]
    public void A_runtime_with_status_as_the_api_returns_it_round_trips()
    {
        var runtime = CleanManifest.Read<JindoRuntime>(JindoWithStatusYaml);

        Assert.Equal("PartialReady", runtime.Status!.WorkerPhase);
        Assert.Equal(2, runtime.Status.CurrentWorkerNumberScheduled);
        Assert.Equal("MasterReady", runtime.Status.Conditions!.Single().Type);
    }

    [Fact]
    public void Near_miss_field_names_are_warned_with_upstreams_spelling()
    {
        var doc = ManifestReader.Read("""
            apiVersion: data.fluid.io/v1alpha1
            kind: JindoRuntime
            metadata: {name: oss-data}
            spec:
              networkMode: HostNetwork
              tieredStore: {levels: []}
            """, "f.yaml").Single();

        Assert.Empty(doc.Errors);
        Assert.Equal(["spec.networkMode", "spec.tieredStore"], doc.Warnings.Select(w => w.Path));
        Assert.Contains("did you mean \"networkmode\"", doc.Warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("did you mean \"tieredstore\"", doc.Warnings[1].Message, StringComparison.Ordinal);
    }

    public static TheoryData<Type, string, string[]> Columns => new()
    {
        { typeof(AlluxioRuntime), "alluxio", ["Ready Masters", "Desired Masters", "Master Phase", "Ready Workers", "Desired Workers", "Worker Phase", "Ready Fuses", "Desired Fuses", "Fuse Phase", "API Gateway", "Age"] },
        { typeof(GooseFSRuntime), "goose", ["Ready Masters", "Desired Masters", "Master Phase", "Ready Workers", "Desired Workers", "Worker Phase", "Ready Fuses", "Desired Fuses", "Fuse Phase", "API Gateway", "Age"] },
        { typeof(JindoRuntime), "jindo", ["Ready Masters", "Desired Masters", "Master Phase", "Ready Workers", "Desired Workers", "Worker Phase", "Ready Fuses", "Desired Fuses", "Fuse Phase", "Age"] },
        { typeof(EFCRuntime), "efc", ["Ready Masters", "Desired Masters", "Master Phase", "Ready Workers", "Desired Workers", "Worker Phase", "Ready Fuses", "Desired Fuses", "Fuse Phase", "Age"] },
        { typeof(JuiceFSRuntime), "juicefs", ["Ready Workers", "Desired Workers", "Worker Phase", "Ready Fuses", "Desired Fuses", "Fuse Phase", "Age"] },
    };

    [Theory]
    [MemberData(nameof(Columns))]
    public void The_crd_has_upstreams_names_and_printer_columns_in_order(Type type, string shortName, string[] columns)
    {
        var crd = CrdGenerator.Generate(KindRegistry.Default.Find(type)!);
        var version = crd["spec"]!["versions"]![0]!;
        var printed = ((JsonArray)version["additionalPrinterColumns"]!).Select(c => c!.AsObject()).ToList();

        Assert.Equal($"[\"{shortName}\"]", crd["spec"]!["names"]!["shortNames"]!.ToJsonString());
        Assert.Equal("[\"fluid\"]", crd["spec"]!["names"]!["categories"]!.ToJsonString());
        Assert.Equal(columns, printed.Select(c => c["name"]!.GetValue<string>()));
        // Counts and the API gateway endpoint are for -o wide; phases and age always show.
        Assert.All(printed, c => Assert.Equal(
            c["type"]!.GetValue<string>() == "integer" || c["name"]!.GetValue<string>() == "API Gateway" ? 10 : null,
            c["priority"]?.GetValue<int>()));
        Assert.Equal(".metadata.creationTimestamp", printed[^1]["jsonPath"]!.GetValue<string>());
        Assert.Contains(printed, c => c["jsonPath"]!.GetValue<string>() == ".status.fusePhase");
        Assert.NotNull(version["subresources"]!["status"]);
    }

    [Theory]
    [InlineData(typeof(AlluxioRuntime), true)]
    [InlineData(typeof(JuiceFSRuntime), true)]
    [InlineData(typeof(GooseFSRuntime), true)]
    [InlineData(typeof(JindoRuntime), false)]
    [InlineData(typeof(EFCRuntime), false)]
    public void The_crd_scales_workers_through_spec_replicas(Type type, bool hasSelector)
    {
        var crd = CrdGenerator.Generate(KindRegistry.Default.Find(type)!);
        var scale = crd["spec"]!["versions"]![0]!["subresources"]!["scale"]!;

        Assert.Equal(".spec.replicas", scale["specReplicasPath"]!.GetValue<string>());
        Assert.Equal(".status.currentWorkerNumberScheduled", scale["statusReplicasPath"]!.GetValue<string>());
        Assert.Equal(hasSelector ? ".status.selector" : null, scale["labelSelectorPath"]?.GetValue<string>());
    }

    [Fact]
    public void The_schema_carries_upstreams_replica_minimum_and_network_mode_enum()
    {
        var spec = CrdGenerator.Generate(KindRegistry.Default.Find(typeof(AlluxioRuntime))!)
            ["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!;

        Assert.Equal(1, spec["master"]!["properties"]!["replicas"]!["minimum"]!.GetValue<double>());
        Assert.Equal("""["HostNetwork","","ContainerNetwork"]""", spec["fuse"]!["properties"]!["networkMode"]!["enum"]!.ToJsonString());
        Assert.Equal("object", spec["tieredstore"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", spec["worker"]!["properties"]!["ports"]!["additionalProperties"]!["type"]!.GetValue<string>());
    }
}
