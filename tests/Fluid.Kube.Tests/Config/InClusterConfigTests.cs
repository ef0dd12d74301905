using Fluid.Kube.Config;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Config;

public sealed class InClusterConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private InClusterOptions Options(string host = "10.96.0.1", string port = "443") => new()
    {
        ServiceAccountDirectory = _dir.Path,
        Environment = name => name switch
        {
            "KUBERNETES_SERVICE_HOST" => host,
            "KUBERNETES_SERVICE_PORT" => port,
            _ => null,
        },
    };

    [Fact]
    public void Reads_the_service_account_token_CA_and_namespace()
    {
        _dir.Write("token", "eyJhbGciOi.first");
        _dir.Write("ca.crt", TestPki.Instance.CaPem);
        _dir.Write("namespace", "fluid-system\n");

        var config = InClusterConfig.Load(Options());

        Assert.Equal(new Uri("https://10.96.0.1:443"), config.Server);
        Assert.Equal("fluid-system", config.Namespace);
        Assert.Equal(Path.Combine(_dir.Path, "token"), config.BearerTokenFile);
        Assert.Single(config.CertificateAuthorities!);
        Assert.True(InClusterConfig.IsInCluster(Options()));
    }

    [Fact]
    public void An_IPv6_service_host_is_bracketed()
    {
        _dir.Write("token", "t");
        Assert.Equal("https://[fd00::1]:6443/", InClusterConfig.Load(Options("fd00::1", "6443")).Server.ToString());
    }

    [Fact]
    public void Without_a_token_or_with_a_bad_port_the_error_says_what_is_missing()
    {
        var noToken = Assert.Throws<KubeConfigException>(() => InClusterConfig.Load(Options()));
        Assert.Contains("token does not exist", noToken.Message, StringComparison.Ordinal);

        _dir.Write("token", "t");
        var port = Assert.Throws<KubeConfigException>(() => InClusterConfig.Load(Options(port: "https")));
        Assert.Contains("KUBERNETES_SERVICE_PORT \"https\" is not a port number", port.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotated_token_file_is_read_again()
    {
        var path = _dir.Write("token", "first-token");
        var token = new TokenFile(path);
        Assert.Equal("first-token", token.Read());

        File.WriteAllText(path, "second-token-after-rotation");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));

        Assert.Equal("second-token-after-rotation", token.Read());
        Assert.DoesNotContain("token-after", token.ToString(), StringComparison.Ordinal);
    }
}
