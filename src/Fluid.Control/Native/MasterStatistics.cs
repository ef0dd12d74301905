using System.Text;
using Fluid.Cache.Client;
using Fluid.Cache.Protocol;
using Fluid.Control.Cluster;
using Fluid.Control.Engines;
using Fluid.Control.Status;

namespace Fluid.Control.Native;

/// <summary>
/// <see cref="ICacheStatisticsSource"/> over the master's HTTP API, authenticated with the runtime's
/// token read from its Secret on every call (so a rotated token is picked up). Calls are short: a
/// reconciler must not hang on a master that does not answer. The token never appears in a message.
/// </summary>
public sealed class MasterStatistics : ICacheStatisticsSource, IDisposable
{
    /// <summary>How long one call to a master may take: the master answers from memory, so longer means it is not there.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    private readonly Func<EngineContext, Uri?> _locate;
    private readonly SocketsHttpHandler _handler = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>
    /// A source reaching each dataset's master where <paramref name="locate"/> says, by default at its
    /// Service (<see cref="NativeLayout.MasterUrl"/>); a locator may answer null for a master it does not know.
    /// </summary>
    public MasterStatistics(Func<EngineContext, Uri?>? locate = null) =>
        _locate = locate ?? (ctx => new Uri(new NativeLayout(ctx, "").MasterUrl));

    /// <inheritdoc/>
    public Task<CacheFigures> GetAsync(EngineContext ctx, CancellationToken ct) =>
        CallAsync(ctx, async master =>
        {
            var s = await master.StatsAsync(ct).ConfigureAwait(false);
            return new CacheFigures(s.CachedBytes, s.CapacityBytes, s.LastSync is null ? null : s.UfsTotalBytes, s.Hits, s.Misses, s.LastSync is null ? null : s.FileCount)
            {
                LocalHits = s.LocalHits,
                RemoteHits = s.RemoteHits,
                BytesFromCache = s.BytesFromCache,
                LocalBytesFromCache = s.LocalBytesFromCache,
                BytesFromSource = s.BytesFromSource,
                LastSync = s.LastSync,
                LastSyncAttempt = s.LastSyncAttempt,
                SyncError = s.LastSyncError,
                Syncing = s.SyncRunning,
            };
        }, ct);

    /// <inheritdoc/>
    public Task RequestResyncAsync(EngineContext ctx, CancellationToken ct) =>
        CallAsync(ctx, async master =>
        {
            await master.RefreshAsync("/", ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <inheritdoc/>
    public Task<LoadProgress?> GetProgressAsync(EngineContext ctx, string operationId, CancellationToken ct) =>
        CallAsync(ctx, master => master.ProgressAsync(operationId, ct), ct);

    /// <inheritdoc/>
    public void Dispose() => _handler.Dispose();

    private async Task<T> CallAsync<T>(EngineContext ctx, Func<MasterClient, Task<T>> call, CancellationToken ct)
    {
        var address = _locate(ctx) ?? throw new MasterUnreachableException($"no address is known for the cache master of {ctx.Namespace}/{ctx.Name}");
        var token = await TokenAsync(ctx, ct).ConfigureAwait(false);
        using var master = new MasterClient(address, token, RequestTimeout, _handler);
        try
        {
            return await call(master).ConfigureAwait(false);
        }
        catch (MasterException e)
        {
            // MasterClient's messages name the address and the master's answer, never the request's headers.
            throw new MasterUnreachableException(e.Message, e);
        }
    }

    private static async Task<string> TokenAsync(EngineContext ctx, CancellationToken ct)
    {
        var name = new NativeLayout(ctx, "").TokenSecret;
        var secret = await ctx.Cluster.GetAsync(new ObjectKey("v1", "Secret", ctx.Namespace, name), ct).ConfigureAwait(false)
            ?? throw new MasterUnreachableException($"the runtime's token Secret {ctx.Namespace}/{name} does not exist yet");
        if (secret["data"]?[NativeManifests.TokenKey]?.GetValue<string>() is { Length: > 0 } encoded)
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Trim();
            }
            catch (FormatException)
            {
                throw new MasterUnreachableException($"the runtime's token Secret {ctx.Namespace}/{name} holds no valid base64 under data.{NativeManifests.TokenKey}");
            }
        }

        return secret["stringData"]?[NativeManifests.TokenKey]?.GetValue<string>()?.Trim() is { Length: > 0 } plain
            ? plain
            : throw new MasterUnreachableException($"the runtime's token Secret {ctx.Namespace}/{name} has no key {NativeManifests.TokenKey}");
    }
}
