using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Fluid.Cli.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ServerCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fluid-server-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Help_explains_the_options_and_kubeconfig()
    {
        var (code, stdout, _) = FluidProcess.Run(_dir, "server", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--data-dir", stdout, StringComparison.Ordinal);
        Assert.Contains("--port", stdout, StringComparison.Ordinal);
        Assert.Contains("--address", stdout, StringComparison.Ordinal);
        Assert.Contains("KUBECONFIG", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_writes_a_private_kubeconfig_answers_with_the_token_and_stops_on_SIGTERM()
    {
        var data = Path.Combine(_dir, "data");
        using var server = FluidProcess.Start(_dir, "server", "--data-dir", data, "--port", "0");
        var url = WaitForUrl(server);
        var kubeconfig = Path.Combine(data, "kubeconfig");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kubeconfig));
        var config = File.ReadAllText(kubeconfig);
        Assert.Contains($"server: {url.ToString().TrimEnd('/')}", config, StringComparison.Ordinal);
        Assert.Contains("certificate-authority-data: ", config, StringComparison.Ordinal);
        Assert.Contains("current-context: fluid", config, StringComparison.Ordinal);
        Assert.Contains("token: " + File.ReadAllText(Path.Combine(data, "token")).Trim(), config, StringComparison.Ordinal);

        using var client = Client(url, data);
        var version = await client.GetStringAsync("/version");
        Assert.Contains("\"major\":\"1\"", version, StringComparison.Ordinal);
        client.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/namespaces")).StatusCode);

        Assert.Equal(0, server.Terminate(TimeSpan.FromSeconds(20)));
        for (var i = 0; i < 40 && !server.Output.Contains("fluidd stopping", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains("fluidd stopping", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_taken_port_and_an_unusable_data_dir_are_clear_errors()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (code, _, stderr) = FluidProcess.Run(_dir, "server", "--data-dir", Path.Combine(_dir, "busy"), "--port", port);
        Assert.Equal(1, code);
        Assert.Contains($"error: port {port} on 127.0.0.1 is already in use", stderr, StringComparison.Ordinal);

        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "");
        (code, _, stderr) = FluidProcess.Run(_dir, "server", "--data-dir", Path.Combine(file, "data"), "--port", "0");
        Assert.Equal(1, code);
        Assert.Contains("is not writable", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

        (code, _, stderr) = FluidProcess.Run(_dir, "server", "--data-dir", _dir, "--address", "localhost-ish");
        Assert.Equal(1, code);
        Assert.Contains("is not an IP address", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_SIGKILL_and_a_resumed_watch_sees_every_later_event()
    {
        var data = Path.Combine(_dir, "data");
        var acknowledged = new ConcurrentDictionary<string, long>();
        var seenBeforeKill = new ConcurrentDictionary<string, byte>();
        long lastSeen = 0;
        using (var server = FluidProcess.Start(_dir, "server", "--data-dir", data, "--port", "0"))
        {
            var url = WaitForUrl(server);
            using var client = Client(url, data);
            var (_, list) = await Send(client, HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
            lastSeen = long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

            using var watchClient = Client(url, data);
            using var stop = new CancellationTokenSource();
            var watcher = Task.Run(async () =>
            {
                try
                {
                    using var stream = await watchClient.GetStreamAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={lastSeen}", stop.Token);
                    using var reader = new StreamReader(stream);
                    while (await reader.ReadLineAsync(stop.Token) is { } line)
                    {
                        var e = JsonNode.Parse(line)!;
                        seenBeforeKill[e["object"]!["metadata"]!["name"]!.GetValue<string>()] = 0;
                        Volatile.Write(ref lastSeen, long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                {
                }
            });

            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var name = $"w{w}-{i}";
                    try
                    {
                        var (code, body) = await Send(client, HttpMethod.Post, "/api/v1/namespaces/default/configmaps",
                            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name }, ["data"] = new JsonObject { ["i"] = $"{i}" } });
                        if (code == HttpStatusCode.Created)
                        {
                            acknowledged[name] = long.Parse(body["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();

            // Kill once enough writes were acknowledged (a count, not a time: fsyncs on a busy machine are slow).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 50 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await watcher;
        }

        Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} writes were acknowledged before the kill");
        using var restarted = FluidProcess.Start(_dir, "server", "--data-dir", data, "--port", "0");
        var newUrl = WaitForUrl(restarted);
        using var after = Client(newUrl, data);
        var (_, stored) = await Send(after, HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
        var names = stored["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToHashSet();
        var lost = acknowledged.Keys.Where(k => !names.Contains(k)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes were lost: {string.Join(", ", lost.Take(10))}");

        // Resume the watch from the last version it saw: the events after it complete the picture.
        var resumeFrom = Volatile.Read(ref lastSeen);
        var expected = acknowledged.Where(a => a.Value > resumeFrom).Select(a => a.Key).ToHashSet();
        using var resumed = await after.GetStreamAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={resumeFrom}&timeoutSeconds=3");
        using var resumedReader = new StreamReader(resumed);
        var previous = resumeFrom;
        while (await resumedReader.ReadLineAsync() is { } line)
        {
            var e = JsonNode.Parse(line)!;
            Assert.Equal("ADDED", e["type"]!.GetValue<string>());
            var rv = long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(rv > previous, "events must come in resourceVersion order");
            previous = rv;
            expected.Remove(e["object"]!["metadata"]!["name"]!.GetValue<string>());
        }

        Assert.Empty(expected);
        Assert.All(acknowledged.Keys, k => Assert.True(seenBeforeKill.ContainsKey(k) || acknowledged[k] > resumeFrom, $"{k} was neither watched before the kill nor after {resumeFrom}"));
    }

    private static Uri WaitForUrl(FluidDaemon server)
    {
        server.WaitFor("fluidd serving ", TimeSpan.FromSeconds(60));
        return new Uri(UrlPattern().Match(server.Output).Groups[1].Value);
    }

    private static HttpClient Client(Uri url, string dataDirectory)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dataDirectory, "ca.crt")));
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        var client = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(dataDirectory, "token")).Trim());
        return client;
    }

    private static async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpClient client, HttpMethod method, string path, JsonObject? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [GeneratedRegex(@"fluidd serving (https://\S+)")]
    private static partial Regex UrlPattern();
}
