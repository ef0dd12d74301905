using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Control.Cluster;
using Fluid.Control.Engines;
using Fluid.Control.Native;

namespace Fluid.Control.Tests;

/// <summary>A dataset and its runtime read from YAML, stored in an in-memory cluster, with the native engine for them.</summary>
internal sealed class TestWorld
{
    public TestWorld(string yaml)
    {
        var documents = ManifestReader.Read(yaml, "test.yaml");
        foreach (var document in documents)
        {
            Assert.True(document.Errors.Count == 0, string.Join("; ", document.Errors));
        }

        Dataset = documents.Select(d => d.Object).OfType<Dataset>().Single();
        Runtime = documents.Select(d => d.Object).OfType<KubeObject>().Single(o => o is not Fluid.Api.V1Alpha1.Dataset);
        Dataset.Metadata.Uid ??= "d5e1a0c2-0000-4000-8000-000000000001";
        Runtime.Metadata.Uid ??= "a1b2c3d4-0000-4000-8000-000000000002";
        Cluster.Seed(FluidJson.ToNode(Dataset));
        Cluster.Seed(FluidJson.ToNode(Runtime));
        NativeEngine.Register(Registry);
        Context = new EngineContext { Dataset = Dataset, Runtime = Runtime, Cluster = Cluster, Clock = Clock };
    }

    public static TestWorld FromExample(string file) => new(File.ReadAllText(Path.Combine(RepoRoot, "examples", file)));

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Fluid.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("the repository root (Fluid.slnx) was not found above " + AppContext.BaseDirectory);
        }
    }

    public Dataset Dataset { get; }

    public KubeObject Runtime { get; }

    public InMemoryClusterState Cluster { get; } = new();

    public EngineRegistry Registry { get; } = new();

    public FixedClock Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public EngineContext Context { get; }

    public string Ns => Runtime.Metadata.Namespace ?? "default";

    public string Name => Runtime.Metadata.Name!;

    public IEngine Engine() => Registry.Create(Context, EngineRegistry.RuntimeClassOf(Runtime));

    public NativeManifests Manifests() => ((NativeEngine)Engine()).Manifests;

    public JsonObject? Get(string apiVersion, string kind, string name, bool clusterScoped = false) =>
        Cluster.GetAsync(new ObjectKey(apiVersion, kind, clusterScoped ? null : Ns, name)).Result;

    public JsonObject Require(string apiVersion, string kind, string name, bool clusterScoped = false) =>
        Get(apiVersion, kind, name, clusterScoped) ?? throw new Xunit.Sdk.XunitException($"{kind} {name} was not created");

    /// <summary>Plays the StatefulSet controller and kubelet: the StatefulSet reports this many ready replicas.</summary>
    public void ReportStatefulSet(string name, int ready)
    {
        var sts = Require("apps/v1", "StatefulSet", name);
        var replicas = sts["spec"]!["replicas"]!.GetValue<int>();
        sts["status"] = new JsonObject { ["replicas"] = replicas, ["readyReplicas"] = ready, ["availableReplicas"] = ready };
        Cluster.Seed(sts);
    }

    public void AddNode(string name, Dictionary<string, string>? labels = null)
    {
        var node = Manifest.New("v1", "Node", null, name);
        Manifest.SetLabels(node, labels ?? new Dictionary<string, string> { ["kubernetes.io/hostname"] = name });
        Cluster.Seed(node);
    }

    /// <summary>Plays the StatefulSet controller and kubelet: a worker pod running (ready or not) on a node.</summary>
    public void AddWorkerPod(string podName, string node, bool ready)
    {
        var sts = Require("apps/v1", "StatefulSet", $"{Name}-worker");
        var pod = Manifest.New("v1", "Pod", Ns, podName);
        pod["metadata"]!["labels"] = sts["spec"]!["template"]!["metadata"]!["labels"]!.DeepClone();
        pod["spec"] = new JsonObject { ["nodeName"] = node };
        pod["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }) };
        Cluster.Seed(pod);
    }

    public Dictionary<string, string> NodeLabels(string node) => Manifest.Labels(Require("v1", "Node", node, clusterScoped: true));
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class Json
{
    public static string Str(this JsonNode? node, string path) => Node(node, path)?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"{path} is missing");

    public static JsonNode? Node(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (node is null)
            {
                return null;
            }

            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                node = node[part];
                continue;
            }

            node = bracket == 0 ? node : node[part[..bracket]];
            var index = int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            node = node?[index];
        }

        return node;
    }

    public static List<string> Strings(this JsonNode? node, string path) =>
        (Node(node, path) as JsonArray ?? throw new Xunit.Sdk.XunitException($"{path} is not a list")).Select(n => n!.GetValue<string>()).ToList();

    public static JsonObject Container(this JsonObject workload) => (JsonObject)Node(workload, "spec.template.spec.containers[0]")!;

    /// <summary>The value after a flag in an argument list (the first occurrence).</summary>
    public static string Flag(this List<string> args, string flag)
    {
        var i = args.IndexOf(flag);
        Assert.True(i >= 0 && i + 1 < args.Count, $"{flag} is missing from {string.Join(' ', args)}");
        return args[i + 1];
    }

    public static List<string> FlagValues(this List<string> args, string flag) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == flag && p.i + 1 < args.Count).Select(p => args[p.i + 1])];
}
