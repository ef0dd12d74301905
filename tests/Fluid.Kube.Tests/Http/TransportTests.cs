using System.Diagnostics;
using System.Text;
using Fluid.Api.V1Alpha1;
using Fluid.Kube.Config;
using Fluid.Kube.Http;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Http;

public sealed class TransportTests
{
    private const string DatasetPath = "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets/demo";

    [Fact]
    public async Task The_configured_CA_is_trusted_and_the_bearer_token_is_sent()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 200, Recorded.Dataset("demo", "7"));
        using var client = Clients.For(server);

        var dataset = await client.Resource<Dataset>().GetAsync("demo");

        Assert.Equal("7", dataset.Metadata.ResourceVersion);
        Assert.Equal("Bearer test-token", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_refused_without_retrying()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = Clients.For(server, new KubeClientConfig { Server = server.Url, CertificateAuthorities = [TestPki.Instance.OtherCa] });

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.Resource<Dataset>().GetAsync("demo"));

        Assert.Contains("TLS with", e.Message, StringComparison.Ordinal);
        Assert.Contains("certificate-authority", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_an_untrusted_server()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 200, Recorded.Dataset("demo", "1"));
        using var client = Clients.For(server, new KubeClientConfig { Server = server.Url, InsecureSkipTlsVerify = true });

        Assert.Equal("demo", (await client.Resource<Dataset>().GetAsync("demo")).Metadata.Name);
    }

    [Fact]
    public async Task Tls_server_name_is_what_the_certificate_must_match()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 200, Recorded.Dataset("demo", "1"));
        var good = new KubeClientConfig { Server = server.Url, CertificateAuthorities = [TestPki.Instance.Ca], TlsServerName = "kubernetes.default.svc" };
        var bad = new KubeClientConfig { Server = server.Url, CertificateAuthorities = [TestPki.Instance.Ca], TlsServerName = "api.example.com" };
        using (var client = Clients.For(server, good))
        {
            await client.Resource<Dataset>().GetAsync("demo");
        }

        using var wrong = Clients.For(server, bad);
        await Assert.ThrowsAsync<HttpRequestException>(() => wrong.Resource<Dataset>().GetAsync("demo"));
    }

    [Theory]
    [InlineData("rsa", "CN=alice, O=system:masters")]
    [InlineData("ec", "CN=bob")]
    public async Task The_client_certificate_from_a_kubeconfig_reaches_the_server(string key, string subject)
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 200, Recorded.Dataset("demo", "1"));
        var pki = TestPki.Instance;
        string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var (cert, keyPem) = key == "rsa" ? (pki.RsaClientCertPem, pki.RsaClientKeyPem) : (pki.EcClientCertPem, pki.EcClientKeyPem);
        var config = KubeConfigLoader.LoadText($"""
            current-context: c
            clusters:
            - name: k
              cluster:
                server: {server.Url}
                certificate-authority-data: {B64(pki.CaPem)}
            users:
            - name: u
              user:
                client-certificate-data: {B64(cert)}
                client-key-data: {B64(keyPem)}
            contexts:
            - name: c
              context: {"{"}cluster: k, user: u{"}"}
            """, "test");
        using var client = Clients.For(server, config);

        await client.Resource<Dataset>().GetAsync("demo");

        var seen = Assert.Single(server.Requests);
        Assert.Equal(subject, seen.ClientCertificateSubject);
        Assert.Null(seen.Authorization);
    }

    [Fact]
    public async Task Basic_auth_and_a_rotated_token_file_are_sent()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 200, Recorded.Dataset("demo", "1"));
        using (var basic = Clients.For(server, new KubeClientConfig { Server = server.Url, CertificateAuthorities = [TestPki.Instance.Ca], Username = "admin", Password = "pw" }))
        {
            await basic.Resource<Dataset>().GetAsync("demo");
        }

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:pw")), server.Requests.Last().Authorization);

        using var dir = new TempDir();
        var tokenPath = dir.Write("token", "token-one");
        using var client = Clients.For(server, new KubeClientConfig { Server = server.Url, CertificateAuthorities = [TestPki.Instance.Ca], BearerTokenFile = tokenPath });
        server.On("GET", DatasetPath, 200, Recorded.Dataset("demo", "1")).On("GET", DatasetPath, 200, Recorded.Dataset("demo", "1"));
        await client.Resource<Dataset>().GetAsync("demo");
        Assert.Equal("Bearer token-one", server.Requests.Last().Authorization);

        File.WriteAllText(tokenPath, "token-two");
        File.SetLastWriteTimeUtc(tokenPath, DateTime.UtcNow.AddSeconds(3));
        await client.Resource<Dataset>().GetAsync("demo");
        Assert.Equal("Bearer token-two", server.Requests.Last().Authorization);
    }

    [Fact]
    public async Task A_429_is_retried_after_Retry_After()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 429, Recorded.TooManyRequests, new Dictionary<string, string> { ["Retry-After"] = "1" })
            .On("GET", DatasetPath, 200, Recorded.Dataset("demo", "9"));
        using var client = Clients.For(server);

        var watch = Stopwatch.StartNew();
        var dataset = await client.Resource<Dataset>().GetAsync("demo");

        Assert.Equal("9", dataset.Metadata.ResourceVersion);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {watch.Elapsed}, before the server's Retry-After of 1 s");
        Assert.Equal(2, server.Count("GET", DatasetPath));
    }

    [Fact]
    public async Task Server_errors_are_retried_for_GET_until_the_attempts_run_out()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 503, Recorded.ServiceUnavailable).On("GET", DatasetPath, 503, Recorded.ServiceUnavailable)
            .On("GET", DatasetPath, 200, Recorded.Dataset("demo", "3"));
        using var client = Clients.For(server);
        Assert.Equal("3", (await client.Resource<Dataset>().GetAsync("demo")).Metadata.ResourceVersion);

        for (var i = 0; i < 4; i++)
        {
            server.On("GET", DatasetPath, 503, Recorded.ServiceUnavailable);
        }

        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.Resource<Dataset>().GetAsync("demo"));
        Assert.Equal(KubeErrorReason.ServerError, e.Reason);
        Assert.Equal(7, server.Count("GET", DatasetPath));
    }

    [Fact]
    public async Task A_POST_that_got_a_server_error_is_not_sent_twice()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("POST", "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets", 503, Recorded.ServiceUnavailable);
        using var client = Clients.For(server);

        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.Resource<Dataset>().CreateAsync(new Dataset { Metadata = { Name = "demo" } }));

        Assert.Equal(KubeErrorReason.ServerError, e.Reason);
        Assert.Equal(1, server.Count("POST", "/apis"));
    }

    [Fact]
    public async Task A_merge_patch_that_got_a_server_error_is_not_sent_twice_but_an_apply_is()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("PATCH", DatasetPath, 503, Recorded.ServiceUnavailable)
            .On("PATCH", DatasetPath, 503, Recorded.ServiceUnavailable)
            .On("PATCH", DatasetPath, 200, Recorded.Dataset("demo", "5"));
        using var client = Clients.For(server);
        var datasets = client.Resource<Dataset>();

        await Assert.ThrowsAsync<KubeApiException>(() => datasets.PatchAsync("demo", Fluid.Kube.Resources.PatchType.Merge, """{"metadata":{"labels":{"a":"b"}}}"""));
        var applied = await datasets.ApplyAsync(new Dataset { Metadata = { Name = "demo" } }, "fluid-controller");

        Assert.Equal("5", applied.Metadata.ResourceVersion);
        Assert.Equal(3, server.Count("PATCH", DatasetPath));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_and_then_reported_with_the_server_address()
    {
        using var client = new KubeClient(
            new KubeClientConfig { Server = new Uri("http://127.0.0.1:9") },
            new KubeClientOptions { Retry = Clients.FastRetry });

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.Resource<Dataset>().GetAsync("demo"));

        Assert.Contains("cannot reach the API server at http://127.0.0.1:9/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_statuses_become_typed_exceptions_with_the_servers_message()
    {
        await using var server = await TestApiServer.StartAsync();
        server.On("GET", DatasetPath, 404, Recorded.DatasetNotFound)
            .On("GET", "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets", 403, Recorded.Forbidden)
            .On("GET", DatasetPath, 401, Recorded.Unauthorized)
            .On("GET", DatasetPath, 502, Recorded.ProxyBadGateway);
        using var client = Clients.For(server, retry: KubeRetryPolicy.None);
        var datasets = client.Resource<Dataset>();

        var notFound = await Assert.ThrowsAsync<KubeApiException>(() => datasets.GetAsync("demo"));
        Assert.True(notFound.IsNotFound);
        Assert.Equal($"GET {DatasetPath}: 404 NotFound: datasets.data.fluid.io \"demo\" not found", notFound.Message);

        var forbidden = await Assert.ThrowsAsync<KubeApiException>(() => datasets.ListAsync());
        Assert.Equal(KubeErrorReason.Forbidden, forbidden.Reason);
        Assert.Contains("cannot list resource \"datasets\"", forbidden.Message, StringComparison.Ordinal);

        var unauthorized = await Assert.ThrowsAsync<KubeApiException>(() => datasets.GetAsync("demo"));
        Assert.Equal(KubeErrorReason.Unauthorized, unauthorized.Reason);
        Assert.DoesNotContain("test-token", unauthorized.Message, StringComparison.Ordinal);

        var proxy = await Assert.ThrowsAsync<KubeApiException>(() => datasets.GetAsync("demo"));
        Assert.Equal(KubeErrorReason.ServerError, proxy.Reason);
        Assert.Null(proxy.Status);
        Assert.Contains("502 Bad Gateway", proxy.Message, StringComparison.Ordinal);
    }
}
