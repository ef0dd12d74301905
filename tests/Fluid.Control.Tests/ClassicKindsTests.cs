using Fluid.Control.Engines;

namespace Fluid.Control.Tests;

public class ClassicKindsTests
{
    private const string Alluxio = """
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata: {name: hbase, namespace: default}
        spec:
          mounts: [{mountPoint: "https://mirrors.example.org/hbase/", name: hbase}]
        ---
        apiVersion: data.fluid.io/v1alpha1
        kind: AlluxioRuntime
        metadata: {name: hbase, namespace: default}
        spec:
          replicas: 2
          alluxioVersion:
            image: alluxio/alluxio
          properties:
            alluxio.user.block.size.bytes.default: 256MB
          jvmOptions: ["-Xmx4G"]
          master:
            replicas: 3
          tieredstore:
            levels:
              - mediumtype: MEM
                path: /dev/shm
                quota: 2Gi
                high: "0.95"
                low: "0.7"
              - mediumtype: SSD
                path: /mnt/a,/mnt/b
                quota: 100Gi
              - mediumtype: HDD
                path: /mnt/c,/mnt/d
                quotaList: 10Gi,30Gi
        """;

    [Fact]
    public void The_nfs_efc_example_runs_three_native_workers_with_its_memory_tier()
    {
        var world = TestWorld.FromExample("nfs-efc.yaml");
        var engine = world.Engine();
        Assert.True(engine.Validate().IsValid);
        Assert.Empty(engine.Validate().Warnings);
        var sts = world.Manifests().WorkerStatefulSet();
        Assert.Equal("nfs-demo-worker", sts.Str("metadata.name"));
        Assert.Equal(3, sts["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(["MEM:/dev/shm:15Gi:0.8:0.5"], sts.Container().Strings("args").FlagValues("--tier"));
        Assert.Equal("EFCRuntime", world.Manifests().OwnerReference().Str("kind"));
    }

    [Fact]
    public void Replicas_and_tiers_are_honoured_with_quotas_split_or_listed_per_path()
    {
        var world = new TestWorld(Alluxio);
        var sts = world.Manifests().WorkerStatefulSet();
        Assert.Equal(2, sts["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(
            ["MEM:/dev/shm:2Gi:0.95:0.7", "SSD:/mnt/a,/mnt/b:100Gi", "HDD:/mnt/c:10Gi", "HDD:/mnt/d:30Gi"],
            sts.Container().Strings("args").FlagValues("--tier"));
    }

    [Fact]
    public void Fields_only_the_third_party_engine_understands_are_reported_as_ignored_with_their_paths()
    {
        var world = new TestWorld(Alluxio);
        var validation = world.Engine().Validate();
        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        var paths = validation.Warnings.Select(w => w.Path).ToList();
        Assert.Equal(["spec.alluxioVersion", "spec.jvmOptions", "spec.master", "spec.properties"], paths.Order(StringComparer.Ordinal));
        Assert.All(validation.Warnings, w => Assert.Contains("AlluxioRuntime", w.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.StartsWith("spec.replicas", StringComparison.Ordinal) || p.StartsWith("spec.tieredstore", StringComparison.Ordinal));
    }

    [Fact]
    public void An_ignored_field_inside_a_tier_is_reported_at_its_level()
    {
        var world = new TestWorld(Alluxio.Replace("quota: 2Gi", "quota: 2Gi\n        volumeSource:\n          emptyDir: {}", StringComparison.Ordinal));
        var warning = Assert.Single(world.Engine().Validate().Warnings, w => w.Path.StartsWith("spec.tieredstore", StringComparison.Ordinal));
        Assert.Equal("spec.tieredstore.levels[0].volumeSource", warning.Path);
    }

    [Fact]
    public void A_tier_the_native_cache_cannot_place_is_an_error_naming_the_field()
    {
        var world = new TestWorld(Alluxio.Replace("quota: 100Gi", "quota: 100Gi\n        volumeType: volumeTemplate", StringComparison.Ordinal));
        var validation = world.Engine().Validate();
        var error = Assert.Single(validation.Errors);
        Assert.Equal("spec.tieredstore.levels[1].volumeType", error.Path);
        Assert.Contains("hostPath or emptyDir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quota_list_that_does_not_match_the_paths_is_an_error()
    {
        var world = new TestWorld(Alluxio.Replace("quotaList: 10Gi,30Gi", "quotaList: 10Gi", StringComparison.Ordinal));
        var error = Assert.Single(world.Engine().Validate().Errors);
        Assert.Equal("spec.tieredstore.levels[2].quotaList", error.Path);
        Assert.Contains("2 paths, 1 quotas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_with_an_invalid_tier_throws_before_creating_anything()
    {
        var world = new TestWorld(Alluxio.Replace("quota: 100Gi", "quota: 0", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<EngineInputException>(() => world.Engine().SetupAsync());
        Assert.Equal("spec.tieredstore.levels[1].quota", error.Path);
        Assert.Empty(world.Cluster.Writes);
    }

    [Fact]
    public void CacheRuntime_refuses_more_than_one_master_and_mismatched_host_path_quotas()
    {
        var world = new TestWorld("""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata: {name: demo, namespace: default}
            spec:
              mounts: [{mountPoint: "local:///data", name: data}]
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: CacheRuntime
            metadata: {name: demo, namespace: default}
            spec:
              runtimeClassName: fluid
              master: {replicas: 3}
              worker:
                tieredStore:
                  levels:
                    - hostPath: {paths: [/a, /b], quotas: [1Gi]}
            """);
        var errors = world.Engine().Validate().Errors.Select(e => e.Path).ToList();
        Assert.Equal(["spec.master.replicas", "spec.worker.tieredStore.levels[0].hostPath.quotas"], errors);
    }
}
