namespace Fluid.Cli.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fluid-validate-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return name;
    }

    [Fact]
    public void Every_example_validates()
    {
        var (exit, stdout, stderr) = FluidProcess.Run(FluidProcess.RepoRoot, "validate", "examples/");

        Assert.True(exit == 0, stdout + stderr);
        Assert.Empty(stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 15, stdout);
        Assert.All(lines, l => Assert.StartsWith("OK ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_name_file_object_and_field_and_fail_the_run()
    {
        Write("bad.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              labels: {tier: [a, b]}
            data: {a: b}
            """);

        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "bad.yaml");

        Assert.Equal(1, exit);
        Assert.Equal("bad.yaml:ConfigMap/settings: metadata.labels[tier]: expected a string, got a list\n", stdout);
    }

    [Fact]
    public void Unknown_metadata_fields_are_warnings_on_stderr_and_do_not_fail()
    {
        Write("warn.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, lables: {a: b}}
            """);

        var (exit, stdout, stderr) = FluidProcess.Run(_dir.FullName, "validate", "warn.yaml");

        Assert.Equal(0, exit);
        Assert.StartsWith("OK ConfigMap/settings", stdout, StringComparison.Ordinal);
        Assert.Contains("warning: warn.yaml:ConfigMap/settings: metadata.lables: unknown field", stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean \"labels\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_errors_give_the_line()
    {
        Write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\n  metadata: x\n");

        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "broken.yaml");

        Assert.Equal(1, exit);
        Assert.StartsWith("broken.yaml:", stdout, StringComparison.Ordinal);
        Assert.Contains("not valid YAML: line 3", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_paths_and_empty_directories_are_errors()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "empty"));

        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "nope.yaml", "empty");

        Assert.Equal(1, exit);
        Assert.Contains("nope.yaml: no such file or directory", stdout, StringComparison.Ordinal);
        Assert.Contains("empty: no *.yaml, *.yml or *.json files", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Directories_are_searched_recursively_in_order()
    {
        Write("d/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
        Write("d/sub/a.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
        Write("d/notes.txt", "not a manifest");

        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "--quiet", "d");

        Assert.Equal(0, exit);
        Assert.Empty(stdout);
        (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "d");
        Assert.Equal(["ConfigMap/b", "ConfigMap/a"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]));
    }

    [Fact]
    public void Usage_errors_explain_themselves()
    {
        var (exit, stdout, stderr) = FluidProcess.Run(_dir.FullName, "validate");

        Assert.NotEqual(0, exit);
        Assert.Contains("Required argument missing", stderr, StringComparison.Ordinal);
        Assert.Contains("fluid validate <FILE_OR_DIR>...", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Kind_rules_report_every_error_with_file_object_and_field()
    {
        Write("dataset.yaml", """
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata: {name: Demo}
            spec:
              mounts:
              - {mountPoint: 'ftp://mirror/data', name: a}
              - {mountPoint: 'local:///data', name: a}
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: DataLoad
            metadata: {name: nightly}
            spec: {dataset: {name: demo}, policy: Cron, schedule: '0 25 * * *'}
            """);

        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "dataset.yaml");

        Assert.Equal(1, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("dataset.yaml:Dataset/Demo: metadata.name: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("dataset.yaml:Dataset/Demo: spec.mounts[0].mountPoint: unsupported scheme \"ftp://\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dataset.yaml:Dataset/Demo: spec.mounts[1].name: \"a\" is already the name", StringComparison.Ordinal));
        Assert.StartsWith("dataset.yaml:DataLoad/nightly: spec.schedule: hour field", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void A_fluid_kind_with_a_misspelt_field_is_valid_with_a_warning()
    {
        Write("runtime.yaml", """
            apiVersion: data.fluid.io/v1alpha1
            kind: AlluxioRuntime
            metadata: {name: demo}
            spec:
              replicas: 2
              tieredStore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 2Gi}]}
            """);

        var (exit, stdout, stderr) = FluidProcess.Run(_dir.FullName, "validate", "runtime.yaml");

        Assert.Equal(0, exit);
        Assert.Equal("OK AlluxioRuntime/demo\n", stdout);
        Assert.Contains("warning: runtime.yaml:AlluxioRuntime/demo: spec.tieredStore: unknown field; it is ignored — did you mean \"tieredstore\"?", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fluid_kind_under_the_wrong_api_version_is_told_the_right_one()
    {
        Write("v.yaml", "apiVersion: data.fluid.io/v1\nkind: Dataset\nmetadata: {name: demo}\n");

        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "validate", "v.yaml");

        Assert.Equal(1, exit);
        Assert.Contains("v.yaml:Dataset/demo: apiVersion: Dataset is not served as \"data.fluid.io/v1\"; use apiVersion: data.fluid.io/v1alpha1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Crds_writes_what_is_committed_in_the_chart()
    {
        var (exit, stdout, _) = FluidProcess.Run(_dir.FullName, "crds", "--output", "out");

        Assert.Equal(0, exit);
        Assert.Equal(15, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var committed = Path.Combine(FluidProcess.RepoRoot, "charts", "fluid", "crds");
        foreach (var file in Directory.GetFiles(Path.Combine(_dir.FullName, "out")))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(committed, Path.GetFileName(file))), File.ReadAllText(file));
        }
    }
}
