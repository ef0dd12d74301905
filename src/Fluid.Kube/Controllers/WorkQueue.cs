namespace Fluid.Kube.Controllers;

/// <summary>
/// The queue between informers and reconcilers, with client-go's guarantees: a key waiting is queued once
/// however often it is added; a key is never handed to two workers at once; a key added while a worker has
/// it is handed out again once that worker is done; failed keys come back after a per-key backoff.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TimeProvider _time;

    /// <summary>Creates the queue with a limiter for <see cref="AddRateLimited"/>.</summary>
    public WorkQueue(RequeueRateLimiter<TKey>? limiter = null, TimeProvider? time = null)
    {
        Limiter = limiter ?? new RequeueRateLimiter<TKey>();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The per-key backoff and overall rate.</summary>
    public RequeueRateLimiter<TKey> Limiter { get; }

    /// <summary>Keys waiting to be handed out.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>True once <see cref="ShutDown"/> was called.</summary>
    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    /// <summary>Queues the key unless it is already waiting.</summary>
    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_shutdown.IsCancellationRequested || !_dirty.Add(key))
            {
                return;
            }

            if (_processing.Contains(key))
            {
                // Handed out again when its worker calls Done.
                return;
            }

            _queue.Enqueue(key);
        }

        _ready.Release();
    }

    /// <summary>Queues the key after a delay.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        _ = DelayedAddAsync(key, delay);
    }

    /// <summary>Queues the key after its backoff: each call without <see cref="Forget"/> doubles the wait.</summary>
    public void AddRateLimited(TKey key) => AddAfter(key, Limiter.When(key));

    /// <summary>The key succeeded: reset its backoff.</summary>
    public void Forget(TKey key) => Limiter.Forget(key);

    /// <summary>Failures of the key since it was last forgotten.</summary>
    public int Requeues(TKey key) => Limiter.Failures(key);

    /// <summary>Waits for a key; the caller must call <see cref="Done"/> with it. Null once the queue shuts down.</summary>
    public async Task<Item?> GetAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        while (true)
        {
            try
            {
                await _ready.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return new Item(key);
                }
            }
        }
    }

    /// <summary>The worker finished the key; if it was added meanwhile, it is queued again.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            if (!_processing.Remove(key) || !_dirty.Contains(key) || _shutdown.IsCancellationRequested)
            {
                return;
            }

            _queue.Enqueue(key);
        }

        _ready.Release();
    }

    /// <summary>Stops handing out keys; waiting <see cref="GetAsync"/> calls return null.</summary>
    public void ShutDown() => _shutdown.Cancel();

    /// <inheritdoc/>
    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
        _ready.Dispose();
    }

    private async Task DelayedAddAsync(TKey key, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        Add(key);
    }

    /// <summary>A key handed to a worker.</summary>
    public sealed record Item(TKey Key);
}
