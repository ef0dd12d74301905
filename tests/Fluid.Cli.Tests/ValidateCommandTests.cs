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
}
