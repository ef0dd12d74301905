using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Cache.Protocol;

namespace Fluid.Cache.Master;

/// <summary>What the master keeps across restarts: the dataset, its figures, and every worker's counters.</summary>
public sealed class MasterState
{
    /// <summary>The Dataset object the runtime serves, as JSON.</summary>
    public JsonObject? Dataset { get; set; }

    /// <summary>Total bytes of the sources at the last sync.</summary>
    public long UfsTotalBytes { get; set; }

    /// <summary>Files of the sources at the last sync.</summary>
    public long FileCount { get; set; }

    /// <summary>When the last sync that succeeded finished.</summary>
    public DateTimeOffset? LastSync { get; set; }

    /// <summary>When the most recent sync ended, whether it succeeded or not.</summary>
    public DateTimeOffset? LastSyncAttempt { get; set; }

    /// <summary>Why the most recent sync failed; null when it succeeded.</summary>
    public string? LastSyncError { get; set; }

    /// <summary>The last heartbeat of every worker ever seen, by id.</summary>
    public Dictionary<string, WorkerHeartbeat> Workers { get; set; } = [];

    /// <summary>Counters of worker lives that ended (a restarted worker counts from zero again).</summary>
    public CounterTotals Retired { get; set; } = new();

    /// <summary>Reads the state file, or a new state when there is none.</summary>
    public static MasterState Load(string path)
    {
        if (!File.Exists(path))
        {
            return new MasterState();
        }

        try
        {
            return JsonSerializer.Deserialize<MasterState>(File.ReadAllText(path)) ?? new MasterState();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the master state {path} is damaged ({e.Message}); move it away to start from scratch", e);
        }
    }

    /// <summary>Writes the state atomically (temp file, fsync, rename).</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>Summed worker counters.</summary>
public sealed class CounterTotals
{
    /// <summary>Reads served from cache.</summary>
    public long Hits { get; set; }

    /// <summary>Reads served from cache to readers on the worker's host.</summary>
    public long LocalHits { get; set; }

    /// <summary>Reads that went to the source.</summary>
    public long Misses { get; set; }

    /// <summary>Bytes served from cache.</summary>
    public long BytesFromCache { get; set; }

    /// <summary>Bytes served from cache to readers on the worker's host.</summary>
    public long LocalBytesFromCache { get; set; }

    /// <summary>Bytes that came from the source.</summary>
    public long BytesFromSource { get; set; }

    /// <summary>Adds a worker's last reported counters.</summary>
    public void Add(WorkerHeartbeat beat)
    {
        Hits += beat.Hits;
        LocalHits += beat.LocalHits;
        Misses += beat.Misses;
        BytesFromCache += beat.BytesFromCache;
        LocalBytesFromCache += beat.LocalBytesFromCache;
        BytesFromSource += beat.BytesFromSource;
    }
}
