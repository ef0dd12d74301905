namespace Fluid.Embedded.Agent;

/// <summary>A pod the agent cannot run as written (an unsupported image or volume, a missing key); the reason goes into its status.</summary>
internal sealed class PodConfigException(string reason, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    /// <summary>When to try again (default 5 s); short for waits that end on their own, such as a FUSE mount.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter ?? TimeSpan.FromSeconds(5);

    /// <summary>The containerStatuses waiting reason, e.g. CreateContainerConfigError.</summary>
    public string Reason { get; } = reason;
}
