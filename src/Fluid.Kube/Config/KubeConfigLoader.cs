using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fluid.Kube.Config;

/// <summary>Where to look for kubeconfig files and which context to use (kubectl's --kubeconfig and --context).</summary>
public sealed class KubeConfigLoadOptions
{
    /// <summary>An explicit file (--kubeconfig); when set, KUBECONFIG and ~/.kube/config are not read.</summary>
    public string? KubeConfigPath { get; init; }

    /// <summary>Context to use instead of current-context (--context).</summary>
    public string? Context { get; init; }

    /// <summary>Namespace to use instead of the context's (--namespace).</summary>
    public string? Namespace { get; init; }

    /// <summary>Reads environment variables; tests replace it.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Home directory holding .kube/config; defaults to the user profile.</summary>
    public string? HomeDirectory { get; init; }
}

/// <summary>
/// Reads kubeconfig files as kubectl does: KUBECONFIG may list several files (':'-separated), merged so that
/// the first file to define a cluster, user, context or current-context wins; relative paths in a file are
/// relative to that file.
/// </summary>
public static class KubeConfigLoader
{
    /// <summary>
    /// The config of the chosen context: from options.KubeConfigPath, else KUBECONFIG, else ~/.kube/config,
    /// else the in-cluster service account when running in a pod.
    /// </summary>
    public static KubeClientConfig Load(KubeConfigLoadOptions? options = null)
    {
        options ??= new KubeConfigLoadOptions();
        var files = ConfigFiles(options);
        if (files.Count == 0)
        {
            if (!string.IsNullOrEmpty(options.Environment("KUBERNETES_SERVICE_HOST")))
            {
                return InClusterConfig.Load(new InClusterOptions { Environment = options.Environment, Namespace = options.Namespace });
            }

            throw new KubeConfigException(
                "no kubeconfig found: set KUBECONFIG, create ~/.kube/config, pass --kubeconfig, or run inside a pod with a service account");
        }

        return Resolve(Merge(files), options.Context, options.Namespace);
    }

    /// <summary>Loads one kubeconfig file (or several, merged in order) and resolves a context.</summary>
    public static KubeClientConfig LoadFiles(IReadOnlyList<string> paths, string? context = null, string? @namespace = null)
    {
        var files = paths.Select(p => ParseFile(p, required: true)!).ToList();
        return Resolve(Merge(files), context, @namespace);
    }

    /// <summary>Parses kubeconfig text (the source is named in errors) and resolves a context.</summary>
    public static KubeClientConfig LoadText(string yaml, string source, string? context = null, string? @namespace = null, string? baseDirectory = null)
    {
        var file = Parse(yaml, source, baseDirectory ?? System.Environment.CurrentDirectory);
        return Resolve(Merge([file]), context, @namespace);
    }

    private static List<ConfigFile> ConfigFiles(KubeConfigLoadOptions options)
    {
        if (!string.IsNullOrEmpty(options.KubeConfigPath))
        {
            return [ParseFile(options.KubeConfigPath, required: true)!];
        }

        var env = options.Environment("KUBECONFIG");
        if (!string.IsNullOrEmpty(env))
        {
            // kubectl skips listed files that do not exist, and reads each path once.
            return [.. env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Distinct(StringComparer.Ordinal)
                .Select(p => ParseFile(p, required: false))
                .OfType<ConfigFile>()];
        }

        var home = options.HomeDirectory ?? options.Environment("HOME") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".kube", "config");
        return File.Exists(path) ? [ParseFile(path, required: true)!] : [];
    }

    private static ConfigFile? ParseFile(string path, bool required)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return required ? throw new KubeConfigException($"{path}: kubeconfig file does not exist") : null;
        }

        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"{path}: cannot read the kubeconfig file: {e.Message}", e);
        }

        return Parse(text, path, Path.GetDirectoryName(full)!);
    }

    private static ConfigFile Parse(string text, string source, string directory)
    {
        var file = new ConfigFile(source, directory);
        if (string.IsNullOrWhiteSpace(text))
        {
            return file;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"{source}: line {e.Start.Line}: not valid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return file;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new KubeConfigException($"{source}: a kubeconfig must be a mapping with clusters, users and contexts");
        }

        var reader = new NodeReader(source);
        file.CurrentContext = reader.Scalar(root, "current-context", "current-context");
        file.Clusters = reader.NamedList(root, "clusters", "cluster");
        file.Users = reader.NamedList(root, "users", "user");
        file.Contexts = reader.NamedList(root, "contexts", "context");
        return file;
    }

    private static MergedConfig Merge(List<ConfigFile> files)
    {
        var merged = new MergedConfig();
        foreach (var file in files)
        {
            if (merged.CurrentContext is null && !string.IsNullOrEmpty(file.CurrentContext))
            {
                merged.CurrentContext = file.CurrentContext;
            }

            foreach (var (name, node) in file.Clusters)
            {
                merged.Clusters.TryAdd(name, new Entry(file, node, $"clusters[\"{name}\"].cluster"));
            }

            foreach (var (name, node) in file.Users)
            {
                merged.Users.TryAdd(name, new Entry(file, node, $"users[\"{name}\"].user"));
            }

            foreach (var (name, node) in file.Contexts)
            {
                merged.Contexts.TryAdd(name, new Entry(file, node, $"contexts[\"{name}\"].context"));
            }
        }

        merged.Sources = string.Join(", ", files.Select(f => f.Source));
        return merged;
    }

    private static KubeClientConfig Resolve(MergedConfig config, string? contextOverride, string? namespaceOverride)
    {
        var contextName = string.IsNullOrEmpty(contextOverride) ? config.CurrentContext : contextOverride;
        if (string.IsNullOrEmpty(contextName))
        {
            throw new KubeConfigException(
                $"{Sources(config)}: current-context is not set; set it (kubectl config use-context NAME) or pass --context"
                + Known(config.Contexts));
        }

        if (!config.Contexts.TryGetValue(contextName, out var context))
        {
            var field = string.IsNullOrEmpty(contextOverride) ? "current-context" : "--context";
            throw new KubeConfigException($"{Sources(config)}: {field}: context \"{contextName}\" is not defined" + Known(config.Contexts));
        }

        var ctxReader = new NodeReader(context.File.Source);
        var clusterName = ctxReader.Scalar(context.Node, "cluster", context.Path + ".cluster");
        var userName = ctxReader.Scalar(context.Node, "user", context.Path + ".user");
        var ns = ctxReader.Scalar(context.Node, "namespace", context.Path + ".namespace");
        if (string.IsNullOrEmpty(clusterName))
        {
            throw new KubeConfigException($"{context.File.Source}: {context.Path}.cluster: the context names no cluster");
        }

        if (!config.Clusters.TryGetValue(clusterName, out var cluster))
        {
            throw new KubeConfigException(
                $"{context.File.Source}: {context.Path}.cluster: cluster \"{clusterName}\" is not defined" + Known(config.Clusters));
        }

        Entry? user = null;
        if (!string.IsNullOrEmpty(userName) && !config.Users.TryGetValue(userName, out user))
        {
            throw new KubeConfigException(
                $"{context.File.Source}: {context.Path}.user: user \"{userName}\" is not defined" + Known(config.Users));
        }

        var c = new NodeReader(cluster.File.Source);
        var serverText = c.Scalar(cluster.Node, "server", cluster.Path + ".server");
        if (string.IsNullOrEmpty(serverText))
        {
            throw new KubeConfigException($"{cluster.File.Source}: {cluster.Path}.server: missing; set the API server's address, e.g. https://127.0.0.1:6443");
        }

        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || (server.Scheme != "https" && server.Scheme != "http"))
        {
            throw new KubeConfigException($"{cluster.File.Source}: {cluster.Path}.server: \"{serverText}\" is not an http(s) URL such as https://127.0.0.1:6443");
        }

        var insecure = c.Bool(cluster.Node, "insecure-skip-tls-verify", cluster.Path + ".insecure-skip-tls-verify");
        var ca = Pem(c, cluster, "certificate-authority");
        X509Certificate2Collection? authorities = null;
        if (ca is not null)
        {
            if (insecure)
            {
                throw new KubeConfigException(
                    $"{cluster.File.Source}: {cluster.Path}: certificate-authority and insecure-skip-tls-verify contradict each other; keep one");
            }

            authorities = [];
            try
            {
                authorities.ImportFromPem(ca.Value.Text);
            }
            catch (CryptographicException e)
            {
                throw new KubeConfigException($"{cluster.File.Source}: {cluster.Path}.{ca.Value.Field}: not a PEM certificate: {e.Message}", e);
            }

            if (authorities.Count == 0)
            {
                throw new KubeConfigException($"{cluster.File.Source}: {cluster.Path}.{ca.Value.Field}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
        }

        var result = new KubeClientConfig
        {
            Server = server,
            ContextName = contextName,
            Namespace = !string.IsNullOrEmpty(namespaceOverride) ? namespaceOverride : string.IsNullOrEmpty(ns) ? "default" : ns,
            CertificateAuthorities = authorities,
            InsecureSkipTlsVerify = insecure,
            TlsServerName = NullIfEmpty(c.Scalar(cluster.Node, "tls-server-name", cluster.Path + ".tls-server-name")),
        };
        return user is null ? result : WithUser(result, user);
    }

    private static KubeClientConfig WithUser(KubeClientConfig config, Entry user)
    {
        var u = new NodeReader(user.File.Source);
        var token = NullIfEmpty(u.Scalar(user.Node, "token", user.Path + ".token"));
        var tokenFile = NullIfEmpty(u.Scalar(user.Node, "tokenFile", user.Path + ".tokenFile"));
        if (tokenFile is not null)
        {
            tokenFile = Path.GetFullPath(tokenFile, user.File.Directory);
            if (token is null && !File.Exists(tokenFile))
            {
                throw new KubeConfigException($"{user.File.Source}: {user.Path}.tokenFile: {tokenFile} does not exist");
            }
        }

        var username = NullIfEmpty(u.Scalar(user.Node, "username", user.Path + ".username"));
        var password = u.Scalar(user.Node, "password", user.Path + ".password");
        if (username is null && !string.IsNullOrEmpty(password))
        {
            throw new KubeConfigException($"{user.File.Source}: {user.Path}.username: a password is set but no username");
        }

        var cert = Pem(u, user, "client-certificate");
        var key = Pem(u, user, "client-key");
        X509Certificate2? clientCertificate = null;
        if (cert is not null || key is not null)
        {
            if (cert is null || key is null)
            {
                var missing = cert is null ? "client-certificate" : "client-key";
                throw new KubeConfigException(
                    $"{user.File.Source}: {user.Path}.{missing}: missing; a client certificate needs both client-certificate(-data) and client-key(-data)");
            }

            clientCertificate = ClientCertificate(cert.Value.Text, key.Value.Text, $"{user.File.Source}: {user.Path}.{cert.Value.Field}/{key.Value.Field}");
        }

        var hasCredentials = token is not null || tokenFile is not null || username is not null || clientCertificate is not null;
        if (!hasCredentials && (user.Node.Children.ContainsKey("exec") || user.Node.Children.ContainsKey("auth-provider")))
        {
            var plugin = user.Node.Children.ContainsKey("exec") ? "exec" : "auth-provider";
            throw new KubeConfigException(
                $"{user.File.Source}: {user.Path}.{plugin}: credential plugins are not supported; use a token, tokenFile or client certificate");
        }

        return new KubeClientConfig
        {
            Server = config.Server,
            ContextName = config.ContextName,
            Namespace = config.Namespace,
            CertificateAuthorities = config.CertificateAuthorities,
            InsecureSkipTlsVerify = config.InsecureSkipTlsVerify,
            TlsServerName = config.TlsServerName,
            ClientCertificate = clientCertificate,
            BearerToken = token,
            BearerTokenFile = token is null ? tokenFile : null,
            Username = username,
            Password = username is null ? null : password ?? "",
        };
    }

    /// <summary>A certificate with its private key from PEM text; RSA, EC and PKCS#8 keys.</summary>
    internal static X509Certificate2 ClientCertificate(string certPem, string keyPem, string where)
    {
        try
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
            // An ephemeral key cannot always be used by SslStream; a PKCS#12 round trip gives it a persisted form.
            return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException(
                $"{where}: not a PEM certificate with its matching private key (RSA, EC or PKCS#8): {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new KubeConfigException($"{where}: not PEM: {e.Message}", e);
        }
    }

    /// <summary>Reads "NAME-data" (base64) or "NAME" (a file path); -data wins as in kubectl.</summary>
    private static (string Text, string Field)? Pem(NodeReader reader, Entry entry, string name)
    {
        var data = NullIfEmpty(reader.Scalar(entry.Node, name + "-data", entry.Path + "." + name + "-data"));
        if (data is not null)
        {
            try
            {
                return (Encoding.UTF8.GetString(Convert.FromBase64String(data)), name + "-data");
            }
            catch (FormatException)
            {
                throw new KubeConfigException($"{entry.File.Source}: {entry.Path}.{name}-data: not valid base64; encode the PEM file with `base64 -w0 FILE`");
            }
        }

        var path = NullIfEmpty(reader.Scalar(entry.Node, name, entry.Path + "." + name));
        if (path is null)
        {
            return null;
        }

        var full = Path.GetFullPath(path, entry.File.Directory);
        try
        {
            return (File.ReadAllText(full), name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"{entry.File.Source}: {entry.Path}.{name}: cannot read {full}: {e.Message}", e);
        }
    }

    private static string Sources(MergedConfig config) => config.Sources.Length == 0 ? "kubeconfig" : config.Sources;

    private static string Known(Dictionary<string, Entry> entries) =>
        entries.Count == 0 ? " (none is defined)" : $" (defined: {string.Join(", ", entries.Keys.Order(StringComparer.Ordinal))})";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private sealed class ConfigFile(string source, string directory)
    {
        public string Source { get; } = source;

        public string Directory { get; } = directory;

        public string? CurrentContext { get; set; }

        public List<(string Name, YamlMappingNode Node)> Clusters { get; set; } = [];

        public List<(string Name, YamlMappingNode Node)> Users { get; set; } = [];

        public List<(string Name, YamlMappingNode Node)> Contexts { get; set; } = [];
    }

    private sealed record Entry(ConfigFile File, YamlMappingNode Node, string Path);

    private sealed class MergedConfig
    {
        public string? CurrentContext { get; set; }

        public string Sources { get; set; } = "";

        public Dictionary<string, Entry> Clusters { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Entry> Users { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Entry> Contexts { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Reads typed values out of YAML nodes, naming file and field when the shape is wrong.</summary>
    private sealed class NodeReader(string source)
    {
        public string? Scalar(YamlMappingNode map, string key, string path)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                return null;
            }

            return node switch
            {
                YamlScalarNode scalar => scalar.Value,
                _ => throw new KubeConfigException($"{source}: {path}: expected a single value, found a {Shape(node)}"),
            };
        }

        public bool Bool(YamlMappingNode map, string key, string path) =>
            Scalar(map, key, path) switch
            {
                null or "" or "false" or "False" => false,
                "true" or "True" => true,
                var other => throw new KubeConfigException($"{source}: {path}: \"{other}\" is not true or false"),
            };

        /// <summary>A list of {name: N, KEY: {...}} entries, as clusters, users and contexts are written.</summary>
        public List<(string Name, YamlMappingNode Node)> NamedList(YamlMappingNode root, string listKey, string itemKey)
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var node) || node is YamlScalarNode { Value: null or "" or "null" })
            {
                return [];
            }

            if (node is not YamlSequenceNode list)
            {
                throw new KubeConfigException($"{source}: {listKey}: expected a list, found a {Shape(node)}");
            }

            var result = new List<(string, YamlMappingNode)>();
            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = $"{listKey}[{i}]";
                if (list.Children[i] is not YamlMappingNode item)
                {
                    throw new KubeConfigException($"{source}: {path}: expected a mapping with name and {itemKey}");
                }

                var name = Scalar(item, "name", path + ".name");
                if (string.IsNullOrEmpty(name))
                {
                    throw new KubeConfigException($"{source}: {path}.name: missing; every entry of {listKey} needs a name");
                }

                if (!item.Children.TryGetValue(new YamlScalarNode(itemKey), out var body) || body is YamlScalarNode { Value: null or "" })
                {
                    result.Add((name, new YamlMappingNode()));
                    continue;
                }

                if (body is not YamlMappingNode mapping)
                {
                    throw new KubeConfigException($"{source}: {listKey}[\"{name}\"].{itemKey}: expected a mapping, found a {Shape(body)}");
                }

                result.Add((name, mapping));
            }

            return result;
        }

        private static string Shape(YamlNode node) => node switch
        {
            YamlSequenceNode => "list",
            YamlMappingNode => "mapping",
            _ => "value",
        };
    }
}
