using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fluid.Kube.Config;

/// <summary>Where a pod finds its service account; tests point these at their own files.</summary>
public sealed class InClusterOptions
{
    /// <summary>The standard mount of the service account's token, CA and namespace.</summary>
    public const string DefaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Directory holding token, ca.crt and namespace.</summary>
    public string ServiceAccountDirectory { get; init; } = DefaultDirectory;

    /// <summary>Reads environment variables; tests replace it.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Namespace to use instead of the service account's.</summary>
    public string? Namespace { get; init; }
}

/// <summary>The config of a process running in a pod: KUBERNETES_SERVICE_HOST/PORT and the mounted service account.</summary>
public static class InClusterConfig
{
    /// <summary>True when the environment says we run in a pod.</summary>
    public static bool IsInCluster(InClusterOptions? options = null)
    {
        options ??= new InClusterOptions();
        return !string.IsNullOrEmpty(options.Environment("KUBERNETES_SERVICE_HOST"))
            && File.Exists(Path.Combine(options.ServiceAccountDirectory, "token"));
    }

    /// <summary>Builds the config; the token file is re-read by the client whenever it changes.</summary>
    public static KubeClientConfig Load(InClusterOptions? options = null)
    {
        options ??= new InClusterOptions();
        var host = options.Environment("KUBERNETES_SERVICE_HOST");
        var port = options.Environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException(
                "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set (they are, inside a pod)");
        }

        if (!int.TryParse(port, out var portNumber) || portNumber is < 1 or > 65535)
        {
            throw new KubeConfigException($"in-cluster config: KUBERNETES_SERVICE_PORT \"{port}\" is not a port number");
        }

        // An IPv6 service address needs brackets in a URL.
        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate($"https://{hostPart}:{portNumber}", UriKind.Absolute, out var server))
        {
            throw new KubeConfigException($"in-cluster config: KUBERNETES_SERVICE_HOST \"{host}\" is not a host name or address");
        }

        var dir = options.ServiceAccountDirectory;
        var tokenFile = Path.Combine(dir, "token");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"in-cluster config: {tokenFile} does not exist; is a service account token mounted into the pod?");
        }

        X509Certificate2Collection? authorities = null;
        var caFile = Path.Combine(dir, "ca.crt");
        if (File.Exists(caFile))
        {
            authorities = [];
            try
            {
                authorities.ImportFromPemFile(caFile);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new KubeConfigException($"in-cluster config: {caFile}: cannot read a PEM certificate: {e.Message}", e);
            }

            if (authorities.Count == 0)
            {
                throw new KubeConfigException($"in-cluster config: {caFile}: holds no PEM certificate");
            }
        }

        var ns = options.Namespace;
        var nsFile = Path.Combine(dir, "namespace");
        if (string.IsNullOrEmpty(ns) && File.Exists(nsFile))
        {
            ns = File.ReadAllText(nsFile).Trim();
        }

        return new KubeClientConfig
        {
            Server = server,
            ContextName = "in-cluster",
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            CertificateAuthorities = authorities,
            BearerTokenFile = tokenFile,
        };
    }
}
