using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fluid.Kube.Resources;

/// <summary>A resource the server lists in its discovery documents.</summary>
public sealed record DiscoveredResource(ResourceDescriptor Descriptor, IReadOnlyList<string> ShortNames, IReadOnlyList<string> Verbs);

/// <summary>
/// What the server serves, read from its discovery documents (/api/v1, /apis, /apis/GROUP/VERSION) as kubectl
/// does, for kinds the client has no descriptor of (another operator's CRDs, Ingresses, ...).
/// </summary>
public static class ApiDiscovery
{
    /// <summary>Every resource of the core group and of each group's preferred version (subresources left out).</summary>
    public static async Task<IReadOnlyList<DiscoveredResource>> DiscoverAsync(KubeClient client, CancellationToken cancellationToken = default)
    {
        var result = new List<DiscoveredResource>();
        result.AddRange(Resources(await GetAsync(client, "/api/v1", cancellationToken).ConfigureAwait(false), "", "v1"));
        var groups = await GetAsync(client, "/apis", cancellationToken).ConfigureAwait(false);
        foreach (var group in (groups?["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = Text(group, "name");
            var version = Text(group["preferredVersion"] as JsonObject, "version")
                ?? Text((group["versions"] as JsonArray)?.FirstOrDefault() as JsonObject, "version");
            if (name is null || version is null)
            {
                continue;
            }

            try
            {
                result.AddRange(Resources(await GetAsync(client, $"/apis/{name}/{version}", cancellationToken).ConfigureAwait(false), name, version));
            }
            catch (Http.KubeApiException e) when (e.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.NotFound)
            {
                // An aggregated API whose backend is down: kubectl skips it too.
            }
        }

        return result;
    }

    /// <summary>The discovered resource a kubectl-style name means (plural, singular, short name or kind, optionally ".group"), or null.</summary>
    public static DiscoveredResource? Find(IReadOnlyList<DiscoveredResource> resources, string resource)
    {
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? resource : resource[..dot];
        var qualifier = dot < 0 ? null : resource[(dot + 1)..];
        var candidates = resources.Where(r => qualifier is null
            || string.Equals(qualifier, r.Descriptor.Group, StringComparison.OrdinalIgnoreCase)
            || string.Equals(qualifier, $"{r.Descriptor.Version}.{r.Descriptor.Group}".TrimEnd('.'), StringComparison.OrdinalIgnoreCase)).ToList();
        return candidates.FirstOrDefault(r => string.Equals(r.Descriptor.Plural, name, StringComparison.OrdinalIgnoreCase))
            ?? candidates.FirstOrDefault(r => string.Equals(r.Descriptor.Kind, name, StringComparison.OrdinalIgnoreCase))
            ?? candidates.FirstOrDefault(r => r.ShortNames.Contains(name, StringComparer.OrdinalIgnoreCase));
    }

    private static IEnumerable<DiscoveredResource> Resources(JsonObject? list, string group, string version)
    {
        var entries = (list?["resources"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var names = entries.Select(e => Text(e, "name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var plural = Text(entry, "name");
            var kind = Text(entry, "kind");
            if (plural is null || kind is null || plural.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            var descriptor = new ResourceDescriptor(group, version, plural, kind, entry["namespaced"]?.GetValueKind() == JsonValueKind.True)
            {
                HasStatus = names.Contains(plural + "/status"),
                HasScale = names.Contains(plural + "/scale"),
            };
            yield return new DiscoveredResource(descriptor, Strings(entry["shortNames"]), Strings(entry["verbs"]));
        }
    }

    private static async Task<JsonObject?> GetAsync(KubeClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.Transport.SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("Accept", "application/json");
                return request;
            },
            idempotent: true, streaming: false, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"GET {path}: the server's discovery document is not JSON: {e.Message}", e);
        }
    }

    private static string? Text(JsonObject? obj, string field) =>
        obj?[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static List<string> Strings(JsonNode? node) =>
        [.. (node as JsonArray ?? []).OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>())];
}
