using System.Text.Json.Nodes;
using Fluid.Embedded.Agent;
using Fluid.Embedded.Hosting;
using Fluid.Kube;
using Fluid.Kube.Config;

namespace Fluid.Embedded.Tests.Agent;

/// <summary>A real fluidd with its node agent, running the fluid CLI built next to the tests as image `fluid`.</summary>
public sealed class AgentFixture : IAsyncLifetime
{
    public const string Node = "agent-test-node";

    /// <summary>
    /// The classes with an agent run one after the other: their pods share host directories
    /// (/run/fluid-agent-test, ...) that a fixture removes when its class ends.
    /// </summary>
    public const string Collection = "node agents";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("fluidd-agent-").FullName;

    public FluiddServer Server { get; private set; } = null!;

    public KubeClient Client { get; private set; } = null!;

    public string AgentDirectory => Path.Combine(DataDirectory, "agent");

    public async Task InitializeAsync()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        Server = await FluiddServer.StartAsync(new FluiddOptions
        {
            DataDirectory = DataDirectory,
            Port = 0,
            NodeAgent = new NodeAgentOptions
            {
                DataDirectory = AgentDirectory,
                NodeName = Node,
                SyncInterval = TimeSpan.FromMilliseconds(200),
                HeartbeatInterval = TimeSpan.FromSeconds(2),
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
        Directory.Delete(DataDirectory, recursive: true);
        // Mount points the agent created on the host for the tests' volumeMounts (empty once the pods are gone).
        foreach (var directory in new[] { "/var/lib/fluid-agent-test", "/run/fluid-agent-test", "/etc/fluid-agent-test" }.Concat(Directory.GetDirectories("/tmp", "fluid-agent-test-ds-*")))
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Every pod log the agent wrote, for the message of a failed wait.</summary>
    public string Logs() => string.Join("\n", Directory.EnumerateFiles(AgentDirectory, "*.log*", SearchOption.AllDirectories).Select(f => $"==> {f}\n{File.ReadAllText(f)}"));

    /// <summary>Polls until <paramref name="read"/> returns a value, or fails with every pod log.</summary>
    public async Task<T> Wait<T>(string what, Func<Task<T?>> read, double seconds = 20)
        where T : class
    {
        try
        {
            return await Eventually(what, read, seconds);
        }
        catch (TimeoutException e)
        {
            var pods = await Client.Resource("v1", "Pod").ListAsync(null, "default");
            throw new TimeoutException($"{e.Message}\n{Logs()}\n{string.Join("\n", pods.Items.Select(p => $"{p["metadata"]!["name"]}: {p["status"]}"))}", e);
        }
    }

    /// <summary>Polls until <paramref name="read"/> returns a value, or fails naming what was awaited.</summary>
    public static async Task<T> Eventually<T>(string what, Func<Task<T?>> read, double seconds = 20)
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

            await Task.Delay(100);
        }
    }

    public async Task<List<JsonObject>> PodsAsync(string labelSelector)
    {
        var list = await Client.Resource("v1", "Pod").ListAsync(new Kube.Resources.ListOptions { LabelSelector = labelSelector }, "default");
        return [.. list.Items];
    }

    public static int? Pid(JsonObject pod) =>
        pod["status"]?["containerStatuses"]?[0]?["containerID"]?.GetValue<string>() is { } id && id.StartsWith("fluidd://", StringComparison.Ordinal) ? int.Parse(id["fluidd://".Length..], System.Globalization.CultureInfo.InvariantCulture) : null;

    public static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
