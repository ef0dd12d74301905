using System.Text.Json.Nodes;
using Fluid.Embedded.Agent;

namespace Fluid.Embedded.Tests.Agent;

public sealed class ServiceHostsTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    [Fact]
    public void Service_names_map_to_the_pods_they_select_in_a_block_of_their_own_that_leaves_the_rest_alone()
    {
        File.WriteAllText(_file, "127.0.0.1 localhost\n10.0.0.1 printer\n");
        var hosts = new ServiceHosts(_file, "/var/lib/agent-a");
        var other = new ServiceHosts(_file, "/var/lib/agent-b");
        JsonObject[] services = [Service("demo-master", "default", "master"), Service("headless", "default", null)];
        List<JsonObject> pods = [Pod("demo-master-0", "default", "master"), Pod("demo-worker-0", "default", "worker"), Pod("demo-master-0", "other", "master")];

        hosts.Sync(services, pods);
        other.Sync([Service("x", "team", "x")], [Pod("x-0", "team", "x")]);
        var text = File.ReadAllText(_file);
        var ip = PodAddress.Of("default", "demo-master-0");
        Assert.StartsWith("127.0.0.1 localhost\n10.0.0.1 printer\n", text, StringComparison.Ordinal);
        Assert.Contains($"{ip} demo-master.default.svc demo-master.default.svc.cluster.local\n", text, StringComparison.Ordinal);
        Assert.Contains($"{ip} demo-master-0.demo-master.default.svc", text, StringComparison.Ordinal);
        Assert.DoesNotContain(PodAddress.Of("other", "demo-master-0"), text, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-worker-0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("headless", text, StringComparison.Ordinal);
        Assert.Contains("x.team.svc", text, StringComparison.Ordinal);

        // A pod being deleted leaves the name; the agent's removal leaves only what it did not write.
        pods[0]["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        hosts.Sync(services, pods);
        Assert.DoesNotContain("demo-master", File.ReadAllText(_file), StringComparison.Ordinal);
        other.Remove();
        hosts.Remove();
        Assert.Equal("127.0.0.1 localhost\n10.0.0.1 printer\n", File.ReadAllText(_file));
    }

    [Fact]
    public void Pod_addresses_are_stable_distinct_and_outside_127_0()
    {
        var a = PodAddress.Of("default", "demo-worker-0");
        Assert.Equal(a, PodAddress.Of("default", "demo-worker-0"));
        Assert.NotEqual(a, PodAddress.Of("default", "demo-worker-1"));
        var octets = a.Split('.').Select(int.Parse).ToArray();
        Assert.Equal(127, octets[0]);
        Assert.InRange(octets[1], 1, 254);
        Assert.InRange(octets[3], 1, 254);
        var many = Enumerable.Range(0, 2000).Select(i => PodAddress.Of("ns", $"pod-{i}")).ToHashSet();
        Assert.Equal(2000, many.Count);
    }

    public void Dispose() => File.Delete(_file);

    private static JsonObject Service(string name, string ns, string? role) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = role is null ? new JsonObject() : new JsonObject { ["selector"] = new JsonObject { ["role"] = role } },
    };

    private static JsonObject Pod(string name, string ns, string role) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["role"] = role } },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    };
}
