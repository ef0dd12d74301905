namespace Fluid.Embedded.Agent;

/// <summary>A pod the agent cannot run as written (an unsupported image or volume, a missing key); the reason goes into its status.</summary>
internal sealed class PodConfigException(string reason, string message) : Exception(message)
{
    /// <summary>The containerStatuses waiting reason, e.g. CreateContainerConfigError.</summary>
    public string Reason { get; } = reason;
}
