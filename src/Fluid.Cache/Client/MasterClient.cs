using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Protocol;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Client;

/// <summary>The master could not be reached or refused a call; the message says what to do.</summary>
public sealed class MasterException(string message, HttpStatusCode? status = null, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The HTTP status, when the master answered.</summary>
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>Calls the master's HTTP API with the runtime's token.</summary>
public sealed class MasterClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    /// <summary>A client of the master at <paramref name="address"/>.</summary>
    public MasterClient(Uri address, string token, TimeSpan? timeout = null)
        : this(address, token, timeout, new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) }, disposeHandler: true)
    {
    }

    /// <summary>A client of the master at <paramref name="address"/> over a handler shared with other clients (not disposed with this one).</summary>
    public MasterClient(Uri address, string token, TimeSpan timeout, HttpMessageHandler handler)
        : this(address, token, timeout, handler, disposeHandler: false)
    {
    }

    private MasterClient(Uri address, string token, TimeSpan? timeout, HttpMessageHandler handler, bool disposeHandler)
    {
        _http = new HttpClient(handler, disposeHandler)
        {
            BaseAddress = address,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The master's address.</summary>
    public Uri Address => _http.BaseAddress!;

    /// <summary>Live workers, block size and dataset.</summary>
    public Task<ClusterView> ClusterAsync(CancellationToken cancellationToken) => GetAsync<ClusterView>("api/v1/cluster", cancellationToken);

    /// <summary>The dataset the runtime serves.</summary>
    public async Task<Dataset> DatasetAsync(CancellationToken cancellationToken)
    {
        var text = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/dataset"), cancellationToken).ConfigureAwait(false);
        return FluidJson.Deserialize<Dataset>(text);
    }

    /// <summary>Sets the dataset (YAML or JSON text of a Dataset).</summary>
    public Task PutDatasetAsync(string manifest, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, "api/v1/dataset") { Content = new StringContent(manifest) }, cancellationToken);

    /// <summary>Registers or refreshes a worker.</summary>
    public async Task<HeartbeatReply> HeartbeatAsync(WorkerHeartbeat beat, CancellationToken cancellationToken)
    {
        var text = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/v1/heartbeat") { Content = JsonContent.Create(beat, options: Json) }, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<HeartbeatReply>(text, Json)!;
    }

    /// <summary>Stat of a dataset path; null when it does not exist.</summary>
    public async Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync<UfsEntry>($"api/v1/stat?path={Uri.EscapeDataString(path)}", cancellationToken).ConfigureAwait(false);
        }
        catch (MasterException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Children of a dataset directory.</summary>
    public Task<List<UfsEntry>> ListAsync(string path, CancellationToken cancellationToken) =>
        GetAsync<List<UfsEntry>>($"api/v1/list?path={Uri.EscapeDataString(path)}", cancellationToken);

    /// <summary>Drops the master's cached metadata at and below a path.</summary>
    public Task RefreshAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/refresh?path={Uri.EscapeDataString(path)}"), cancellationToken);

    /// <summary>The dataset's figures.</summary>
    public Task<DatasetStats> StatsAsync(CancellationToken cancellationToken) => GetAsync<DatasetStats>("api/v1/stats", cancellationToken);

    /// <summary>Reports a data operation's progress; the master keeps the latest report.</summary>
    public Task ReportProgressAsync(string operation, LoadProgress progress, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/operations/{Uri.EscapeDataString(operation)}") { Content = JsonContent.Create(progress, options: Json) }, cancellationToken);

    /// <summary>The latest progress report of a data operation; null when the master has none.</summary>
    public async Task<LoadProgress?> ProgressAsync(string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync<LoadProgress>($"api/v1/operations/{Uri.EscapeDataString(operation)}", cancellationToken).ConfigureAwait(false);
        }
        catch (MasterException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        var text = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(text, Json) ?? throw new MasterException($"the master answered {path} with nothing");
    }

    private async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new MasterException($"cannot reach the master at {Address}: {e.Message}", null, e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MasterException($"the master at {Address} did not answer in time", null, e);
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return text;
                }

                var message = text;
                try
                {
                    message = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString() ?? text;
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                }

                throw new MasterException($"the master refused {request.Method} {request.RequestUri}: {(int)response.StatusCode} {message}", response.StatusCode);
            }
        }
    }
}
