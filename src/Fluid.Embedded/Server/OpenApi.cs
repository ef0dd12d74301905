using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Server;

/// <summary>
/// The OpenAPI documents kubectl consults before it writes. They describe operations, not
/// schemas: the v3 documents say which kinds accept PATCH with ?fieldValidation= (so kubectl
/// leaves validation to the server, which validates Fluid's kinds fully), and /openapi/v2 is an
/// empty document (kubectl 1.20 then finds no client-side schema and sends the object as is).
/// </summary>
public static class OpenApi
{
    /// <summary>Media type of the protobuf OpenAPI v2 document kubectl asks for.</summary>
    public const string ProtobufV2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    /// <summary>GET /openapi/v3: one entry per group version.</summary>
    public static JsonObject V3Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var (group, version) in GroupVersions(catalog))
        {
            var key = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(V3(catalog, group, version)!.ToJsonString())));
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>GET /openapi/v3/api/v1 or /openapi/v3/apis/{group}/{version}; null when not served.</summary>
    public static JsonObject? V3(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All.Where(r => r.Group == group && r.Version == version).OrderBy(r => r.Plural, StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var type in types)
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var path = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}/{{name}}" : $"{prefix}/{type.Plural}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["parameters"] = new JsonArray(
                        Query("fieldValidation", "Ignore, Warn or Strict: what to do with unknown fields."),
                        Query("fieldManager", "Name of the actor making the change."),
                        Query("dryRun", "Not supported by fluidd.")),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = type.Kind },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "fluidd", ["version"] = $"v1.{Discovery.KubernetesMinor}.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    /// <summary>GET /openapi/v2 as JSON.</summary>
    public static JsonObject V2() => new()
    {
        ["swagger"] = "2.0",
        ["info"] = new JsonObject { ["title"] = "fluidd", ["version"] = $"v1.{Discovery.KubernetesMinor}.0" },
        ["paths"] = new JsonObject(),
    };

    /// <summary>
    /// GET /openapi/v2 as protobuf (gnostic's openapi_v2.Document): swagger (field 1) and info (field 2: title 1,
    /// version 2), no definitions, so kubectl finds no client-side schema and leaves validation to the server.
    /// </summary>
    public static byte[] V2Protobuf()
    {
        var info = Concat(Field(1, "fluidd"), Field(2, $"v1.{Discovery.KubernetesMinor}.0"));
        return Concat(Field(1, "2.0"), Field(2, info));
    }

    private static byte[] Field(int number, string text) => Field(number, Encoding.UTF8.GetBytes(text));

    // A length-delimited protobuf field (wire type 2); lengths here stay under 128, one varint byte.
    private static byte[] Field(int number, byte[] payload) => payload.Length < 128
        ? Concat([(byte)((number << 3) | 2), (byte)payload.Length], payload)
        : throw new InvalidOperationException("protobuf field too long for a one-byte length");

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static IEnumerable<(string Group, string Version)> GroupVersions(ResourceCatalog catalog) =>
        catalog.All.Select(r => (r.Group, r.Version)).Distinct().OrderBy(g => g.Group, StringComparer.Ordinal);

    private static JsonObject Query(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
