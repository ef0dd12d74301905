using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fluid.Cache.Observability;

/// <summary>
/// The HTTP endpoint every cache process serves: /healthz (alive), /readyz (ready, or 503 with the
/// reason), /metrics (Prometheus text), plus whatever routes the process adds.
/// </summary>
public static class HttpEndpoint
{
    /// <summary>Starts Kestrel on <paramref name="listen"/> (port 0 picks one); returns the app and the bound address.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(
        string listen, Func<string?> notReadyReason, Func<string> metrics, Action<WebApplication>? routes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(listen);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 4 << 20);
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => notReadyReason() is { } reason ? Results.Text(reason + "\n", statusCode: 503) : Results.Text("ready\n"));
        app.MapGet("/metrics", () => Results.Text(metrics(), PrometheusText.ContentType));
        routes?.Invoke(app);
        await app.StartAsync().ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, address);
    }
}
