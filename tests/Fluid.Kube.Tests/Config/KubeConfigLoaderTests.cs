using System.Text;
using Fluid.Kube.Config;
using Fluid.Kube.Tests.Support;

namespace Fluid.Kube.Tests.Config;

public sealed class KubeConfigLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private KubeConfigLoadOptions Env(string? kubeconfig, string? context = null) => new()
    {
        Context = context,
        HomeDirectory = _dir.Path,
        Environment = name => name == "KUBECONFIG" ? kubeconfig : null,
    };

    [Fact]
    public void Reads_the_current_context_with_its_cluster_user_and_namespace()
    {
        var path = _dir.Write("config", $"""
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: kind
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: {B64(TestPki.Instance.CaPem)}
                tls-server-name: kubernetes.default.svc
            users:
            - name: admin
              user:
                token: s3cr3t-token
            contexts:
            - name: dev
              context:
                cluster: kind
                user: admin
                namespace: team-a
            """);

        var config = KubeConfigLoader.Load(new KubeConfigLoadOptions { KubeConfigPath = path, Environment = _ => null });

        Assert.Equal(new Uri("https://127.0.0.1:6443"), config.Server);
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("dev", config.ContextName);
        Assert.Equal("s3cr3t-token", config.BearerToken);
        Assert.Equal("kubernetes.default.svc", config.TlsServerName);
        Assert.Equal(TestPki.Instance.Ca.Thumbprint, Assert.Single(config.CertificateAuthorities!).Thumbprint);
        Assert.DoesNotContain("s3cr3t", config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_KUBECONFIG_files_merge_with_the_first_definition_winning()
    {
        var first = _dir.Write("a/config", """
            current-context: one
            clusters:
            - name: shared
              cluster: {server: https://first:6443}
            contexts:
            - name: one
              context: {cluster: shared, user: u1}
            users:
            - name: u1
              user: {token: t1}
            """);
        var second = _dir.Write("b/config", """
            current-context: two
            clusters:
            - name: shared
              cluster: {server: https://second:6443}
            - name: other
              cluster: {server: https://other:6443, insecure-skip-tls-verify: true}
            contexts:
            - name: two
              context: {cluster: other, user: u2, namespace: ns2}
            users:
            - name: u2
              user: {username: bob, password: pw}
            """);
        var kubeconfig = string.Join(Path.PathSeparator, first, _dir.Path + "/missing", second);

        var current = KubeConfigLoader.Load(Env(kubeconfig));
        Assert.Equal("one", current.ContextName);
        Assert.Equal("https://first:6443/", current.Server.ToString());
        Assert.Equal("default", current.Namespace);

        var two = KubeConfigLoader.Load(Env(kubeconfig, context: "two"));
        Assert.Equal("https://other:6443/", two.Server.ToString());
        Assert.True(two.InsecureSkipTlsVerify);
        Assert.Equal("ns2", two.Namespace);
        Assert.Equal("bob", two.Username);
        Assert.Equal("pw", two.Password);
    }

    [Fact]
    public void A_namespace_override_beats_the_contexts_namespace_and_credential_plugins_are_refused()
    {
        const string Config = """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            users:
            - name: sso
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin}
            contexts:
            - {name: c, context: {cluster: k, namespace: team-a}}
            - {name: s, context: {cluster: k, user: sso}}
            """;

        Assert.Equal("team-b", KubeConfigLoader.LoadText(Config, "cfg", @namespace: "team-b").Namespace);
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadText(Config, "cfg", context: "s"));
        Assert.Equal("cfg: users[\"sso\"].user.exec: credential plugins are not supported; use a token, tokenFile or client certificate", e.Message);
    }

    [Fact]
    public void Home_kube_config_is_used_when_KUBECONFIG_is_unset()
    {
        _dir.Write(".kube/config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: c, context: {cluster: k}}]
            """);

        var config = KubeConfigLoader.Load(Env(null));

        Assert.Equal("http://127.0.0.1:8080/", config.Server.ToString());
        Assert.Null(config.BearerToken);
    }

    [Fact]
    public void Relative_certificate_and_token_paths_are_relative_to_the_kubeconfig_file()
    {
        var pki = TestPki.Instance;
        _dir.Write("kube/pki/ca.crt", pki.CaPem);
        _dir.Write("kube/pki/client.crt", pki.RsaClientCertPem);
        _dir.Write("kube/pki/client.key", pki.RsaClientKeyPem);
        _dir.Write("kube/token", "file-token\n");
        var path = _dir.Write("kube/config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443", certificate-authority: pki/ca.crt}}]
            users:
            - name: cert
              user: {client-certificate: pki/client.crt, client-key: pki/client.key}
            - name: tok
              user: {tokenFile: token}
            contexts:
            - {name: c, context: {cluster: k, user: cert}}
            - {name: t, context: {cluster: k, user: tok}}
            """);

        var cert = KubeConfigLoader.LoadFiles([path]);
        Assert.NotNull(cert.ClientCertificate);
        Assert.True(cert.ClientCertificate.HasPrivateKey);
        Assert.Contains("CN=alice", cert.ClientCertificate.Subject, StringComparison.Ordinal);
        Assert.Single(cert.CertificateAuthorities!);

        var tok = KubeConfigLoader.LoadFiles([path], context: "t");
        Assert.Equal(Path.Combine(_dir.Path, "kube", "token"), tok.BearerTokenFile);
        Assert.Equal("file-token", new TokenFile(tok.BearerTokenFile!).Read());
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("pkcs8")]
    public void Client_certificates_with_EC_keys_load(string keyFormat)
    {
        var pki = TestPki.Instance;
        var key = keyFormat == "ec" ? pki.EcClientKeyPem : pki.Pkcs8EcClientKeyPem;
        var config = KubeConfigLoader.LoadText($$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            users:
            - name: u
              user:
                client-certificate-data: {{{B64(pki.EcClientCertPem)}}}
                client-key-data: {{{B64(key)}}}
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """, "inline");

        Assert.True(config.ClientCertificate!.HasPrivateKey);
        Assert.Contains("CN=bob", config.ClientCertificate.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_context_names_the_file_the_context_and_the_known_ones()
    {
        var path = _dir.Write("config", """
            current-context: prod
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: dev, context: {cluster: k}}]
            """);

        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadFiles([path]));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("current-context: context \"prod\" is not defined (defined: dev)", e.Message, StringComparison.Ordinal);

        var over = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadFiles([path], context: "nope"));
        Assert.Contains("--context: context \"nope\"", over.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_base64_names_the_field_and_never_shows_the_token()
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadText("""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            users: [{name: admin, user: {token: top-secret-value, client-certificate-data: "not base64!!", client-key-data: "eA=="}}]
            contexts: [{name: c, context: {cluster: k, user: admin}}]
            """, "/etc/kube.yaml"));

        Assert.Equal(
            "/etc/kube.yaml: users[\"admin\"].user.client-certificate-data: not valid base64; encode the PEM file with `base64 -w0 FILE`",
            e.Message);
        Assert.DoesNotContain("top-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_and_absent_files_are_named()
    {
        var missing = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadFiles([_dir.Path + "/nope"]));
        Assert.Equal(_dir.Path + "/nope: kubeconfig file does not exist", missing.Message);

        var path = _dir.Write("config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443", certificate-authority: /no/such/ca.crt}}]
            contexts: [{name: c, context: {cluster: k}}]
            """);
        var ca = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadFiles([path]));
        Assert.StartsWith(path + ": clusters[\"k\"].cluster.certificate-authority: cannot read /no/such/ca.crt", ca.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clusters: [{name: k, cluster: {server: \"ftp://x\"}}]", "clusters[\"k\"].cluster.server: \"ftp://x\" is not an http(s) URL")]
    [InlineData("clusters: [{name: k, cluster: {insecure-skip-tls-verify: true}}]", "clusters[\"k\"].cluster.server: missing")]
    [InlineData("clusters: [{name: k, cluster: {server: \"https://a\", insecure-skip-tls-verify: maybe}}]", "insecure-skip-tls-verify: \"maybe\" is not true or false")]
    [InlineData("clusters: {k: 1}", "clusters: expected a list, found a mapping")]
    public void Malformed_clusters_say_which_field_is_wrong(string clusters, string expected)
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadText($"""
            current-context: c
            {clusters}
            contexts: [{"{"}name: c, context: {"{"}cluster: k{"}}"}]
            """, "cfg"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_without_its_key_is_rejected()
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadText($$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://a"}}]
            users:
            - name: u
              user:
                client-certificate-data: {{{B64(TestPki.Instance.RsaClientCertPem)}}}
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """, "cfg"));
        Assert.Contains("users[\"u\"].user.client-key: missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_does_not_match_the_certificate_is_rejected()
    {
        var pki = TestPki.Instance;
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.LoadText($$$"""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://a"}}]
            users:
            - name: u
              user:
                client-certificate-data: {{{B64(pki.RsaClientCertPem)}}}
                client-key-data: {{{B64(pki.EcClientKeyPem)}}}
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """, "cfg"));
        Assert.StartsWith("cfg: users[\"u\"].user.client-certificate-data/client-key-data: not a PEM certificate with its matching private key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_to_load_says_where_it_looked()
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(Env(null)));
        Assert.Contains("no kubeconfig found", e.Message, StringComparison.Ordinal);
    }
}
