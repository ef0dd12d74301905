using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fluid.Kube.Controllers;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Controllers;

/// <summary>Runs against <see cref="FakeApiServer"/>, a stand-in until fluidd's server is on this branch.</summary>
public sealed class LeaderElectorTests
{
    private static LeaderElectionOptions Options(string identity) => new()
    {
        LeaseName = "fluid-controller",
        Namespace = "fluid-system",
        Identity = identity,
        // Leases change hands here by release or by an intruder, never by expiry: long timings keep a pause of
        // the test process (GC, a busy machine) from making a leader step down on its own.
        LeaseDuration = TimeSpan.FromSeconds(15),
        RenewDeadline = TimeSpan.FromSeconds(10),
        RetryPeriod = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task One_candidate_leads_and_the_other_takes_over_when_it_stops()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var log = new ConcurrentQueue<string>();
        var a = new LeaderElector(client, Options("pod-a"), ct => Lead("a", log, ct), () => log.Enqueue("a stopped"));
        var b = new LeaderElector(client, Options("pod-b"), ct => Lead("b", log, ct), () => log.Enqueue("b stopped"));
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = a.RunAsync(stopA.Token);
        await SharedInformerTests.Eventually(() => a.IsLeader);
        var runB = b.RunAsync(stopB.Token);
        await Task.Delay(1500);
        Assert.False(b.IsLeader);
        Assert.Equal("pod-a", b.Leader);

        await stopA.CancelAsync();
        await runA;
        await SharedInformerTests.Eventually(() => b.IsLeader);
        await stopB.CancelAsync();
        await runB;

        Assert.Equal(["a leading", "a lost", "a stopped", "b leading", "b lost", "b stopped"], log);
        var lease = fake.Get("leases.coordination.k8s.io", "fluid-system", "fluid-controller")!;
        Assert.Equal("", (string?)lease["spec"]!["holderIdentity"]);
        Assert.Equal(1, (int?)lease["spec"]!["leaseTransitions"]);
    }

    [Fact]
    public async Task Candidates_starting_together_elect_exactly_one_leader()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var leading = 0;
        var most = 0;
        var electors = Enumerable.Range(0, 3).Select(i => new LeaderElector(client, Options($"pod-{i}"), async ct =>
        {
            var now = Interlocked.Increment(ref leading);
            InterlockedMax(ref most, now);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            Interlocked.Decrement(ref leading);
        })).ToList();
        using var stop = new CancellationTokenSource();

        var runs = electors.Select(e => e.RunAsync(stop.Token)).ToList();
        await SharedInformerTests.Eventually(() => electors.Any(e => e.IsLeader));
        await Task.Delay(1000);

        Assert.Single(electors, e => e.IsLeader);
        Assert.Equal(1, Volatile.Read(ref most));
        await stop.CancelAsync();
        foreach (var run in runs)
        {
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // Candidates that never led stop while waiting for their next try.
            }
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task A_leader_whose_lease_was_taken_stops_leading()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        var log = new ConcurrentQueue<string>();
        var a = new LeaderElector(client, Options("pod-a"), ct => Lead("a", log, ct), () => log.Enqueue("a stopped"));
        var run = a.RunAsync(CancellationToken.None);
        await SharedInformerTests.Eventually(() => a.IsLeader);

        var leases = client.Resource("coordination.k8s.io/v1", "Lease");
        var lease = await leases.GetAsync("fluid-controller", "fluid-system");
        lease["spec"]!["holderIdentity"] = "intruder";
        await leases.ReplaceAsync(lease);

        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(a.IsLeader);
        Assert.Equal(["a leading", "a lost", "a stopped"], log);
        Assert.Equal("intruder", a.Leader);
    }

    [Fact]
    public async Task A_lease_left_by_a_dead_holder_is_taken_after_a_lease_duration()
    {
        await using var fake = await FakeApiServer.StartAsync();
        using var client = Clients.For(fake.Http);
        await client.Resource("coordination.k8s.io/v1", "Lease").CreateAsync(JsonNode.Parse("""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"fluid-controller","namespace":"fluid-system"},
             "spec":{"holderIdentity":"dead-pod","leaseDurationSeconds":1,"acquireTime":"2024-05-01T10:00:00.000000Z","renewTime":"2024-05-01T10:00:05.000000Z","leaseTransitions":3}}
            """)!.AsObject());
        var started = DateTime.UtcNow;
        var leadingSince = new TaskCompletionSource<DateTime>();
        using var stop = new CancellationTokenSource();
        var elector = new LeaderElector(client, Options("pod-a"), _ =>
        {
            leadingSince.TrySetResult(DateTime.UtcNow);
            return Task.CompletedTask;
        });

        var run = elector.RunAsync(stop.Token);
        var since = await leadingSince.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await run;

        Assert.True(since - started >= TimeSpan.FromMilliseconds(900), $"took the lease after {since - started}, before its duration of 1 s");
        Assert.Equal(4, (int?)fake.Get("leases.coordination.k8s.io", "fluid-system", "fluid-controller")!["spec"]!["leaseTransitions"]);
    }

    [Fact]
    public void Inconsistent_timings_are_refused()
    {
        using var client = new KubeClient(new Fluid.Kube.Config.KubeClientConfig { Server = new Uri("http://127.0.0.1:9") });
        var slow = new LeaderElectionOptions { LeaseName = "l", Identity = "a", LeaseDuration = TimeSpan.FromSeconds(5), RenewDeadline = TimeSpan.FromSeconds(5) };
        var e = Assert.Throws<ArgumentException>(() => new LeaderElector(client, slow, _ => Task.CompletedTask));
        Assert.StartsWith("leaseDuration 00:00:05 must be longer than renewDeadline 00:00:05", e.Message, StringComparison.Ordinal);
        var badName = new LeaderElectionOptions { LeaseName = "Fluid_Controller", Identity = "a" };
        Assert.Contains("lease name", Assert.Throws<ArgumentException>(() => new LeaderElector(client, badName, _ => Task.CompletedTask)).Message, StringComparison.Ordinal);
    }

    private static async Task Lead(string who, ConcurrentQueue<string> log, CancellationToken leading)
    {
        log.Enqueue($"{who} leading");
        try
        {
            await Task.Delay(Timeout.Infinite, leading);
        }
        catch (OperationCanceledException)
        {
            log.Enqueue($"{who} lost");
        }
    }
}
