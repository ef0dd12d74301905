namespace Fluid.Kube.Http;

/// <summary>
/// How often and how long to retry a request the server could not take (429, 5xx) or that could not reach it.
/// Only idempotent requests are retried after they may have reached the server.
/// </summary>
public sealed class KubeRetryPolicy
{
    /// <summary>Tries in all, the first included; 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; doubles with each further retry.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between tries (before jitter).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest Retry-After the client honours; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>No retries.</summary>
    public static KubeRetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Delay before retry number <paramref name="retry"/> (1-based): exponential with ±25 % jitter.</summary>
    public TimeSpan Backoff(int retry)
    {
        var exponent = Math.Min(retry - 1, 30);
        var ms = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        // Jitter keeps many clients that failed together from retrying together.
        return TimeSpan.FromMilliseconds(ms * (0.75 + (Random.Shared.NextDouble() * 0.5)));
    }
}
