using System.Text;
using System.Text.Json.Nodes;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Embedded.Tests.Agent;

/// <summary>pods/log served by fluidd from the files its agent writes, read through Fluid.Kube, for pods the agent really ran.</summary>
[Collection(AgentFixture.Collection)]
public sealed class PodLogTests(AgentFixture agent) : IClassFixture<AgentFixture>
{
    [Fact]
    public async Task A_finished_container_has_its_output_without_the_agents_notes_and_tail_keeps_the_last_lines()
    {
        await RunPodAsync("log-once", "Never", ("main", "echo one; echo two; printf 'three\\nfour'"));
        await WaitForAsync("log-once", "Succeeded");

        // The last line had no newline: the agent ends it when it notes the exit, so the note stays a line of its own.
        Assert.Equal("one\ntwo\nthree\nfour\n", await ReadAsync("log-once"));
        Assert.Equal("three\nfour\n", await ReadAsync("log-once", new PodLogOptions { TailLines = 2 }));
        Assert.Equal("one\ntw", await ReadAsync("log-once", new PodLogOptions { LimitBytes = 6 }));
        var lines = new List<string>();
        await foreach (var line in agent.Client.ReadPodLogLinesAsync("log-once", "default"))
        {
            lines.Add(line);
        }

        Assert.Equal(["one", "two", "three", "four"], lines);
        // The file itself keeps the agent's notes (start and exit) around the output.
        var file = Directory.GetFiles(agent.AgentDirectory, "main.log", SearchOption.AllDirectories).Single(f => f.Contains("_log-once_", StringComparison.Ordinal));
        Assert.Contains("fluidd-agent: exited with code 0", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_containers_need_a_name_and_unknown_pods_or_containers_are_errors_kube_apiserver_would_give()
    {
        await RunPodAsync("log-two", "Never", ("left", "echo from-left"), ("right", "echo from-right"));
        await WaitForAsync("log-two", "Succeeded");

        var ambiguous = await Assert.ThrowsAsync<KubeApiException>(() => ReadAsync("log-two"));
        Assert.Equal(KubeErrorReason.BadRequest, ambiguous.Reason);
        Assert.Equal("a container name must be specified for pod log-two, choose one of: [left right]", ambiguous.ApiMessage);
        Assert.Equal("from-right\n", await ReadAsync("log-two", new PodLogOptions { Container = "right" }));

        var unknownContainer = await Assert.ThrowsAsync<KubeApiException>(() => ReadAsync("log-two", new PodLogOptions { Container = "middle" }));
        Assert.Equal(KubeErrorReason.BadRequest, unknownContainer.Reason);
        Assert.Equal("container middle is not valid for pod log-two", unknownContainer.ApiMessage);

        var unknownPod = await Assert.ThrowsAsync<KubeApiException>(() => ReadAsync("log-nobody"));
        Assert.True(unknownPod.IsNotFound);
        Assert.Equal("pods \"log-nobody\" not found", unknownPod.ApiMessage);

        var noPrevious = await Assert.ThrowsAsync<KubeApiException>(() => ReadAsync("log-two", new PodLogOptions { Container = "left", Previous = true }));
        Assert.Equal("previous terminated container \"left\" in pod \"log-two\" not found", noPrevious.ApiMessage);
    }

    [Fact]
    public async Task Previous_reads_the_run_before_the_last_restart()
    {
        // Each run prints its own number (kept in an emptyDir-free place: the pod's working directory under /tmp).
        var counter = Path.Combine(Path.GetTempPath(), $"fluid-log-test-{Guid.NewGuid():N}");
        try
        {
            await RunPodAsync("log-restarts", "OnFailure", ("crash", $"n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; echo run $n; exit 1"));
            await agent.Wait("two restarts", async () =>
            {
                var pod = await agent.Client.Resource("v1", "Pod").GetAsync("log-restarts", "default");
                return pod["status"]?["containerStatuses"]?[0]?["restartCount"]?.GetValue<int>() >= 2 ? pod : null;
            });

            // The current run may be in back-off or running again: previous is always the one before it.
            // A restart may fall between the two reads; previous read on both sides tells, and the reads are retried.
            string current, previous;
            for (var attempt = 0; ; attempt++)
            {
                var before = await ReadAsync("log-restarts", new PodLogOptions { Previous = true });
                current = await ReadAsync("log-restarts");
                previous = await ReadAsync("log-restarts", new PodLogOptions { Previous = true });
                if (before == previous)
                {
                    break;
                }

                Assert.True(attempt < 20, "the container restarted between every pair of reads");
            }

            Assert.Matches("^run [0-9]+\n$", previous);
            var number = int.Parse(previous["run ".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(current == $"run {number + 1}\n" || current == "", $"current run printed \"{current}\" after previous \"{previous}\"");
        }
        finally
        {
            await agent.Client.Resource("v1", "Pod").DeleteAsync("log-restarts", "default");
            File.Delete(counter);
        }
    }

    [Fact]
    public async Task Follow_streams_lines_as_they_are_written_and_ends_when_the_container_exits()
    {
        // The container writes its second line only once the test has received the first through the stream.
        var trigger = Path.Combine(Path.GetTempPath(), $"fluid-log-follow-{Guid.NewGuid():N}");
        try
        {
            await RunPodAsync("log-follow", "Never", ("slow", $"echo first; while [ ! -e {trigger} ]; do sleep 0.05; done; echo second; echo third"));
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await agent.Wait("the container to start", async () => Directory.GetFiles(agent.AgentDirectory, "slow.log", SearchOption.AllDirectories).FirstOrDefault());
            await foreach (var line in agent.Client.ReadPodLogLinesAsync("log-follow", "default", new PodLogOptions { Follow = true }, timeout.Token))
            {
                lines.Add(line);
                if (line == "first")
                {
                    await File.WriteAllTextAsync(trigger, "", timeout.Token);
                }
            }

            // The stream ended by itself (the process exited), with every line.
            Assert.False(timeout.IsCancellationRequested);
            Assert.Equal(["first", "second", "third"], lines);
        }
        finally
        {
            File.Delete(trigger);
        }
    }

    [Fact]
    public async Task A_pod_that_never_started_says_what_it_waits_for()
    {
        var pods = agent.Client.Resource("v1", "Pod");
        await pods.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "log-nginx" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx:1.27" }) },
        }, "default");
        try
        {
            await agent.Wait("a waiting reason", async () =>
                (await pods.GetAsync("log-nginx", "default"))["status"]?["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"]?.ToString());
            var waiting = await Assert.ThrowsAsync<KubeApiException>(() => ReadAsync("log-nginx"));
            Assert.Equal(KubeErrorReason.BadRequest, waiting.Reason);
            Assert.Equal("container \"web\" in pod \"log-nginx\" is waiting to start: ImageNotSupported", waiting.ApiMessage);
        }
        finally
        {
            await pods.DeleteAsync("log-nginx", "default");
        }
    }

    private async Task<string> ReadAsync(string pod, PodLogOptions? options = null)
    {
        await using var stream = await agent.Client.GetPodLogsAsync(pod, "default", options);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private async Task RunPodAsync(string name, string restartPolicy, params (string Name, string Script)[] containers)
    {
        await agent.Client.Resource("v1", "Pod").CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["restartPolicy"] = restartPolicy,
                ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name,
                    ["image"] = "fluid",
                    ["command"] = new JsonArray("/bin/sh", "-c", c.Script),
                })]),
            },
        }, "default");
    }

    private Task<JsonObject> WaitForAsync(string pod, string phase) =>
        agent.Wait($"pod {pod} {phase}", async () =>
        {
            var current = await agent.Client.Resource("v1", "Pod").GetAsync(pod, "default");
            return current["status"]?["phase"]?.ToString() == phase ? current : null;
        });
}
