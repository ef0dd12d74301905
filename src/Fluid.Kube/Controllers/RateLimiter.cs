namespace Fluid.Kube.Controllers;

/// <summary>
/// How long a key waits before it is retried: exponential per key (base doubling to a maximum), and never
/// faster than an overall token bucket allows, so a storm of failures cannot flood the API server.
/// </summary>
public sealed class RequeueRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    /// <summary>Creates the limiter; the defaults are client-go's (5 ms → 1000 s per key, 10/s with bursts of 100 overall).</summary>
    public RequeueRateLimiter(
        TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, double perSecond = 10, int burst = 100, TimeProvider? time = null)
    {
        BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(1000);
        if (BaseDelay <= TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            throw new ArgumentException($"base delay {BaseDelay} must be positive and at most the max delay {MaxDelay}");
        }

        if (perSecond <= 0 || burst < 1)
        {
            throw new ArgumentException($"rate {perSecond}/s and burst {burst} must be positive");
        }

        PerSecond = perSecond;
        Burst = burst;
        _time = time ?? TimeProvider.System;
        _tokens = burst;
        _last = _time.GetTimestamp();
    }

    /// <summary>First per-key delay.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>Longest per-key delay.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Overall retries per second.</summary>
    public double PerSecond { get; }

    /// <summary>Overall retries allowed at once.</summary>
    public int Burst { get; }

    /// <summary>Counts one more failure of the key and says how long it must wait.</summary>
    public TimeSpan When(TKey key)
    {
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
            var perKey = TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 40))));
            var overall = Overall();
            return perKey > overall ? perKey : overall;
        }
    }

    /// <summary>Failures counted for the key since it was last forgotten.</summary>
    public int Failures(TKey key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>The key succeeded: its next failure starts from the base delay again.</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    // Reserves one token; the wait is how long until that token exists.
    private TimeSpan Overall()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * PerSecond));
        _last = now;
        _tokens -= 1;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / PerSecond);
    }
}
