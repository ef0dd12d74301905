using System.Text.Json.Nodes;

namespace Fluid.Cli.Tests.Cluster;

/// <summary>`fluid logs` of pods the fluidd agent really ran (shell commands in image `fluid`).</summary>
[Collection("cluster")]
public sealed class LogsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Logs_print_what_a_container_wrote_its_tail_and_say_which_container_to_name()
    {
        var ns = await cluster.NamespaceAsync("logs-a");
        await RunPodAsync(ns, "hello", ("main", "echo one; echo two; echo three"));
        await RunPodAsync(ns, "pair", ("left", "echo from-left"), ("right", "echo from-right"));
        await WaitForPhaseAsync(ns, "hello", "Succeeded");
        await WaitForPhaseAsync(ns, "pair", "Succeeded");

        Assert.Equal("one\ntwo\nthree\n", cluster.Ok("logs", "hello", "-n", ns));
        Assert.Equal("three\n", cluster.Ok("logs", "pod/hello", "--tail", "1", "-n", ns));
        Assert.Equal("from-right\n", cluster.Ok("logs", "pair", "-c", "right", "-n", ns));

        var (code, _, stderr) = cluster.Fluid("logs", "pair", "-n", ns);
        Assert.Equal(1, code);
        Assert.Equal("error: a container name must be specified for pod pair, choose one of: [left right]\n", stderr);
        (code, _, stderr) = cluster.Fluid("logs", "nobody", "-n", ns);
        Assert.Equal(1, code);
        Assert.Equal($"error: pod \"nobody\" not found in namespace \"{ns}\" (fluid get pods lists them)\n", stderr);
    }

    [Fact]
    public async Task Logs_follow_prints_lines_as_they_come_and_ends_with_the_container()
    {
        var ns = await cluster.NamespaceAsync("logs-f");
        // The container writes its second line only once fluid has printed the first.
        var trigger = Path.Combine(cluster.Home, "logs-f-trigger");
        await RunPodAsync(ns, "ticker", ("tick", $"echo tick-1; while [ ! -e {trigger} ]; do sleep 0.05; done; echo tick-2"));
        await ClusterFixture.Eventually("the container to run", async () =>
            (await cluster.Client.Resource("v1", "Pod").GetAsync("ticker", ns))["status"]?["containerStatuses"]?[0]?["state"]?["running"] is not null ? "" : null);

        using var follow = cluster.Start("logs", "ticker", "-f", "-n", ns);
        follow.WaitFor("tick-1", TimeSpan.FromSeconds(15));
        Assert.False(follow.HasExited);
        File.WriteAllText(trigger, "");
        Assert.Equal(0, follow.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Equal("tick-1\ntick-2\n", follow.Output);
    }

    private async Task RunPodAsync(string ns, string name, params (string Name, string Script)[] containers) =>
        await cluster.Client.Resource("v1", "Pod").CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["restartPolicy"] = "Never",
                ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name,
                    ["image"] = "fluid",
                    ["command"] = new JsonArray("/bin/sh", "-c", c.Script),
                })]),
            },
        }, ns);

    private Task<string> WaitForPhaseAsync(string ns, string pod, string phase) =>
        ClusterFixture.Eventually($"pod {pod} {phase}", async () =>
            (await cluster.Client.Resource("v1", "Pod").GetAsync(pod, ns))["status"]?["phase"]?.ToString() == phase ? phase : null);
}
