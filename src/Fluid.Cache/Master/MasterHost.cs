using System.Security.Cryptography;
using System.Text;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Observability;
using Fluid.Cache.Protocol;
using Fluid.Cache.Ufs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fluid.Cache.Master;

/// <summary>
/// The master's HTTP API (JSON) on Kestrel: /healthz, /readyz and /metrics for everyone;
/// /api/v1/... only with the runtime's token as a bearer token.
/// </summary>
public sealed class MasterHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Timer _flush;

    private MasterHost(WebApplication app, MasterService service)
    {
        _app = app;
        Service = service;
        _flush = new Timer(_ => service.Flush(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>The master itself.</summary>
    public MasterService Service { get; }

    /// <summary>The base URL it listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; private init; } = null!;

    /// <summary>Starts a master.</summary>
    public static async Task<MasterHost> StartAsync(MasterService service, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var token = Encoding.UTF8.GetBytes(service.Options.Token);
        var (app, address) = await HttpEndpoint.StartAsync(
            service.Options.Listen,
            () => service.IsReady ? null : "no dataset yet",
            () => Metrics(service),
            app => MapApi(app, service, token)).ConfigureAwait(false);
        return new MasterHost(app, service) { Address = address };
    }

    private static void MapApi(WebApplication app, MasterService service, byte[] token)
    {
        var api = app.MapGroup("/api/v1");
        api.AddEndpointFilter(async (context, next) =>
        {
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header[7..]) : [];
            return CryptographicOperations.FixedTimeEquals(given, token)
                ? await next(context).ConfigureAwait(false)
                : Results.Json(new { error = "wrong or missing token; send the runtime's token as 'Authorization: Bearer TOKEN'" }, statusCode: 401);
        });

        api.MapPost("/heartbeat", (WorkerHeartbeat beat) => service.Heartbeat(beat));
        api.MapGet("/cluster", () => service.Cluster());
        api.MapGet("/dataset", () => service.Dataset is { } d ? Results.Text(FluidJson.Serialize(d), "application/json") : Results.NotFound());
        api.MapPut("/dataset", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var document = ManifestReader.Read(await reader.ReadToEndAsync().ConfigureAwait(false), "request").FirstOrDefault();
            if (document?.Object is not Dataset dataset || document.Errors.Count > 0)
            {
                var problems = document?.Errors.Select(e => e.ToString()) ?? ["the body must be a Dataset in YAML or JSON"];
                return Results.Json(new { error = string.Join("; ", problems) }, statusCode: 422);
            }

            try
            {
                service.SetDataset(dataset);
                return Results.Ok(new { dataset = service.DatasetName });
            }
            catch (Exception e) when (e is DatasetRejectedException or UfsException)
            {
                return Results.Json(new { error = e.Message }, statusCode: 422);
            }
        });
        api.MapGet("/stat", async (string? path, CancellationToken ct) => await Metadata(async () =>
            await service.StatAsync(path ?? "", ct).ConfigureAwait(false) is { } entry ? Results.Ok(entry) : Results.NotFound(new { error = $"{path}: no such file or directory" })).ConfigureAwait(false));
        api.MapGet("/list", async (string? path, CancellationToken ct) => await Metadata(async () =>
            Results.Ok(await service.ListAsync(path ?? "", ct).ConfigureAwait(false))).ConfigureAwait(false));
        api.MapPost("/refresh", (string? path) =>
        {
            service.Refresh(path ?? "");
            return Results.Ok();
        });
        api.MapGet("/stats", () => service.Stats());
        api.MapPost("/operations/{id}", (string id, LoadProgress progress) =>
        {
            if (!IsOperationId(id))
            {
                return Results.Json(new { error = $"\"{id}\" is not an operation id: 1 to 128 letters, digits, '-', '_' or '.'" }, statusCode: 400);
            }

            if (progress.LoadedBytes < 0 || progress.TotalBytes < 0 || progress.LoadedFiles < 0 || progress.TotalFiles < 0 || progress.BytesPerSecond < 0)
            {
                return Results.Json(new { error = "progress figures cannot be negative" }, statusCode: 422);
            }

            service.ReportProgress(id, progress);
            return Results.NoContent();
        });
        api.MapGet("/operations/{id}", (string id) =>
            service.Progress(id) is { } progress ? Results.Ok(progress) : Results.NotFound(new { error = $"no progress of operation {id} has been reported to this master" }));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _flush.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Service.DisposeAsync().ConfigureAwait(false);
    }

    private static bool IsOperationId(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static async Task<IResult> Metadata(Func<Task<IResult>> lookup)
    {
        try
        {
            return await lookup().ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: 503);
        }
        catch (UfsException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: e is UfsVersionChangedException ? 409 : 502);
        }
    }

    private static string Metrics(MasterService service)
    {
        var stats = service.Stats();
        var labels = ("dataset", stats.Dataset);
        return new PrometheusText()
            .Gauge("fluid_dataset_ufs_total_bytes", "Total size of the dataset's sources at the last sync.", stats.UfsTotalBytes, labels)
            .Gauge("fluid_dataset_files", "Files in the dataset's sources at the last sync.", stats.FileCount, labels)
            .Gauge("fluid_dataset_cached_bytes", "Bytes cached by live workers.", stats.CachedBytes, labels)
            .Gauge("fluid_dataset_cache_capacity_bytes", "Cache capacity of live workers.", stats.CapacityBytes, labels)
            .Counter("fluid_dataset_cache_hits_total", "Block reads served from cache.", stats.Hits, labels)
            .Counter("fluid_dataset_cache_misses_total", "Block reads that went to the source.", stats.Misses, labels)
            .Counter("fluid_dataset_bytes_from_cache_total", "Bytes served from cache.", stats.BytesFromCache, labels)
            .Counter("fluid_dataset_bytes_from_source_total", "Bytes read from the source.", stats.BytesFromSource, labels)
            .Gauge("fluid_master_live_workers", "Workers heard from within the expiry.", stats.LiveWorkers, labels)
            .ToString();
    }
}
