using System.Security.Cryptography.X509Certificates;
using Fluid.Kube.Config;
using Fluid.Kube.Http;

namespace Fluid.Kube.Tests.Support;

public static class Clients
{
    public static KubeRetryPolicy FastRetry { get; } = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };

    public static KubeClientConfig Config(TestApiServer server, string? token = "test-token") => new()
    {
        Server = server.Url,
        Namespace = "default",
        ContextName = "test",
        CertificateAuthorities = [TestPki.Instance.Ca],
        BearerToken = token,
    };

    public static KubeClient For(TestApiServer server, KubeClientConfig? config = null, KubeRetryPolicy? retry = null) =>
        new(config ?? Config(server), new KubeClientOptions { Retry = retry ?? FastRetry, RequestTimeout = TimeSpan.FromSeconds(10) });

    public static X509Certificate2Collection Trust(X509Certificate2 ca) => [ca];
}
