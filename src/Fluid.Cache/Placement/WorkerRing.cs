using Fluid.Cache.Store;

namespace Fluid.Cache.Placement;

/// <summary>A live worker as clients and the master see it.</summary>
/// <param name="Id">Stable worker id (survives restarts).</param>
/// <param name="Address">host:port of its TCP data endpoint.</param>
/// <param name="HostId">Identity of the machine it runs on; equal host ids allow short-circuit reads.</param>
/// <param name="LocalSocket">Path of its Unix socket for same-host clients, if any.</param>
public sealed record WorkerInfo(string Id, string Address, string HostId, string? LocalSocket = null);

/// <summary>
/// Rendezvous (highest random weight) hashing of blocks over the live workers: every client
/// computes the same owners without asking the master, and a worker joining or leaving moves
/// only the blocks it wins or held.
/// </summary>
public sealed class WorkerRing
{
    private readonly (WorkerInfo Worker, ulong Seed)[] _workers;

    /// <summary>A ring over these workers (order does not matter).</summary>
    public WorkerRing(IEnumerable<WorkerInfo> workers)
    {
        _workers = [.. workers.DistinctBy(w => w.Id).OrderBy(w => w.Id, StringComparer.Ordinal).Select(w => (w, Fnv1a(w.Id)))];
    }

    /// <summary>The workers, ordered by id.</summary>
    public IReadOnlyList<WorkerInfo> Workers => [.. _workers.Select(w => w.Worker)];

    /// <summary>True when there is no worker.</summary>
    public bool IsEmpty => _workers.Length == 0;

    /// <summary>The <paramref name="count"/> owners of a block, best first.</summary>
    public IReadOnlyList<WorkerInfo> Owners(BlockId block, int count = 1)
    {
        count = Math.Min(count, _workers.Length);
        if (count <= 0)
        {
            return [];
        }

        var blockSeed = Mix((ulong)block.File.Value ^ Mix((ulong)(block.File.Value >> 64) ^ (ulong)block.Index));
        if (count == 1)
        {
            var best = 0;
            var bestScore = 0UL;
            for (var i = 0; i < _workers.Length; i++)
            {
                var score = Mix(blockSeed ^ _workers[i].Seed);
                if (i == 0 || score > bestScore)
                {
                    (best, bestScore) = (i, score);
                }
            }

            return [_workers[best].Worker];
        }

        return [.. _workers.OrderByDescending(w => Mix(blockSeed ^ w.Seed)).Take(count).Select(w => w.Worker)];
    }

    // SplitMix64's finalizer: a cheap bijective mix with full avalanche.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001b3UL;
        }

        return Mix(hash);
    }
}
