using System.Text.Json.Nodes;

namespace Fluid.Embedded.Server;

/// <summary>The discovery documents kubectl reads: /api, /apis, the resource lists and /version.</summary>
public static class Discovery
{
    /// <summary>The Kubernetes version fluidd answers like (the API conventions it follows).</summary>
    public const string KubernetesMinor = "32";

    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    /// <summary>GET /api.</summary>
    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary>GET /apis.</summary>
    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. catalog.GroupVersions.Select(g => (JsonNode)Group(g.Group, g.Version))]),
    };

    /// <summary>GET /apis/{group}.</summary>
    public static JsonObject? GroupDocument(ResourceCatalog catalog, string group)
    {
        var version = catalog.GroupVersions.FirstOrDefault(g => g.Group == group).Version;
        if (version is null)
        {
            return null;
        }

        var document = Group(group, version);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    /// <summary>GET /api/v1 or /apis/{group}/{version}; null when nothing is served there.</summary>
    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All.Where(r => r.Group == group && r.Version == version).OrderBy(r => r.Plural, StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in types)
        {
            var resource = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
            };
            if (type.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]);
            }

            if (type.Categories.Count > 0)
            {
                resource["categories"] = new JsonArray([.. type.Categories.Select(s => (JsonNode)s)]);
            }

            resources.Add(resource);
            if (type.HasStatus)
            {
                resources.Add(Subresource(type, "status", null, type.Kind));
            }

            if (type.Scale is not null)
            {
                resources.Add(Subresource(type, "scale", "autoscaling", "Scale"));
            }

            if (type.GroupResource == "pods")
            {
                var log = Subresource(type, "log", null, "Pod");
                log["verbs"] = new JsonArray("get");
                resources.Add(log);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>GET /version.</summary>
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = KubernetesMinor,
        ["gitVersion"] = $"v1.{KubernetesMinor}.0-fluidd",
        ["gitCommit"] = "",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "",
        ["goVersion"] = "",
        ["compiler"] = "dotnet",
        ["platform"] = $"linux/{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}",
    };

    private static JsonObject Group(string group, string version)
    {
        var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(groupVersion),
            ["preferredVersion"] = groupVersion.DeepClone(),
        };
    }

    private static JsonObject Subresource(ResourceType type, string name, string? group, string kind)
    {
        var resource = new JsonObject
        {
            ["name"] = $"{type.Plural}/{name}",
            ["singularName"] = "",
            ["namespaced"] = type.Namespaced,
        };
        if (group is not null)
        {
            resource["group"] = group;
            resource["version"] = "v1";
        }

        resource["kind"] = kind;
        resource["verbs"] = new JsonArray([.. SubresourceVerbs.Select(v => (JsonNode)v)]);
        return resource;
    }
}
