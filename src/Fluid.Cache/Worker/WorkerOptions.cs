using System.Net;
using Fluid.Cache.Store;

namespace Fluid.Cache.Worker;

/// <summary>How a worker runs.</summary>
public sealed class WorkerOptions
{
    /// <summary>Stable id; the same after a restart so the worker keeps its share of blocks.</summary>
    public required string Id { get; init; }

    /// <summary>The dataset this worker caches ("namespace/name"): one runtime serves one dataset.</summary>
    public required string Dataset { get; init; }

    /// <summary>Identity of this machine; clients with the same host id read blocks straight from the block files.</summary>
    public string HostId { get; init; } = HostIdentity.Current;

    /// <summary>TCP endpoint of the data protocol (port 0 picks a free one).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Address other hosts use to reach the data endpoint; the listen address when null.</summary>
    public string? AdvertiseHost { get; init; }

    /// <summary>Unix socket for same-host clients (short-circuit reads); none when null.</summary>
    public string? LocalSocket { get; init; }

    /// <summary>The runtime's token: clients must present it.</summary>
    public required string Token { get; init; }

    /// <summary>The tiers and block size of the block store.</summary>
    public required BlockStoreOptions Store { get; init; }

    /// <summary>Blocks fetched ahead of a sequential reader.</summary>
    public int PrefetchBlocks { get; init; } = 4;

    /// <summary>Concurrent ranged reads from the source for one block.</summary>
    public int SourceParallelism { get; init; } = 4;

    /// <summary>Send block bytes with sendfile(2) instead of through a pooled buffer.</summary>
    public bool ZeroCopySend { get; init; }

    /// <summary>Most blocks fetched from the source at once (misses plus prefetch).</summary>
    public int MaxConcurrentFetches { get; init; } = 16;
}

/// <summary>What identifies this machine for short-circuit reads.</summary>
public static class HostIdentity
{
    /// <summary>/etc/machine-id when present, otherwise the host name; FLUID_HOST_ID overrides both.</summary>
    public static string Current { get; } = Compute();

    private static string Compute()
    {
        if (Environment.GetEnvironmentVariable("FLUID_HOST_ID") is { Length: > 0 } configured)
        {
            return configured;
        }

        try
        {
            var id = File.ReadAllText("/etc/machine-id").Trim();
            if (id.Length > 0)
            {
                return id;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Environment.MachineName;
    }
}
