using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fluid.Kube.Tests.Support;

/// <summary>A request as the server saw it.</summary>
public sealed record SeenRequest(string Method, string Path, string Query, string? Authorization, string? ContentType, string Body, string? ClientCertificateSubject)
{
    public string PathAndQuery => Path + Query;
}

/// <summary>One scripted answer: status, body and headers, or a body streamed line by line.</summary>
public sealed record Answer(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>Lines written one by one with a flush each (a watch stream).</summary>
    public IReadOnlyList<string>? StreamLines { get; init; }

    /// <summary>Keep the stream open this long after the last line (a watch that idles).</summary>
    public TimeSpan HoldOpen { get; init; }

    /// <summary>Drop the connection without an answer.</summary>
    public bool Abort { get; init; }
}

/// <summary>
/// A real HTTP(S) server on 127.0.0.1 (Kestrel) that answers with responses recorded in the shape a
/// kube-apiserver sends, in the order they were scripted for a method and path; or with a handler.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Method, string PathPrefix, Answer Answer)> _script = new();
    private readonly Func<HttpContext, Task>? _handler;

    private TestApiServer(WebApplication app, Func<HttpContext, Task>? handler)
    {
        _app = app;
        _handler = handler;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public static async Task<TestApiServer> StartAsync(bool https = true, Func<HttpContext, Task>? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (https)
            {
                listen.UseHttps(o =>
                {
                    o.ServerCertificate = TestPki.Instance.Server;
                    o.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    o.AllowAnyClientCertificate();
                });
            }
        }));
        var app = builder.Build();
        var server = new TestApiServer(app, handler);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    /// <summary>Scripts the next answer to a method on a path starting with <paramref name="pathPrefix"/>.</summary>
    public TestApiServer On(string method, string pathPrefix, Answer answer)
    {
        _script.Enqueue((method, pathPrefix, answer));
        return this;
    }

    public TestApiServer On(string method, string pathPrefix, int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        On(method, pathPrefix, new Answer(status, body, headers));

    public int Count(string method, string pathPrefix) =>
        Requests.Count(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        Requests.Enqueue(new SeenRequest(
            request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.Headers.Authorization.FirstOrDefault(),
            request.ContentType, body, context.Connection.ClientCertificate?.Subject));
        if (_handler is not null)
        {
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            await _handler(context);
            return;
        }

        var answer = Next(request.Method, request.Path.Value ?? "");
        if (answer is null)
        {
            context.Response.StatusCode = 599;
            await context.Response.WriteAsync($"test server: nothing scripted for {request.Method} {request.Path}");
            return;
        }

        await WriteAsync(context, answer);
    }

    public static async Task WriteAsync(HttpContext context, Answer answer)
    {
        if (answer.Abort)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.StreamLines is { } lines)
        {
            foreach (var line in lines)
            {
                await context.Response.WriteAsync(line + "\n");
                await context.Response.Body.FlushAsync();
            }

            if (answer.HoldOpen > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(answer.HoldOpen, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return;
        }

        await context.Response.WriteAsync(answer.Body);
    }

    private Answer? Next(string method, string path)
    {
        // Take the first scripted answer for this method and path, keeping the others in order.
        var all = new List<(string Method, string PathPrefix, Answer Answer)>();
        while (_script.TryDequeue(out var item))
        {
            all.Add(item);
        }

        var index = all.FindIndex(s => s.Method == method && path.StartsWith(s.PathPrefix, StringComparison.Ordinal));
        Answer? found = null;
        if (index >= 0)
        {
            found = all[index].Answer;
            all.RemoveAt(index);
        }

        foreach (var item in all)
        {
            _script.Enqueue(item);
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
