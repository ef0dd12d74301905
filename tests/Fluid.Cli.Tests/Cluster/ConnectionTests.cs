using System.Net;
using System.Net.Sockets;

namespace Fluid.Cli.Tests.Cluster;

/// <summary>What the cluster commands say when there is no fluidd to talk to, and their help.</summary>
public sealed class ConnectionTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("fluid-home-none-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Without_a_fluidd_every_command_says_how_to_start_one()
    {
        var kubeconfig = Path.Combine(_home, "server", "kubeconfig");
        foreach (var args in new[] { ["get", "datasets"], ["describe", "dataset", "demo"], ["delete", "dataset", "demo"], ["logs", "demo-master-0"], ["load", "demo"], new[] { "apply", "-f", "-" } })
        {
            var (code, stdout, stderr) = FluidProcess.Run(_home, Environment(), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", args);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Equal($"error: no fluidd is running here (no {kubeconfig}): start one with 'fluid up -f FILE', or pass --kubeconfig to use a cluster\n", stderr);
        }
    }

    [Fact]
    public void A_fluidd_that_does_not_answer_is_named_with_its_url_and_what_to_do()
    {
        // A kubeconfig left by a fluidd that stopped: its port is closed now.
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        Directory.CreateDirectory(Path.Combine(_home, "server"));
        var kubeconfig = Path.Combine(_home, "server", "kubeconfig");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fluid
              cluster:
                server: https://127.0.0.1:{port}
                insecure-skip-tls-verify: true
            users:
            - name: fluid
              user:
                token: stale
            contexts:
            - name: fluid
              context: {"{"} cluster: fluid, user: fluid, namespace: default {"}"}
            current-context: fluid
            """);

        var started = DateTime.UtcNow;
        var (code, _, stderr) = FluidProcess.Run(_home, Environment(), null, "get", "datasets");
        Assert.Equal(1, code);
        Assert.StartsWith($"error: cannot reach fluidd at https://127.0.0.1:{port} (", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"): it is not running; start it with 'fluid up -f FILE' (its kubeconfig is {kubeconfig}), or pass --kubeconfig to use a cluster\n", stderr);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(25), "a stopped fluidd should be reported after a few quick retries, not after long ones (the bound includes a cold .NET start on a busy machine)");

        (code, _, stderr) = FluidProcess.Run(_home, Environment(), null, "get", "datasets", "--kubeconfig", Path.Combine(_home, "nope.yaml"));
        Assert.Equal(1, code);
        Assert.Contains("nope.yaml: no such file", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apply", "fluid apply -f examples/")]
    [InlineData("get", "fluid get datasets -o wide -A")]
    [InlineData("describe", "fluid describe dataset demo")]
    [InlineData("delete", "fluid delete dataset demo")]
    [InlineData("logs", "fluid logs demo-master-0")]
    [InlineData("load", "fluid load demo /train /val --replicas 2")]
    public void Help_explains_each_command_with_examples_and_the_connection_options(string command, string example)
    {
        var (code, stdout, _) = FluidProcess.Run(_home, command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
        Assert.Contains(example, stdout, StringComparison.Ordinal);
        Assert.Contains("--kubeconfig", stdout, StringComparison.Ordinal);
        Assert.Contains("--context", stdout, StringComparison.Ordinal);
        Assert.Contains("-n, --namespace", stdout, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["FLUID_HOME"] = _home,
        ["HOME"] = Path.Combine(_home, "user"),
        ["KUBECONFIG"] = "",
    };
}
