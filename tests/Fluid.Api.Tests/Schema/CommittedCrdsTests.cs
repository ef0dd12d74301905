using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Schema;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Tests.Schema;

/// <summary>The CRDs in charts/fluid/crds are what the types generate, with upstream's printer columns.</summary>
public class CommittedCrdsTests
{
    private static readonly string CrdDirectory = Path.Combine(RepoRoot(), "charts", "fluid", "crds");

    private static IEnumerable<KindInfo> FluidKinds =>
        KindRegistry.Default.All.Where(k => k.Resource.Group == FluidResourceAttribute.FluidGroup);

    [Fact]
    public void Committed_crds_are_not_stale()
    {
        var stale = FluidKinds
            .Where(k => !File.Exists(Path.Combine(CrdDirectory, CrdGenerator.FileName(k)))
                || File.ReadAllText(Path.Combine(CrdDirectory, CrdGenerator.FileName(k))) != CrdGenerator.Render(k))
            .Select(k => k.Kind)
            .ToList();

        Assert.True(stale.Count == 0, $"stale or missing CRDs for {string.Join(", ", stale)}; run: ./fluid crds --output charts/fluid/crds");
        var expected = FluidKinds.Select(CrdGenerator.FileName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(CrdDirectory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_kind_of_the_api_has_a_crd()
    {
        Assert.Equal(
            ["AlluxioRuntime", "CacheRuntime", "CacheRuntimeClass", "DataBackup", "DataLoad", "DataMigrate", "DataProcess", "Dataset", "EFCRuntime", "GooseFSRuntime", "JindoRuntime", "JuiceFSRuntime", "ThinRuntime", "ThinRuntimeProfile", "VineyardRuntime"],
            FluidKinds.Select(k => k.Kind).Order(StringComparer.Ordinal));
        Assert.All(FluidKinds, k => Assert.Contains("fluid", k.Resource.Categories));
    }

    [Fact]
    public void Dataset_columns_are_upstreams()
    {
        Assert.Equal(
            [
                ("Ufs Total Size", ".status.ufsTotal", 0), ("Cached", ".status.cacheStates.cached", 0),
                ("Cache Capacity", ".status.cacheStates.cacheCapacity", 0), ("Cached Percentage", ".status.cacheStates.cachedPercentage", 0),
                ("Phase", ".status.phase", 0), ("HCFS URL", ".status.hcfs.endpoint", 10), ("TOTAL FILES", ".status.fileNum", 11),
                ("CACHE HIT RATIO", ".status.cacheStates.cacheHitRatio", 10), ("Age", ".metadata.creationTimestamp", 0),
            ],
            Columns(typeof(Dataset)));
    }

    [Theory]
    [InlineData(typeof(DataLoad), "Dataset,Phase,Age,Duration")]
    [InlineData(typeof(DataProcess), "Dataset,Phase,Age,Duration")]
    [InlineData(typeof(DataMigrate), "Phase,Age,Duration")]
    [InlineData(typeof(DataBackup), "Dataset,Phase,Path,NodeName,Duration,Age")]
    [InlineData(typeof(AlluxioRuntime), "Ready Masters,Desired Masters,Master Phase,Ready Workers,Desired Workers,Worker Phase,Ready Fuses,Desired Fuses,Fuse Phase,API Gateway,Age")]
    public void Operation_and_runtime_columns_are_upstreams(Type kind, string names)
    {
        Assert.Equal(names.Split(','), Columns(kind).Select(c => c.Name));
    }

    [Fact]
    public void Every_printer_column_points_at_a_field_the_schema_has()
    {
        foreach (var kind in FluidKinds)
        {
            var version = CrdGenerator.Generate(kind)["spec"]!["versions"]![0]!;
            var root = (JsonObject)version["schema"]!["openAPIV3Schema"]!;
            foreach (var column in ((JsonArray?)version["additionalPrinterColumns"] ?? []).Where(c => !c!["jsonPath"]!.GetValue<string>().StartsWith(".metadata.", StringComparison.Ordinal)))
            {
                JsonNode? node = root;
                foreach (var part in column!["jsonPath"]!.GetValue<string>().TrimStart('.').Split('.'))
                {
                    var properties = node?["properties"];
                    node = properties?[part] ?? (node?["additionalProperties"] is not null ? node["additionalProperties"] : null);
                }

                Assert.True(node is not null, $"{kind.Kind}: column {column["name"]} points at {column["jsonPath"]}, which the schema lacks");
            }
        }
    }

    [Fact]
    public void Profiles_and_classes_are_cluster_scoped_and_runtimes_scale()
    {
        Assert.Equal("Cluster", Crd(typeof(ThinRuntimeProfile))["spec"]!["scope"]!.GetValue<string>());
        Assert.Equal("Cluster", Crd(typeof(CacheRuntimeClass))["spec"]!["scope"]!.GetValue<string>());
        Assert.Equal("Namespaced", Crd(typeof(Dataset))["spec"]!["scope"]!.GetValue<string>());
        Assert.NotNull(Crd(typeof(AlluxioRuntime))["spec"]!["versions"]![0]!["subresources"]!["scale"]);
        Assert.NotNull(Crd(typeof(Dataset))["spec"]!["versions"]![0]!["subresources"]!["status"]);
    }

    [Fact]
    public void The_committed_files_read_back_as_yaml()
    {
        foreach (var file in Directory.GetFiles(CrdDirectory, "*.yaml"))
        {
            var doc = Assert.Single(YamlDocuments.Parse(File.ReadAllText(file)));
            Assert.Equal("CustomResourceDefinition", doc.Content["kind"]!.GetValue<string>());
        }
    }

    private static JsonObject Crd(Type type) => CrdGenerator.Generate(KindRegistry.Default.Find(type)!);

    private static List<(string Name, string JsonPath, int Priority)> Columns(Type type) =>
        [.. ((JsonArray)Crd(type)["spec"]!["versions"]![0]!["additionalPrinterColumns"]!)
            .Select(c => (c!["name"]!.GetValue<string>(), c["jsonPath"]!.GetValue<string>(), c["priority"]?.GetValue<int>() ?? 0))];

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fluid.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Fluid.slnx not found above " + AppContext.BaseDirectory);
    }
}
