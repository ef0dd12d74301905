namespace Fluid.Cache.Master;

/// <summary>How a master runs.</summary>
public sealed class MasterOptions
{
    /// <summary>Where the master keeps its state (dataset, figures, counters) across restarts.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>URL the HTTP API listens on, e.g. http://127.0.0.1:19998 (port 0 picks a free one).</summary>
    public string Listen { get; init; } = "http://127.0.0.1:0";

    /// <summary>The runtime's token; API calls must present it as a bearer token.</summary>
    public required string Token { get; init; }

    /// <summary>Block size every worker of the runtime must use.</summary>
    public int BlockSize { get; init; } = 4 << 20;

    /// <summary>A worker not heard from for this long is no longer live.</summary>
    public TimeSpan WorkerExpiry { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a looked-up stat or listing is served without asking the source again.</summary>
    public TimeSpan MetadataTtl { get; init; } = TimeSpan.FromSeconds(30);
}
