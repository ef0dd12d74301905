using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Fluid.Embedded.Hosting;

namespace Fluid.Embedded.Tests.Server;

/// <summary>A real fluidd on a free loopback port, in a temporary data directory.</summary>
public sealed class FluiddFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("fluidd-api-").FullName;

    public FluiddServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FluiddServer.StartAsync(new FluiddOptions
        {
            DataDirectory = DataDirectory,
            Port = 0,
            BookmarkInterval = TimeSpan.FromMilliseconds(300),
            MaxBodyBytes = 256 * 1024,
        });
        Client = CreateClient(Server.Url, Server.CaCertificatePem, Server.Token);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>An HTTP client that trusts only fluidd's CA and sends the token (none when null).</summary>
    public static HttpClient CreateClient(Uri url, string caPem, string? token)
    {
        var ca = X509Certificate2.CreateFromPem(caPem);
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
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}

/// <summary>Small helpers for talking JSON to the API.</summary>
internal static class Http
{
    public static async Task<(HttpStatusCode Code, JsonObject Body)> Send(this HttpClient client, HttpMethod method, string path, object? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var text = body as string ?? ((JsonNode)body).ToJsonString();
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        var node = content.Length > 0 && content.TrimStart().StartsWith('{') ? JsonNode.Parse(content) as JsonObject : null;
        return (response.StatusCode, node ?? new JsonObject { ["raw"] = content });
    }

    public static JsonObject Dataset(string name, string mountPoint = "local:///data", JsonObject? labels = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        return new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "Dataset",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["mounts"] = new JsonArray(new JsonObject { ["mountPoint"] = mountPoint, ["name"] = "data" }) },
        };
    }

    public static JsonObject ConfigMap(string name, string value = "1") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["value"] = value },
    };
}
