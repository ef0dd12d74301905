using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fluid.Embedded.Agent;
using Fluid.Embedded.Hosting;
using Fluid.Kube;
using Fluid.Kube.Config;

namespace Fluid.Cli.Tests;

/// <summary>
/// A real fluidd with its node agent, started in the test process where `fluid up` would put it
/// ($FLUID_HOME/server), so the `fluid` commands the tests run find it by default.
/// </summary>
public sealed partial class ClusterFixture : IAsyncLifetime
{
    public string Home { get; } = Directory.CreateTempSubdirectory("fluid-home-").FullName;

    public FluiddServer Server { get; private set; } = null!;

    public KubeClient Client { get; private set; } = null!;

    public string Kubeconfig => Server.KubeconfigPath;

    public async Task InitializeAsync()
    {
        var dotnet = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var data = Path.Combine(Home, "server");
        Server = await FluiddServer.StartAsync(new FluiddOptions
        {
            DataDirectory = data,
            Port = 0,
            BookmarkInterval = TimeSpan.FromSeconds(1),
            NodeAgent = new NodeAgentOptions
            {
                DataDirectory = Path.Combine(data, "agent"),
                NodeName = "cli-test-node",
                SyncInterval = TimeSpan.FromMilliseconds(200),
                HeartbeatInterval = TimeSpan.FromSeconds(5),
                InitialRestartBackoff = TimeSpan.FromMilliseconds(200),
                Fluid = new FluidProgram(dotnet, [Path.Combine(AppContext.BaseDirectory, "fluid.dll")]),
            },
        });
        Client = new KubeClient(KubeConfigLoader.LoadFiles([Server.KubeconfigPath]));
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Home, recursive: true);
    }

    /// <summary>The environment `fluid` runs in: FLUID_HOME here, HOME without a ~/.kube/config, no KUBECONFIG.</summary>
    public Dictionary<string, string> Environment(string? fluidHome = null) => new()
    {
        ["FLUID_HOME"] = fluidHome ?? Home,
        ["HOME"] = Path.Combine(Home, "user"),
        ["KUBECONFIG"] = "",
    };

    /// <summary>Runs `fluid ARGS` against this fluidd.</summary>
    public (int ExitCode, string Stdout, string Stderr) Fluid(params string[] args) => FluidProcess.Run(Home, Environment(), null, args);

    /// <summary>Runs `fluid ARGS` with <paramref name="stdin"/> as standard input.</summary>
    public (int ExitCode, string Stdout, string Stderr) FluidWithInput(string stdin, params string[] args) => FluidProcess.Run(Home, Environment(), stdin, args);

    /// <summary>Runs `fluid ARGS` and fails with its output unless it exits 0; returns stdout.</summary>
    public string Ok(params string[] args)
    {
        var (code, stdout, stderr) = Fluid(args);
        Assert.True(code == 0, $"fluid {string.Join(' ', args)} exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }

    /// <summary>Starts `fluid ARGS` in the background against this fluidd.</summary>
    internal FluidDaemon Start(params string[] args) => FluidProcess.Start(Home, Environment(), args);

    /// <summary>Runs kubectl against this fluidd (its own HOME, so no cache or config of the user's is used).</summary>
    public string Kubectl(params string[] args)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["KUBECONFIG"] = Kubeconfig;
        start.Environment["HOME"] = Path.Combine(Home, "kubectl");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "kubectl did not finish in 60 s");
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Creates a namespace of this name (each test works in its own).</summary>
    public async Task<string> NamespaceAsync(string name)
    {
        await Client.Resource("v1", "Namespace").CreateAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        return name;
    }

    /// <summary>Polls (every <paramref name="pollMilliseconds"/>) until <paramref name="read"/> returns a value, or fails naming what was awaited.</summary>
    public static async Task<T> Eventually<T>(string what, Func<Task<T?>> read, double seconds = 20, int pollMilliseconds = 100)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {seconds}s waiting for {what}");
            }

            await Task.Delay(pollMilliseconds);
        }
    }

    /// <summary>A table with the ages at the end of its lines replaced, so two printings a second apart compare equal.</summary>
    public static string WithoutAges(string table) => TrailingAge().Replace(table, "<age>");

    [GeneratedRegex(@"[0-9]+[smhdy]([0-9]+[smh])?$", RegexOptions.Multiline)]
    private static partial Regex TrailingAge();
}
