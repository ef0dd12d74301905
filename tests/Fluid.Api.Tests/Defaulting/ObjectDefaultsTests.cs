using Fluid.Api.Defaulting;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Api.Validation;

namespace Fluid.Api.Tests.Defaulting;

public class ObjectDefaultsTests
{
    private static T Read<T>(string yaml)
    {
        var doc = ManifestReader.Read(yaml, "f.yaml").Single();
        Assert.Empty(doc.Errors);
        return Assert.IsType<T>(doc.Object);
    }

    [Fact]
    public void A_dataset_gets_upstreams_defaults()
    {
        var dataset = Read<Dataset>("""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata: {name: demo}
            spec:
              mounts:
              - {mountPoint: 'local:///data/a', name: a}
              - {mountPoint: 'local:///data/b', name: b, path: /custom}
            """);

        ObjectDefaults.Apply(dataset);

        Assert.Equal("Exclusive", dataset.Spec.PlacementMode);
        Assert.Equal(["ReadOnlyMany"], dataset.Spec.AccessModes);
        Assert.Equal("/a", dataset.Spec.Mounts![0].Path);
        Assert.Equal("/custom", dataset.Spec.Mounts[1].Path);
        Assert.True(ObjectValidator.Validate(dataset).IsValid);
    }

    [Fact]
    public void A_single_nameless_mount_sits_at_the_root()
    {
        var dataset = Read<Dataset>("apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: demo}\nspec: {mounts: [{mountPoint: 'https://mirror.example.org/data/'}]}\n");

        Assert.True(ObjectValidator.Validate(dataset).IsValid);
        ObjectDefaults.Apply(dataset);

        Assert.Equal("/", dataset.Spec.Mounts![0].Path);
    }

    [Fact]
    public void What_the_user_set_is_kept()
    {
        var dataset = Read<Dataset>("apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: demo}\nspec: {placement: Shared, accessModes: [ReadWriteMany], mounts: [{mountPoint: 'local:///x', name: x}]}\n");

        ObjectDefaults.Apply(dataset);

        Assert.Equal("Shared", dataset.Spec.PlacementMode);
        Assert.Equal(["ReadWriteMany"], dataset.Spec.AccessModes);
    }

    [Fact]
    public void Operations_default_to_once_with_one_replica_and_scripts_never_restart()
    {
        var load = Read<DataLoad>("apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: l}\nspec: {dataset: {name: demo}, target: [{path: /a}]}\n");
        var process = Read<DataProcess>("apiVersion: data.fluid.io/v1alpha1\nkind: DataProcess\nmetadata: {name: p}\nspec: {dataset: {name: demo, mountPath: /data}, processor: {script: {image: bash, source: ls}}}\n");
        var migrate = Read<DataMigrate>("apiVersion: data.fluid.io/v1alpha1\nkind: DataMigrate\nmetadata: {name: m}\nspec: {from: {dataset: {name: demo, namespace: default}}, to: {externalStorage: {uri: 's3://bucket'}}}\n");

        ObjectDefaults.Apply(load);
        ObjectDefaults.Apply(process);
        ObjectDefaults.Apply(migrate);

        Assert.Equal("Once", load.Spec.Policy);
        Assert.Equal(1, load.Spec.Target![0].Replicas);
        Assert.Equal("Once", process.Spec.Policy);
        Assert.Equal("Never", process.Spec.Processor.Script!.RestartPolicy);
        Assert.Equal(1, migrate.Spec.Parallelism);
        Assert.Equal("Once", migrate.Spec.Policy);
    }

    [Fact]
    public void A_tiers_quota_is_split_evenly_over_its_paths_unless_a_quota_list_says_otherwise()
    {
        var even = new Level { MediumType = "SSD", Path = "/mnt/a, /mnt/b,/mnt/c", Quota = Fluid.Api.Core.Quantity.Parse("30Gi") };
        var listed = new Level { MediumType = "SSD", Path = "/mnt/a,/mnt/b", QuotaList = "10Gi,20Gi" };

        Assert.Equal([("/mnt/a", 10L << 30), ("/mnt/b", 10L << 30), ("/mnt/c", 10L << 30)], TierLayout.PathQuotas(even));
        Assert.Equal([("/mnt/a", 10L << 30), ("/mnt/b", 20L << 30)], TierLayout.PathQuotas(listed));
    }
}
