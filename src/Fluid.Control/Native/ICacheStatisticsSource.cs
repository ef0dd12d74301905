using Fluid.Cache.Protocol;
using Fluid.Control.Engines;
using Fluid.Control.Status;

namespace Fluid.Control.Native;

/// <summary>
/// What the native engine learns from, and asks of, a dataset's cache master: the dataset's figures,
/// a new sync of the sources' metadata, and the progress loaders report. A reconciler backs it with
/// the master's HTTP API (<see cref="MasterStatistics"/>).
/// </summary>
public interface ICacheStatisticsSource
{
    /// <summary>The figures; throws <see cref="MasterUnreachableException"/> when the master cannot be asked.</summary>
    Task<CacheFigures> GetAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>Has the master recompute the sources' total size and file count; throws <see cref="MasterUnreachableException"/>.</summary>
    Task RequestResyncAsync(EngineContext ctx, CancellationToken ct);

    /// <summary>The latest progress reported for a data operation, or null when none was; throws <see cref="MasterUnreachableException"/>.</summary>
    Task<LoadProgress?> GetProgressAsync(EngineContext ctx, string operationId, CancellationToken ct);
}

/// <summary>The cache master could not be asked (not reachable, no token yet, refused); the message is fit for a status condition and never holds the token.</summary>
public sealed class MasterUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
