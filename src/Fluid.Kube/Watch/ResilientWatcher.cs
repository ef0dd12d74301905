using System.Net;
using System.Runtime.CompilerServices;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Kube.Watch;

/// <summary>What a <see cref="ResilientWatcher{T}"/> watches and how it recovers.</summary>
public sealed class ResilientWatchOptions
{
    /// <summary>Namespace; null is the client's default, <see cref="KubeClient.AllNamespaces"/> every namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>Label selector.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Ask the server to end each watch request after this long; the watcher then resumes.</summary>
    public int? TimeoutSeconds { get; init; } = 300;

    /// <summary>First wait after a failed watch request; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between failed watch requests.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Told about every failure the watcher recovers from (log it); never given a token.</summary>
    public Action<Exception>? OnError { get; init; }
}

/// <summary>
/// A watch that survives the things that end a single watch request: it remembers the last resourceVersion
/// (bookmarks included), reconnects after the server closes the stream or the connection drops, and when the
/// server says that version is gone (410, or an ERROR event with code 410) it lists again and continues.
/// </summary>
public sealed class ResilientWatcher<T>
    where T : class
{
    private readonly ResourceClient<T> _resource;
    private readonly ResilientWatchOptions _options;

    /// <summary>Creates the watcher; nothing is requested until it is enumerated.</summary>
    public ResilientWatcher(ResourceClient<T> resource, ResilientWatchOptions? options = null)
    {
        _resource = resource;
        _options = options ?? new ResilientWatchOptions();
    }

    /// <summary>The last resourceVersion seen, from an object or a bookmark.</summary>
    public string? ResourceVersion { get; private set; }

    /// <summary>How many times the watcher had to list again because its version was gone.</summary>
    public int Relists { get; private set; }

    /// <summary>
    /// Events from <paramref name="resourceVersion"/> on, until cancelled. When the version is gone the
    /// watcher calls <paramref name="relist"/>, which must bring the caller up to date and return the
    /// version to continue from; without it, the watcher lists and yields every current object as Added.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(
        string? resourceVersion,
        Func<CancellationToken, Task<string?>>? relist = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ResourceVersion = resourceVersion;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = false;
            Exception? failure = null;
            var received = 0;
            var started = DateTime.UtcNow;
            await using (var events = _resource.WatchAsync(Options(), _options.Namespace, cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    WatchEvent<T> next;
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        next = events.Current;
                    }
                    catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Gone || e.IsGone)
                    {
                        expired = true;
                        break;
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or KubeApiException or InvalidDataException)
                    {
                        failure = e;
                        break;
                    }

                    if (next.Type == WatchEventType.Error)
                    {
                        if (next.Status?.Code == 410 || next.Status?.Reason is "Expired" or "Gone")
                        {
                            expired = true;
                        }
                        else
                        {
                            failure = new KubeApiException("WATCH", _resource.Descriptor.Path(), (HttpStatusCode)(next.Status?.Code ?? 500), next.Status, null);
                        }

                        break;
                    }

                    failures = 0;
                    received++;
                    if (next.ResourceVersion is { Length: > 0 } rv)
                    {
                        ResourceVersion = rv;
                    }

                    yield return next;
                }
            }

            if (expired)
            {
                Relists++;
                if (relist is not null)
                {
                    ResourceVersion = await relist(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var page = await _resource.ListAsync(
                    new ListOptions { LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector }, _options.Namespace, cancellationToken)
                    .ConfigureAwait(false);
                ResourceVersion = page.Metadata.ResourceVersion;
                foreach (var item in page.Items)
                {
                    yield return new WatchEvent<T>(WatchEventType.Added, item, null);
                }

                continue;
            }

            if (failure is null && received == 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(1))
            {
                // A stream closed at once without events is a server in trouble, not a timeout: do not spin.
                failure = new IOException($"the watch of {_resource.Descriptor.FullName} closed at once without events");
            }

            if (failure is not null)
            {
                _options.OnError?.Invoke(failure);
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(
                    _options.MaxRetryDelay.TotalMilliseconds, _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private WatchOptions Options() => new()
    {
        ResourceVersion = ResourceVersion,
        LabelSelector = _options.LabelSelector,
        FieldSelector = _options.FieldSelector,
        AllowBookmarks = true,
        TimeoutSeconds = _options.TimeoutSeconds,
    };
}
