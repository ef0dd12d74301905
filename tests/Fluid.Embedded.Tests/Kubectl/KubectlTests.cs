using System.Diagnostics;
using Fluid.Embedded.Tests.Server;

namespace Fluid.Embedded.Tests.Kubectl;

/// <summary>The real kubectl against fluidd on a real port: what a user types must work.</summary>
public sealed class KubectlTests : IClassFixture<FluiddFixture>, IDisposable
{
    private readonly Kubectl _kubectl;

    public KubectlTests(FluiddFixture fluidd) => _kubectl = new Kubectl(fluidd.Server.KubeconfigPath);

    public void Dispose() => _kubectl.Dispose();

    [Fact]
    public void Patch_merge_changes_the_object_and_selectors_find_it()
    {
        _kubectl.Apply(ConfigMap("patched"));
        Assert.Contains("patched", _kubectl.Ok("patch", "configmap", "patched", "--type", "merge", "-p", "{\"metadata\":{\"labels\":{\"tier\":\"web\"}},\"data\":{\"a\":\"2\"}}"), StringComparison.Ordinal);
        Assert.Equal("2", _kubectl.Ok("get", "configmap", "patched", "-o", "jsonpath={.data.a}"));
        Assert.Contains("patched", _kubectl.Ok("get", "configmaps", "-l", "tier in (web)"), StringComparison.Ordinal);
        Assert.DoesNotContain("patched", _kubectl.Ok("get", "configmaps", "-l", "tier!=web"), StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_honours_finalizers()
    {
        _kubectl.Apply(ConfigMap("finalized"));
        _kubectl.Ok("patch", "configmap", "finalized", "--type", "merge", "-p", "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}");
        _kubectl.Ok("delete", "configmap", "finalized", "--wait=false");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT", _kubectl.Ok("get", "configmap", "finalized", "-o", "jsonpath={.metadata.deletionTimestamp}"));

        _kubectl.Ok("patch", "configmap", "finalized", "--type", "json", "-p", "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
        var (code, _, stderr) = _kubectl.Run("get", "configmap", "finalized");
        Assert.Equal(1, code);
        Assert.Contains("configmaps \"finalized\" not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_watch_sees_a_change()
    {
        _kubectl.Apply(ConfigMap("watched"));
        using var watch = Process.Start(_kubectl.Start("get", "configmap", "watched", "-w", "-o", "jsonpath={.data.a}{\"\\n\"}"))!;
        try
        {
            var lines = new System.Collections.Concurrent.BlockingCollection<string>();
            _ = Task.Run(() =>
            {
                while (watch.StandardOutput.ReadLine() is { } line)
                {
                    lines.Add(line);
                }

                lines.CompleteAdding();
            });
            Assert.True(lines.TryTake(out var initial, TimeSpan.FromSeconds(20)), "kubectl get -w printed nothing");
            Assert.Equal("1", initial);
            // kubectl opens its watch at "now" after printing; a change made before that is folded into
            // the watch's first event, which kubectl skips. Change until one is printed.
            string? changed = null;
            for (var value = 2; value < 12 && changed is null; value++)
            {
                _kubectl.Ok("patch", "configmap", "watched", "--type", "merge", "-p", $"{{\"data\":{{\"a\":\"{value}\"}}}}");
                lines.TryTake(out changed, TimeSpan.FromSeconds(2));
            }

            Assert.NotNull(changed);
            Assert.InRange(int.Parse(changed, System.Globalization.CultureInfo.InvariantCulture), 2, 11);
        }
        finally
        {
            watch.Kill();
            watch.WaitForExit();
        }
    }

    [Fact]
    public void An_invalid_dataset_is_rejected_with_its_field_error()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: broken
            spec:
              mounts:
                - name: data
                  mountPoint: local://relative/path
            """);
        try
        {
            var (code, _, stderr) = _kubectl.Run("apply", "-f", file);
            Assert.Equal(1, code);
            Assert.Contains("The Dataset \"broken\" is invalid", stderr, StringComparison.Ordinal);
            Assert.Contains("spec.mounts[0].mountPoint: local:// needs an absolute path", stderr, StringComparison.Ordinal);
            Assert.Equal(1, _kubectl.Run("get", "dataset", "broken").ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Scale_works_through_kubectl()
    {
        _kubectl.Apply("""
            apiVersion: data.fluid.io/v1alpha1
            kind: AlluxioRuntime
            metadata:
              name: scaled
            spec:
              replicas: 1
            """);
        _kubectl.Ok("scale", "alluxioruntime", "scaled", "--replicas=4");
        Assert.Equal("4", _kubectl.Ok("get", "alluxioruntime", "scaled", "-o", "jsonpath={.spec.replicas}"));
    }

    private static string ConfigMap(string name) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        data:
          a: "1"
        """;
}

/// <summary>kubectl on the repository's examples, on a fluidd of its own so nothing else was applied before.</summary>
public sealed class ExamplesKubectlTests : IClassFixture<FluiddFixture>, IDisposable
{
    private readonly Kubectl _kubectl;

    public ExamplesKubectlTests(FluiddFixture fluidd) => _kubectl = new Kubectl(fluidd.Server.KubeconfigPath);

    public void Dispose() => _kubectl.Dispose();

    [Fact]
    public void Apply_of_the_examples_twice_then_get_describe_and_yaml_show_them()
    {
        var first = _kubectl.Ok("apply", "-f", "examples/");
        Assert.Contains("dataset.data.fluid.io/demo created", first, StringComparison.Ordinal);
        Assert.Contains("namespace/team-a created", first, StringComparison.Ordinal);
        Assert.Contains("secret/imagenet-s3-keys created", first, StringComparison.Ordinal);
        Assert.Contains("thinruntimeprofile.data.fluid.io/rclone created", first, StringComparison.Ordinal);

        var second = _kubectl.Ok("apply", "-f", "examples/");
        Assert.DoesNotContain("created", second, StringComparison.Ordinal);
        Assert.Contains("dataset.data.fluid.io/demo unchanged", second, StringComparison.Ordinal);

        var all = _kubectl.Ok("get", "datasets", "--all-namespaces");
        Assert.Contains("demo-shared", all, StringComparison.Ordinal);
        Assert.Contains("team-a", all, StringComparison.Ordinal);


        var table = _kubectl.Ok("get", "datasets");
        var header = table.Split('\n')[0];
        Assert.Matches(@"^NAME\s+UFS TOTAL SIZE\s+CACHED\s+CACHE CAPACITY\s+CACHED PERCENTAGE\s+PHASE\s+AGE$", header.TrimEnd());
        Assert.Matches(@"(?m)^demo\s+\d+[smhd]", table);
        Assert.Contains("HCFS URL", _kubectl.Ok("get", "dataset", "demo", "-o", "wide"), StringComparison.Ordinal);

        var yaml = _kubectl.Ok("get", "dataset", "demo", "-o", "yaml");
        Assert.Contains("kind: Dataset", yaml, StringComparison.Ordinal);
        Assert.Contains("mountPoint: local:///var/lib/fluid-samples", yaml, StringComparison.Ordinal);
        Assert.Matches("uid: [0-9a-f-]{36}", yaml);

        var described = _kubectl.Ok("describe", "dataset", "demo");
        Assert.Matches(@"(?m)^Name:\s+demo$", described);
        Assert.Matches(@"Mount Point:\s+local:///var/lib/fluid-samples", described);

        var runtimes = _kubectl.Ok("get", "cacheruntime", "demo");
        Assert.Contains("RUNTIME CLASS", runtimes, StringComparison.Ordinal);
    }
}
