using Fluid.Cache.Placement;
using Fluid.Cache.Store;

namespace Fluid.Cache.Tests.Placement;

public class WorkerRingTests
{
    private static readonly List<BlockId> Blocks =
        [.. Enumerable.Range(0, 200).SelectMany(f => Enumerable.Range(0, 50).Select(i => new BlockId(FileKey.Of("ns/d", $"file{f}", "v1"), i)))];

    private static WorkerInfo Worker(int i) => new($"worker-{i}", $"10.0.0.{i}:29999", $"host-{i}");

    [Fact]
    public void Blocks_spread_evenly_over_the_workers()
    {
        var ring = new WorkerRing(Enumerable.Range(0, 5).Select(Worker));

        var counts = Blocks.GroupBy(b => ring.Owners(b)[0].Id).Select(g => g.Count()).ToList();

        Assert.Equal(5, counts.Count);
        Assert.All(counts, c => Assert.InRange(c, 1700, 2300));
    }

    [Fact]
    public void A_joining_worker_takes_only_its_share_and_nothing_else_moves()
    {
        var before = new WorkerRing(Enumerable.Range(0, 4).Select(Worker));
        var after = new WorkerRing(Enumerable.Range(0, 5).Select(Worker));

        var moved = Blocks.Where(b => before.Owners(b)[0].Id != after.Owners(b)[0].Id).ToList();

        Assert.All(moved, b => Assert.Equal("worker-4", after.Owners(b)[0].Id));
        Assert.InRange(moved.Count, Blocks.Count / 5 * 0.8, Blocks.Count / 5 * 1.2);
    }

    [Fact]
    public void A_leaving_worker_hands_over_only_its_own_blocks()
    {
        var before = new WorkerRing(Enumerable.Range(0, 5).Select(Worker));
        var after = new WorkerRing(Enumerable.Range(0, 5).Where(i => i != 2).Select(Worker));

        foreach (var block in Blocks)
        {
            var owner = before.Owners(block)[0].Id;
            if (owner != "worker-2")
            {
                Assert.Equal(owner, after.Owners(block)[0].Id);
            }
        }
    }

    [Fact]
    public void Replicas_are_distinct_workers_and_the_first_is_the_single_owner()
    {
        var ring = new WorkerRing(Enumerable.Range(0, 5).Select(Worker));

        foreach (var block in Blocks.Take(500))
        {
            var owners = ring.Owners(block, 3);
            Assert.Equal(3, owners.Select(o => o.Id).Distinct().Count());
            Assert.Equal(ring.Owners(block)[0], owners[0]);
        }

        Assert.Equal(5, ring.Owners(Blocks[0], 9).Count);
        Assert.Empty(new WorkerRing([]).Owners(Blocks[0]));
    }

    [Fact]
    public void Every_client_computes_the_same_owners_whatever_order_it_learned_the_workers_in()
    {
        var a = new WorkerRing(Enumerable.Range(0, 6).Select(Worker));
        var b = new WorkerRing(Enumerable.Range(0, 6).Reverse().Select(Worker));

        Assert.All(Blocks.Take(1000), block => Assert.Equal(a.Owners(block, 2), b.Owners(block, 2)));
    }

    [Fact]
    public void A_new_version_of_a_file_is_a_different_key()
    {
        Assert.NotEqual(FileKey.Of("ns/d", "a", "v1"), FileKey.Of("ns/d", "a", "v2"));
        Assert.NotEqual(FileKey.Of("ns/d", "a", "v1"), FileKey.Of("ns/e", "a", "v1"));
        Assert.Equal(FileKey.Of("ns/d", "a", "v1"), FileKey.Of("ns/d", "a", "v1"));
        Assert.True(FileKey.TryParse(FileKey.Of("x", "y", "z").ToString(), out var parsed));
        Assert.Equal(FileKey.Of("x", "y", "z"), parsed);
    }
}
