using System.CommandLine;
using Fluid.Kube;
using Fluid.Kube.Config;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands;

/// <summary>
/// The options every command that talks to an API server shares (--kubeconfig, --context, -n, and -A where it
/// lists), added to one command.
/// </summary>
internal sealed class ClusterOptions
{
    public ClusterOptions(Command command, bool allNamespaces = false)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
        command.Options.Add(Namespace);
        if (allNamespaces)
        {
            AllNamespaces = new Option<bool>("--all-namespaces", "-A") { Description = "List the objects of every namespace (adds a NAMESPACE column)." };
            command.Options.Add(AllNamespaces);
        }
    }

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig")
    {
        Description = "Use this kubeconfig (a cluster) instead of the local fluidd ($FLUID_HOME/server/kubeconfig).",
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "Use this context of the kubeconfig ($KUBECONFIG or ~/.kube/config unless --kubeconfig names one).",
    };

    public Option<string?> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "Namespace to work in (default: the context's namespace, else \"default\").",
    };

    public Option<bool>? AllNamespaces { get; }
}

/// <summary>
/// Which API server a command talks to: the embedded fluidd of this machine by default
/// ($FLUID_HOME/server/kubeconfig, FLUID_HOME defaulting to ~/.fluid), or the cluster a kubeconfig names
/// when --kubeconfig or --context is given. Turns what can go wrong on the way into messages that say what to do.
/// </summary>
internal sealed class ClusterConnection : IDisposable
{
    private IReadOnlyList<DiscoveredResource>? _discovered;

    private ClusterConnection(KubeClient client, string @namespace, bool namespaceGiven, bool allNamespaces, bool embedded, string? kubeconfigPath)
    {
        Client = client;
        Namespace = @namespace;
        NamespaceWasGiven = namespaceGiven;
        AllNamespaces = allNamespaces;
        Embedded = embedded;
        KubeconfigPath = kubeconfigPath;
    }

    /// <summary>$FLUID_HOME, else ~/.fluid: where fluid keeps the local fluidd and its state.</summary>
    public static string FluidHome =>
        Environment.GetEnvironmentVariable("FLUID_HOME") is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fluid");

    /// <summary>The data directory of the local fluidd (`fluid server --data-dir` of `fluid up`).</summary>
    public static string EmbeddedServerDirectory => Path.Combine(FluidHome, "server");

    /// <summary>The kubeconfig the local fluidd writes when it starts.</summary>
    public static string EmbeddedKubeconfigPath => Path.Combine(EmbeddedServerDirectory, "kubeconfig");

    public KubeClient Client { get; }

    /// <summary>The namespace of objects that name none (-n, else the context's).</summary>
    public string Namespace { get; }

    /// <summary>-n was given (not the context's default).</summary>
    public bool NamespaceWasGiven { get; }

    /// <summary>-A was given: list every namespace.</summary>
    public bool AllNamespaces { get; }

    /// <summary>Talking to the local fluidd rather than a cluster named by a kubeconfig.</summary>
    public bool Embedded { get; }

    /// <summary>The kubeconfig file read (null when KUBECONFIG or ~/.kube/config was searched).</summary>
    public string? KubeconfigPath { get; }

    /// <summary>The server's URL as written in the kubeconfig (no trailing slash).</summary>
    public string Url => Client.Config.Server.ToString().TrimEnd('/');

    /// <summary>How to name the server in messages: "fluidd at URL" or "the API server at URL (context C)".</summary>
    public string ServerName => Embedded
        ? $"fluidd at {Url}"
        : $"the API server at {Url} (context \"{Client.Config.ContextName}\")";

    /// <summary>The namespace to list in: every namespace with -A.</summary>
    public string ListNamespace => AllNamespaces ? KubeClient.AllNamespaces : Namespace;

    /// <summary>Connects as the options say and runs <paramref name="action"/>; every failure the user can fix becomes a <see cref="CliException"/>.</summary>
    public static async Task<int> RunAsync(
        ParseResult result, ClusterOptions options, Func<ClusterConnection, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        using var connection = Open(result, options);
        try
        {
            return await action(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: stop quietly, as kubectl does.
            return 130;
        }
        catch (Exception e) when (connection.Explain(e) is { } message)
        {
            throw new CliException(message);
        }
    }

    /// <summary>Connects to the API server the options name, without sending a request yet.</summary>
    public static ClusterConnection Open(ParseResult result, ClusterOptions options)
    {
        var kubeconfig = result.GetValue(options.Kubeconfig);
        var context = result.GetValue(options.Context);
        var ns = result.GetValue(options.Namespace);
        var all = options.AllNamespaces is { } a && result.GetValue(a);
        if (ns is { Length: > 0 } && Fluid.Api.Validation.Names.Dns1123Label(ns) is { } problem)
        {
            throw new CliException($"--namespace {ns}: a namespace {problem}");
        }

        // A refused connection is retried a little only: a stopped fluidd should be said at once.
        var clientOptions = new KubeClientOptions { Retry = new KubeRetryPolicy { MaxAttempts = 3 } };
        KubeClientConfig config;
        bool embedded;
        try
        {
            if (kubeconfig is not null || context is not null)
            {
                if (kubeconfig is not null && !File.Exists(kubeconfig))
                {
                    throw new CliException($"--kubeconfig {kubeconfig}: no such file; name the kubeconfig of your cluster (or leave --kubeconfig out to use the local fluidd)");
                }

                config = KubeConfigLoader.Load(new KubeConfigLoadOptions { KubeConfigPath = kubeconfig, Context = context, Namespace = ns });
                embedded = false;
            }
            else
            {
                var path = EmbeddedKubeconfigPath;
                if (!File.Exists(path))
                {
                    throw new CliException($"no fluidd is running here (no {path}): start one with 'fluid up -f FILE', or pass --kubeconfig to use a cluster");
                }

                config = KubeConfigLoader.LoadFiles([path], null, ns);
                kubeconfig = path;
                embedded = true;
            }
        }
        catch (KubeConfigException e)
        {
            throw new CliException(e.Message);
        }

        return new ClusterConnection(new KubeClient(config, clientOptions), config.Namespace, !string.IsNullOrEmpty(ns), all, embedded, kubeconfig);
    }

    /// <summary>A connection to the local fluidd through the kubeconfig it wrote (which must exist).</summary>
    public static ClusterConnection OpenEmbedded(TimeSpan? requestTimeout = null)
    {
        var config = KubeConfigLoader.LoadFiles([EmbeddedKubeconfigPath]);
        var options = new KubeClientOptions { Retry = new KubeRetryPolicy { MaxAttempts = 3 }, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) };
        return new ClusterConnection(new KubeClient(config, options), config.Namespace, false, false, true, EmbeddedKubeconfigPath);
    }

    /// <summary>The message for an error the user can act on, or null for a bug.</summary>
    public string? Explain(Exception e) => e switch
    {
        CliException => null,
        HttpRequestException when e.Message.Contains("TLS with", StringComparison.Ordinal) => Embedded
            ? $"{e.Message}. The kubeconfig {KubeconfigPath} is not from the fluidd that answers there: restart it ('fluid up -f FILE') so it writes a fresh one"
            : e.Message,
        HttpRequestException => Embedded
            ? $"cannot reach fluidd at {Url} ({Reason(e)}): it is not running; start it with 'fluid up -f FILE' (its kubeconfig is {KubeconfigPath}), or pass --kubeconfig to use a cluster"
            : $"cannot reach {ServerName} ({Reason(e)}): check that the cluster is up and that --kubeconfig and --context name it",
        KubeApiException { Reason: KubeErrorReason.Unauthorized } api => Embedded
            ? $"fluidd at {Url} refused the token of {KubeconfigPath} ({api.ApiMessage}): the file is from another fluidd; restart it ('fluid up -f FILE') so it writes a fresh one"
            : $"{ServerName} refused the credentials of the kubeconfig ({api.ApiMessage ?? "Unauthorized"}): log in again or fix the user of the context",
        KubeApiException { Reason: KubeErrorReason.Forbidden } api => $"{ServerName} does not allow this: {api.ApiMessage}",
        KubeApiException api => api.ApiMessage ?? api.Message,
        KubeConfigException => e.Message,
        InvalidDataException => $"{ServerName} sent an answer fluid cannot read: {e.Message}",
        IOException => e.Message,
        _ => null,
    };

    /// <summary>The kind a kubectl-style name means (datasets, po, sts, datasets.data.fluid.io, ...), from the client's registry or the server's discovery.</summary>
    public async Task<ResourceDescriptor> ResolveKindAsync(string name, CancellationToken cancellationToken)
    {
        if (ResourceRegistry.Default.Resolve(name) is { } known)
        {
            return known;
        }

        var discovered = ApiDiscovery.Find(await DiscoverAsync(cancellationToken).ConfigureAwait(false), name);
        return discovered?.Descriptor ?? throw new CliException(
            $"the server doesn't have a resource type \"{name}\"; Fluid's are datasets, dataloads, cacheruntimes, thinruntimes, alluxioruntimes, ... "
            + "and the Kubernetes ones pods (po), statefulsets (sts), daemonsets (ds), jobs, pvc, pv, configmaps (cm), secrets, events (ev), nodes (no)");
    }

    /// <summary>The kind of an object's apiVersion and kind, from the client's registry or the server's discovery.</summary>
    public async Task<ResourceDescriptor> KindOfAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        try
        {
            return ResourceRegistry.Default.For(apiVersion, kind);
        }
        catch (ArgumentException)
        {
            var found = (await DiscoverAsync(cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(r => r.Descriptor.ApiVersion == apiVersion && r.Descriptor.Kind == kind);
            return found?.Descriptor ?? throw new CliException(
                $"{ServerName} does not serve kind {kind} of apiVersion {apiVersion}: check apiVersion and kind (is the CRD that defines it installed?)");
        }
    }

    /// <summary>The namespace an object of <paramref name="kind"/> goes to: its own, else -n or the context's.</summary>
    public string? NamespaceFor(ResourceDescriptor kind, string? own) => kind.Namespaced ? string.IsNullOrEmpty(own) ? Namespace : own : null;

    public void Dispose() => Client.Dispose();

    private async Task<IReadOnlyList<DiscoveredResource>> DiscoverAsync(CancellationToken cancellationToken) =>
        _discovered ??= await ApiDiscovery.DiscoverAsync(Client, cancellationToken).ConfigureAwait(false);

    private static string Reason(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost is OperationCanceledException or TimeoutException ? "timed out" : innermost.Message;
    }
}
