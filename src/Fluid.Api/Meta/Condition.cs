namespace Fluid.Api.Meta;

/// <summary>Values of a condition's status, as in Kubernetes.</summary>
public static class ConditionStatus
{
    /// <summary>The condition holds.</summary>
    public const string True = "True";

    /// <summary>The condition does not hold.</summary>
    public const string False = "False";

    /// <summary>It is not known whether the condition holds.</summary>
    public const string Unknown = "Unknown";
}
