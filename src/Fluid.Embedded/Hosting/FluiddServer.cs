using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;
using Fluid.Embedded.Agent;
using Fluid.Embedded.Server;
using Fluid.Embedded.Storage;
using Fluid.Kube;
using Fluid.Kube.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluid.Embedded.Hosting;

/// <summary>How fluidd runs.</summary>
public sealed class FluiddOptions
{
    /// <summary>Where the store, TLS material, token and kubeconfig live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Address to listen on (loopback by default).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 6443;

    /// <summary>Events kept for resuming watches.</summary>
    public int EventWindow { get; init; } = 50_000;

    /// <summary>How often watches that allow bookmarks get one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body accepted.</summary>
    public long MaxBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>The node agent to start against this server's own kubeconfig; null runs the API alone.</summary>
    public NodeAgentOptions? NodeAgent { get; init; }

    /// <summary>Controllers to run in this process against the server's own kubeconfig (Fluid's reconcilers); they run until the server stops.</summary>
    public Func<KubeClient, CancellationToken, Task>? Controllers { get; init; }
}

/// <summary>A user error starting fluidd (port in use, data directory not writable); the message says what to do.</summary>
public sealed class FluiddStartException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// fluidd: the embedded single-node Kubernetes API server. Serves HTTPS with a bearer token on
/// one address, keeps objects in the data directory and writes a kubeconfig for kubectl there.
/// </summary>
public sealed class FluiddServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private KubeClient? _agentClient;
    private KubeClient? _controllerClient;
    private readonly CancellationTokenSource _stopControllers = new();
    private Task _controllers = Task.CompletedTask;

    private FluiddServer(WebApplication app, ObjectStore store, Uri url, string token, string kubeconfig, string caPem)
    {
        _app = app;
        Store = store;
        Url = url;
        Token = token;
        KubeconfigPath = kubeconfig;
        CaCertificatePem = caPem;
    }

    /// <summary>The store behind the API.</summary>
    public ObjectStore Store { get; }

    /// <summary>https://address:port.</summary>
    public Uri Url { get; }

    /// <summary>The bearer token clients must send.</summary>
    public string Token { get; }

    /// <summary>The kubeconfig written for kubectl.</summary>
    public string KubeconfigPath { get; }

    /// <summary>The CA that issued the server certificate, in PEM.</summary>
    public string CaCertificatePem { get; }

    /// <summary>The node agent, when one was asked for.</summary>
    public NodeAgent? Agent { get; private set; }

    /// <summary>Starts fluidd; throws <see cref="FluiddStartException"/> for problems the user can fix.</summary>
    public static async Task<FluiddServer> StartAsync(FluiddOptions options, ILoggerFactory? loggers = null, CancellationToken cancellation = default)
    {
        loggers ??= NullLoggerFactory.Instance;
        var directory = Path.GetFullPath(options.DataDirectory);
        string token;
        string caPem;
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            token = LoadOrCreateToken(Path.Combine(directory, "token"));
            (caPem, certificate) = Certificates.Ensure(directory, options.Address);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FluiddStartException($"the data directory {directory} is not writable ({e.Message}); choose another with --data-dir or fix its permissions", e);
        }

        ObjectStore store;
        try
        {
            store = ObjectStore.Open(new StoreOptions { DatabasePath = Path.Combine(directory, "fluidd.db"), EventWindow = options.EventWindow });
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new FluiddStartException($"cannot open the store {Path.Combine(directory, "fluidd.db")}: {e.Message}", e);
        }

        try
        {
            Bootstrap(store);
            if (options.NodeAgent is { } previous)
            {
                // Before the API answers: a client must never take an old pod's dying FUSE for the new one.
                NodeAgent.KillLeftovers(previous, loggers.CreateLogger("fluidd-agent"));
            }

            var catalog = new ResourceCatalog(KindRegistry.Default);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "fluidd", ContentRootPath = directory });
            builder.Logging.ClearProviders();

            // The process that embeds fluidd owns Ctrl-C and SIGTERM, not the web host.
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                // KubeApi enforces the limit with a Status; Kestrel's own limit would cut the connection instead.
                kestrel.Limits.MaxRequestBodySize = null;
                kestrel.Listen(options.Address, options.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                });
            });
            var app = builder.Build();
            var api = new KubeApi(store, catalog, new KubeApiOptions
            {
                Token = token,
                MaxBodyBytes = options.MaxBodyBytes,
                BookmarkInterval = options.BookmarkInterval,
                PodLogsDirectory = options.NodeAgent is { } logs ? ContainerLogs.PodsDirectory(Path.GetFullPath(logs.DataDirectory)) : null,
            }, loggers.CreateLogger("fluidd"));
            app.Run(api.HandleAsync);
            try
            {
                await app.StartAsync(cancellation).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new FluiddStartException($"port {options.Port} on {options.Address} is already in use; stop what uses it, or pick another with --port (0 picks a free one)", e);
            }
            catch (SocketException e)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new FluiddStartException($"cannot listen on {options.Address}:{options.Port}: {e.Message}", e);
            }

            var port = BoundPort(app, options.Port);
            var host = options.Address.Equals(IPAddress.Any) ? "127.0.0.1" : options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{options.Address}]" : options.Address.ToString();
            var url = new Uri($"https://{host}:{port}");
            var kubeconfig = Path.Combine(directory, "kubeconfig");
            Secrets.Write(kubeconfig, Kubeconfig(url, caPem, token));
            var server = new FluiddServer(app, store, url, token, kubeconfig, caPem);
            if (options.NodeAgent is { } agent)
            {
                // The agent is a client like any other: it reaches the store only through the API.
                server._agentClient = new KubeClient(KubeConfigLoader.LoadFiles([kubeconfig]));
                try
                {
                    server.Agent = await NodeAgent.StartAsync(server._agentClient, agent, loggers.CreateLogger("fluidd-agent"), cancellation).ConfigureAwait(false);
                }
                catch
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            if (options.Controllers is { } controllers)
            {
                server._controllerClient = new KubeClient(KubeConfigLoader.LoadFiles([kubeconfig]));
                var log = loggers.CreateLogger("fluidd-controllers");
                server._controllers = Task.Run(async () =>
                {
                    try
                    {
                        await controllers(server._controllerClient, server._stopControllers.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (server._stopControllers.IsCancellationRequested)
                    {
                    }
                    catch (Exception e)
                    {
                        log.LogError(e, "controllers stopped: {Message}", e.Message);
                    }
                }, CancellationToken.None);
            }

            return server;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Controllers stop first, so they do not answer the pods the agent is about to stop.
        await _stopControllers.CancelAsync().ConfigureAwait(false);
        await _controllers.ConfigureAwait(false);
        _controllerClient?.Dispose();
        _stopControllers.Dispose();
        if (Agent is not null)
        {
            await Agent.DisposeAsync().ConfigureAwait(false);
        }

        _agentClient?.Dispose();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The kubeconfig text for a server.</summary>
    public static string Kubeconfig(Uri url, string caPem, string token)
    {
        var config = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject
            {
                ["name"] = "fluid",
                ["cluster"] = new JsonObject
                {
                    ["server"] = url.ToString().TrimEnd('/'),
                    ["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem)),
                },
            }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = "fluid", ["user"] = new JsonObject { ["token"] = token } }),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["name"] = "fluid",
                ["context"] = new JsonObject { ["cluster"] = "fluid", ["user"] = "fluid", ["namespace"] = "default" },
            }),
            ["current-context"] = "fluid",
            ["preferences"] = new JsonObject(),
        };
        return YamlDocuments.Write(config);
    }

    private static void Bootstrap(ObjectStore store)
    {
        foreach (var name in (string[])["default", "kube-system", "kube-public", "kube-node-lease"])
        {
            if (store.Get(ObjectStore.NamespacesResource, "", name) is null)
            {
                try
                {
                    store.Create(ObjectStore.NamespacesResource, "", new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "Namespace",
                        ["metadata"] = new JsonObject { ["name"] = name },
                        ["status"] = new JsonObject { ["phase"] = "Active" },
                    });
                }
                catch (ApiException e) when (e.Reason == "AlreadyExists")
                {
                }
            }
        }
    }

    private static string LoadOrCreateToken(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 16)
            {
                return existing;
            }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Secrets.Write(path, token + "\n");
        return token;
    }

    private static int BoundPort(WebApplication app, int requested)
    {
        if (requested != 0)
        {
            return requested;
        }

        var addresses = app.Urls;
        var first = addresses.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no address");
        return new Uri(first.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
