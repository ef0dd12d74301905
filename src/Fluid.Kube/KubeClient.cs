using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Kube.Config;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Kube;

/// <summary>Tuning of a <see cref="KubeClient"/>.</summary>
public sealed class KubeClientOptions
{
    /// <summary>Retries of failed requests.</summary>
    public KubeRetryPolicy Retry { get; init; } = new();

    /// <summary>Bound on each request except watches.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The kinds the client can address.</summary>
    public ResourceRegistry Resources { get; init; } = ResourceRegistry.Default;
}

/// <summary>
/// A client of one API server: <see cref="Resource{T}()"/> gives typed CRUD for Fluid's kinds,
/// <see cref="Resource(string, string)"/> JSON CRUD for any registered kind.
/// </summary>
public sealed class KubeClient : IDisposable
{
    /// <summary>Namespace argument of list and watch meaning "every namespace".</summary>
    public const string AllNamespaces = "";

    /// <summary>Creates a client; it owns one HttpClient for its lifetime.</summary>
    public KubeClient(KubeClientConfig config, KubeClientOptions? options = null)
    {
        options ??= new KubeClientOptions();
        Config = config;
        Resources = options.Resources;
        Transport = new KubeTransport(config, options.Retry, options.RequestTimeout);
    }

    /// <summary>
    /// A client for the kubeconfig kubectl would use (--kubeconfig, KUBECONFIG, ~/.kube/config) or, inside a
    /// pod, the service account; throws <see cref="KubeConfigException"/> naming the file and field when wrong.
    /// </summary>
    public static KubeClient Create(KubeConfigLoadOptions? load = null, KubeClientOptions? options = null) =>
        new(KubeConfigLoader.Load(load), options);

    /// <summary>Where and as whom the client talks.</summary>
    public KubeClientConfig Config { get; }

    /// <summary>Namespace of calls that name none.</summary>
    public string DefaultNamespace => Config.Namespace;

    /// <summary>The kinds the client can address.</summary>
    public ResourceRegistry Resources { get; }

    /// <summary>The HTTP layer (retries, auth, errors).</summary>
    public KubeTransport Transport { get; }

    /// <summary>Typed access to a Fluid.Api kind.</summary>
    public ResourceClient<T> Resource<T>()
        where T : class, IKubeObject => new(this, Resources.For(typeof(T)));

    /// <summary>JSON access to a kind by apiVersion and kind, e.g. ("apps/v1", "StatefulSet").</summary>
    public ResourceClient<JsonObject> Resource(string apiVersion, string kind) => new(this, Resources.For(apiVersion, kind));

    /// <summary>JSON access to a kind by descriptor.</summary>
    public ResourceClient<JsonObject> Resource(ResourceDescriptor descriptor) => new(this, descriptor);

    /// <summary>Access to a kind by descriptor with a chosen representation.</summary>
    public ResourceClient<T> Resource<T>(ResourceDescriptor descriptor)
        where T : class => new(this, descriptor);

    /// <summary>
    /// A container's log (GET /api/v1/namespaces/NS/pods/NAME/log) as the server streams it; with
    /// <see cref="PodLogOptions.Follow"/> the stream stays open until the container exits or the token is
    /// cancelled. The caller disposes the stream. Errors (no such pod or container, several containers and
    /// none named) are <see cref="KubeApiException"/>s with the server's message.
    /// </summary>
    public async Task<Stream> GetPodLogsAsync(string name, string? @namespace = null, PodLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pods = Resources.For("v1", "Pod");
        var ns = string.IsNullOrEmpty(@namespace) ? DefaultNamespace : @namespace;
        var path = pods.Path(ns, name, "log") + (options ?? new PodLogOptions()).Query();
        var response = await Transport.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("Accept", "text/plain, */*");
                return request;
            },
            idempotent: true, streaming: true, cancellationToken).ConfigureAwait(false);
        try
        {
            return new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>A container's log line by line (see <see cref="GetPodLogsAsync"/>); ends when the server ends the stream.</summary>
    public async IAsyncEnumerable<string> ReadPodLogLinesAsync(
        string name, string? @namespace = null, PodLogOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(await GetPodLogsAsync(name, @namespace, options, cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Transport.Dispose();
}
