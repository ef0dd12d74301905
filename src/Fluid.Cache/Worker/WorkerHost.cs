using System.Net;
using Fluid.Cache.Client;
using Fluid.Cache.Namespace;
using Fluid.Cache.Observability;
using Fluid.Cache.Protocol;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Fluid.Cache.Worker;

/// <summary>
/// A running worker: block store, data server, heartbeats to the master, and an HTTP endpoint
/// with /healthz, /readyz and /metrics.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly MasterClient _master;
    private readonly WorkerOptions _options;
    private readonly ILogger _log;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private BlockStore? _store;
    private BlockSource? _source;
    private DataServer? _server;
    private WebApplication? _http;
    private Task _heartbeats = Task.CompletedTask;
    private volatile string? _problem = "not registered with the master yet";

    private WorkerHost(WorkerOptions options, MasterClient master, ILogger log)
    {
        _options = options;
        _master = master;
        _log = log;
    }

    /// <summary>The data endpoint.</summary>
    public IPEndPoint DataEndpoint => _server!.Endpoint;

    /// <summary>The HTTP endpoint (health, metrics), when one was asked for.</summary>
    public Uri? HttpAddress { get; private set; }

    /// <summary>The block store.</summary>
    public BlockStore Store => _store!;

    /// <summary>Counters.</summary>
    public WorkerCounters Counters => _source!.Counters;

    /// <summary>True once the master accepted this worker.</summary>
    public bool IsRegistered => _problem is null;

    /// <summary>
    /// Starts a worker: waits for the master to have a dataset (up to <paramref name="datasetWait"/>),
    /// opens the block store and the data endpoint, and starts heartbeats.
    /// </summary>
    public static async Task<WorkerHost> StartAsync(
        WorkerOptions options, Uri master, UfsRegistry registry, ISecretSource secrets, ILoggerFactory loggers,
        string? httpListen = null, TimeSpan? datasetWait = null, CancellationToken cancellationToken = default)
    {
        var log = loggers.CreateLogger("fluid.worker");
        var host = new WorkerHost(options, new MasterClient(master, options.Token), log);
        try
        {
            var deadline = DateTimeOffset.UtcNow + (datasetWait ?? TimeSpan.FromMinutes(2));
            Fluid.Api.V1Alpha1.Dataset? dataset = null;
            while (dataset is null)
            {
                try
                {
                    dataset = await host._master.DatasetAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (MasterException e) when (DateTimeOffset.UtcNow < deadline)
                {
                    log.LogInformation("waiting for the master's dataset: {Message}", e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
            }

            var tree = DatasetTree.Open(dataset, registry, secrets);
            if (tree.Name != options.Dataset)
            {
                await tree.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"the master serves dataset {tree.Name}, but this worker was started for {options.Dataset}");
            }

            host._store = new BlockStore(options.Store);
            host._source = new BlockSource(host._store, tree, options);
            host._server = new DataServer(host._source, options, log);
            await host.BeatAsync(cancellationToken).ConfigureAwait(false);
            host._heartbeats = host.HeartbeatLoopAsync();
            if (httpListen is not null)
            {
                await host.StartHttpAsync(httpListen).ConfigureAwait(false);
            }

            log.LogInformation("worker {Id} serves {Dataset} on {Endpoint}", options.Id, options.Dataset, host._server.Endpoint);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _heartbeats.ConfigureAwait(false);
        if (_http is not null)
        {
            await _http.StopAsync().ConfigureAwait(false);
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        _server?.Dispose();
        _source?.Dispose();
        if (_source is not null)
        {
            await _source.Tree.DisposeAsync().ConfigureAwait(false);
        }

        _store?.Dispose();
        _master.Dispose();
        _stopping.Dispose();
    }

    private async Task HeartbeatLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _stopping.Token).ConfigureAwait(false);
                await BeatAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        var usage = _store!.Usage;
        var counters = _source!.Counters;
        var advertise = _options.AdvertiseHost ?? DataEndpoint.Address.ToString();
        var beat = new WorkerHeartbeat(
            _options.Id,
            $"{advertise}:{DataEndpoint.Port}",
            _options.HostId,
            _options.LocalSocket,
            _options.Dataset,
            _source.BlockSize,
            usage.Sum(u => u.QuotaBytes),
            usage.Sum(u => u.UsedBytes),
            usage.Sum(u => (long)u.BlockCount),
            counters.Hits,
            counters.LocalHits,
            counters.Misses,
            counters.BytesFromCache,
            counters.BytesFromSource,
            counters.SourceReads,
            _startedAt,
            counters.LocalBytesFromCache);
        try
        {
            var reply = await _master.HeartbeatAsync(beat, cancellationToken).ConfigureAwait(false);
            if (!reply.Accepted && _problem != reply.Problem)
            {
                _log.LogError("the master refused this worker: {Problem}", reply.Problem);
            }

            _problem = reply.Accepted ? null : reply.Problem;
        }
        catch (MasterException e)
        {
            if (_problem is null)
            {
                _log.LogWarning("lost the master: {Message}", e.Message);
            }

            _problem = e.Message;
        }
    }

    private async Task StartHttpAsync(string listen) =>
        (_http, HttpAddress) = await HttpEndpoint.StartAsync(listen, () => _problem, Metrics).ConfigureAwait(false);

    private string Metrics()
    {
        var counters = _source!.Counters;
        var text = new PrometheusText();
        var worker = ("worker", _options.Id);
        foreach (var tier in _store!.Usage)
        {
            text.Gauge("fluid_worker_tier_used_bytes", "Bytes held by a tier path.", tier.UsedBytes, worker, ("medium", tier.Medium), ("path", tier.Directory));
            text.Gauge("fluid_worker_tier_quota_bytes", "Quota of a tier path.", tier.QuotaBytes, worker, ("medium", tier.Medium), ("path", tier.Directory));
        }

        return text
            .Counter("fluid_worker_hits_total", "Block reads served from cache.", counters.Hits, worker)
            .Counter("fluid_worker_local_hits_total", "Cache hits served to clients on this host.", counters.LocalHits, worker)
            .Counter("fluid_worker_misses_total", "Block reads that went to the source.", counters.Misses, worker)
            .Counter("fluid_worker_source_reads_total", "Blocks read from the source after coalescing.", counters.SourceReads, worker)
            .Counter("fluid_worker_bytes_from_cache_total", "Bytes sent from cached blocks.", counters.BytesFromCache, worker)
            .Counter("fluid_worker_bytes_from_source_total", "Bytes sent that came from the source.", counters.BytesFromSource, worker)
            .Counter("fluid_worker_evictions_total", "Blocks evicted.", _store.Evictions, worker)
            .Counter("fluid_worker_corrupt_blocks_total", "Blocks dropped because their checksum did not match.", _store.CorruptBlocks, worker)
            .ToString();
    }
}
