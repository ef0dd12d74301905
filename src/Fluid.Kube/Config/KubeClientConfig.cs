using System.Security.Cryptography.X509Certificates;

namespace Fluid.Kube.Config;

/// <summary>
/// Everything needed to reach one API server: where it is, how to trust it, who we are. Built by
/// <see cref="KubeConfigLoader"/> (kubeconfig files) or <see cref="InClusterConfig"/> (a pod's service account).
/// </summary>
public sealed class KubeClientConfig
{
    /// <summary>Base address of the API server, e.g. https://127.0.0.1:6443.</summary>
    public required Uri Server { get; init; }

    /// <summary>Namespace used when a call names none.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Name of the kubeconfig context this came from, or "in-cluster".</summary>
    public string ContextName { get; init; } = "";

    /// <summary>CA certificates that are the only roots trusted for the server; null trusts the system store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary>Accept any server certificate (insecure-skip-tls-verify).</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>
    /// Name the server certificate must match instead of the server's host (tls-server-name). Unlike kubectl,
    /// SNI still carries the URL's host: SocketsHttpHandler takes SNI from the request, not from SslOptions.
    /// </summary>
    public string? TlsServerName { get; init; }

    /// <summary>Client certificate with its private key, for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>A fixed bearer token.</summary>
    public string? BearerToken { get; init; }

    /// <summary>A file holding the bearer token, re-read when it changes (service-account token rotation).</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>Basic-auth user name.</summary>
    public string? Username { get; init; }

    /// <summary>Basic-auth password.</summary>
    public string? Password { get; init; }

    /// <summary>Describes the target without any secret.</summary>
    public override string ToString()
    {
        var auth = BearerToken is not null ? "token"
            : BearerTokenFile is not null ? $"token file {BearerTokenFile}"
            : ClientCertificate is not null ? $"client certificate {ClientCertificate.Subject}"
            : Username is not null ? $"basic auth as {Username}"
            : "anonymous";
        return $"{Server} (context {ContextName}, namespace {Namespace}, {auth})";
    }
}
