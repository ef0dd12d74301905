namespace Fluid.Kube.Config;

/// <summary>A kubeconfig or in-cluster setting is missing or wrong; the message names the file and the field.</summary>
public sealed class KubeConfigException : Exception
{
    /// <summary>Creates the error with a message that says what is wrong and where.</summary>
    public KubeConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with the exception that caused it.</summary>
    public KubeConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
