using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Fluid.Kube.Watch;

namespace Fluid.Kube.Controllers;

/// <summary>What an informer watches and how often it resyncs.</summary>
public sealed class InformerOptions
{
    /// <summary>Namespace; null is the client's default, <see cref="KubeClient.AllNamespaces"/> every namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>Label selector.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Every this often, every cached object is handed to the update handlers again; null never.</summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>Items per page of the initial list.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Watch tuning (retry delays, server-side timeout).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Told about failures the informer recovers from, and exceptions of handlers.</summary>
    public Action<Exception>? OnError { get; init; }
}

/// <summary>Callbacks of an informer; any may be null.</summary>
public sealed record InformerHandler<T>(Action<T>? OnAdd = null, Action<T, T>? OnUpdate = null, Action<T>? OnDelete = null)
    where T : class;

/// <summary>
/// Lists a kind, then watches it, keeping a local cache by "namespace/name" that handlers and reconcilers
/// read instead of the API server. After a 410 it lists again and tells handlers what changed meanwhile
/// (objects missing from the new list are reported deleted). Handlers run one at a time, in event order,
/// and should only queue keys. Cached objects are shared: copy one before changing it.
/// </summary>
public sealed class SharedInformer<T> : IAsyncDisposable
    where T : class
{
    private readonly ResourceClient<T> _resource;
    private readonly InformerOptions _options;
    private readonly Dictionary<string, T> _cache = new(StringComparer.Ordinal);
    private readonly List<InformerHandler<T>> _handlers = [];
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stop;
    private Task? _run;

    /// <summary>Creates the informer; call <see cref="Start"/> to begin.</summary>
    public SharedInformer(ResourceClient<T> resource, InformerOptions? options = null)
    {
        _resource = resource;
        _options = options ?? new InformerOptions();
    }

    /// <summary>True once the first list is in the cache and its handlers have run.</summary>
    public bool HasSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>The resourceVersion the cache is at.</summary>
    public string? ResourceVersion { get; private set; }

    /// <summary>Adds a handler; one added after the sync is first told about every cached object (as adds).</summary>
    public void AddHandler(InformerHandler<T> handler)
    {
        lock (_lock)
        {
            _handlers.Add(handler);
            if (HasSynced)
            {
                foreach (var obj in _cache.Values)
                {
                    Invoke(() => handler.OnAdd?.Invoke(obj));
                }
            }
        }
    }

    /// <summary>The cached object with this key ("namespace/name", or "name" when cluster-scoped), or null.</summary>
    public T? Get(string key)
    {
        lock (_lock)
        {
            return _cache.GetValueOrDefault(key);
        }
    }

    /// <summary>The cached object, or null.</summary>
    public T? Get(string? @namespace, string name) => Get(string.IsNullOrEmpty(@namespace) ? name : $"{@namespace}/{name}");

    /// <summary>Every cached object, optionally of one namespace.</summary>
    public IReadOnlyList<T> List(string? @namespace = null)
    {
        lock (_lock)
        {
            return [.. _cache.Values.Where(o => @namespace is null || ObjectAccess.Namespace(o) == @namespace)];
        }
    }

    /// <summary>Starts listing and watching in the background.</summary>
    public void Start()
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("the informer is already started");
        }

        _stop = new CancellationTokenSource();
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Waits until the first list is cached.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Stops watching.</summary>
    public async Task StopAsync()
    {
        if (_stop is null || _run is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop?.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var version = await RelistAsync(cancellationToken).ConfigureAwait(false);
                _synced.TrySetResult();
                using var resync = _options.ResyncPeriod is { } period ? new PeriodicTimer(period) : null;
                var resyncLoop = resync is null ? Task.CompletedTask : ResyncAsync(resync, cancellationToken);
                var watcher = new ResilientWatcher<T>(_resource, new ResilientWatchOptions
                {
                    Namespace = _options.Namespace,
                    LabelSelector = _options.LabelSelector,
                    FieldSelector = _options.FieldSelector,
                    RetryDelay = _options.RetryDelay,
                    OnError = _options.OnError,
                });
                await foreach (var e in watcher.WatchAsync(version, RelistAsync, cancellationToken).ConfigureAwait(false))
                {
                    Apply(e);
                }

                await resyncLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The first list failed (or a relist did): report it and try again.
                _options.OnError?.Invoke(e);
                await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ResyncAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    foreach (var obj in _cache.Values)
                    {
                        Notify(h => h.OnUpdate?.Invoke(obj, obj));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<string?> RelistAsync(CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, T>(StringComparer.Ordinal);
        string? version = null;
        string? next = null;
        var limit = (int?)_options.PageSize;
        while (true)
        {
            ResourceList<T> page;
            try
            {
                page = await _resource.ListAsync(
                    new ListOptions { LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector, Limit = limit, Continue = next },
                    _options.Namespace,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.IsGone && next is not null)
            {
                // The continue token expired between pages: list everything in one go instead.
                fresh.Clear();
                version = null;
                next = null;
                limit = null;
                continue;
            }

            foreach (var item in page.Items)
            {
                fresh[ObjectAccess.Key(item)] = item;
            }

            version ??= page.Metadata.ResourceVersion;
            next = string.IsNullOrEmpty(page.Metadata.Continue) ? null : page.Metadata.Continue;
            if (next is null)
            {
                break;
            }
        }

        lock (_lock)
        {
            foreach (var (key, old) in _cache.ToList())
            {
                if (!fresh.ContainsKey(key))
                {
                    _cache.Remove(key);
                    Notify(h => h.OnDelete?.Invoke(old));
                }
            }

            foreach (var (key, obj) in fresh)
            {
                if (_cache.TryGetValue(key, out var old))
                {
                    _cache[key] = obj;
                    if (ObjectAccess.ResourceVersion(old) != ObjectAccess.ResourceVersion(obj))
                    {
                        Notify(h => h.OnUpdate?.Invoke(old, obj));
                    }
                }
                else
                {
                    _cache[key] = obj;
                    Notify(h => h.OnAdd?.Invoke(obj));
                }
            }

            ResourceVersion = version;
        }

        return version;
    }

    private void Apply(WatchEvent<T> e)
    {
        lock (_lock)
        {
            if (e.ResourceVersion is { Length: > 0 } rv)
            {
                ResourceVersion = rv;
            }

            if (e.Object is not { } obj || e.Type == WatchEventType.Bookmark)
            {
                return;
            }

            var key = ObjectAccess.Key(obj);
            switch (e.Type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    if (_cache.TryGetValue(key, out var old))
                    {
                        _cache[key] = obj;
                        Notify(h => h.OnUpdate?.Invoke(old, obj));
                    }
                    else
                    {
                        _cache[key] = obj;
                        Notify(h => h.OnAdd?.Invoke(obj));
                    }

                    break;
                case WatchEventType.Deleted:
                    _cache.Remove(key);
                    Notify(h => h.OnDelete?.Invoke(obj));
                    break;
            }
        }
    }

    private void Notify(Action<InformerHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            Invoke(() => call(handler));
        }
    }

    private void Invoke(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            // A faulty handler must not stop the informer for every other handler.
            _options.OnError?.Invoke(e);
        }
    }
}
