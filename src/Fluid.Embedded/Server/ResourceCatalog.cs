using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Embedded.Server;

/// <summary>A column of `kubectl get` (a CRD's additionalPrinterColumn, or one of a built-in kind).</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, int Priority = 0, string? Description = null, string? Format = null);

/// <summary>Where the scale subresource reads and writes replicas.</summary>
public sealed record ScaleSpec(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath, bool SelectorFromSpec = false);

/// <summary>A resource fluidd serves: its URL names, kind, scope, subresources and printer columns.</summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories,
    bool HasStatus,
    ScaleSpec? Scale,
    IReadOnlyList<PrinterColumn> Columns,
    KindInfo? Typed)
{
    /// <summary>Singular name: the kind in lower case.</summary>
    public string Singular => Kind.ToLowerInvariant();

    /// <summary>"group/version", or "v1" for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"plural.group" (or "plural" in the core group): the store's key and the name in messages.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"Kind.group" (or "Kind"), as in 422 messages.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";
}

/// <summary>
/// Every resource fluidd serves: Fluid's kinds from the [KubeResource] types of Fluid.Api (with
/// the printer columns and subresources their CRDs declare) and the core, apps, batch and
/// coordination kinds Fluid's reconcilers create, which are stored as plain JSON.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _byPath = [];

    /// <summary>Builds the catalog from the kinds of a registry plus the built-in kinds.</summary>
    public ResourceCatalog(KindRegistry kinds)
    {
        foreach (var kind in kinds.All.Where(k => k.Resource.Group == FluidResourceAttribute.FluidGroup))
        {
            Add(FromCrd(kind));
        }

        foreach (var builtIn in BuiltIns())
        {
            Add(builtIn);
        }
    }

    /// <summary>Every resource.</summary>
    public IEnumerable<ResourceType> All => _byPath.Values;

    /// <summary>The API groups (other than the core group) with their versions.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions =>
        _byPath.Values.Where(r => r.Group.Length > 0).Select(r => (r.Group, r.Version)).Distinct().OrderBy(g => g.Group, StringComparer.Ordinal);

    /// <summary>The resource served at /apis/group/version/plural (group "" for /api/v1).</summary>
    public ResourceType? Find(string group, string version, string plural) => _byPath.GetValueOrDefault((group, version, plural));

    /// <summary>The resource of a store key ("plural.group").</summary>
    public ResourceType? FindByGroupResource(string groupResource) => _byPath.Values.FirstOrDefault(r => r.GroupResource == groupResource);

    private void Add(ResourceType type) => _byPath[(type.Group, type.Version, type.Plural)] = type;

    private static ResourceType FromCrd(KindInfo kind)
    {
        var crd = CrdGenerator.Generate(kind);
        var version = (JsonObject)crd["spec"]!["versions"]![0]!;
        var columns = (version["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new PrinterColumn(
                c["name"]!.GetValue<string>(),
                c["type"]!.GetValue<string>(),
                c["jsonPath"]!.GetValue<string>(),
                c["priority"]?.GetValue<int>() ?? 0,
                c["description"]?.GetValue<string>(),
                c["format"]?.GetValue<string>()))
            .ToList();
        var resource = kind.Resource;
        var scale = kind.Type.GetCustomAttribute<ScaleSubresourceAttribute>() is { } s
            ? new ScaleSpec(s.SpecReplicasPath, s.StatusReplicasPath, s.LabelSelectorPath)
            : null;
        return new ResourceType(resource.Group, resource.Version, resource.Plural, resource.Kind, kind.Namespaced,
            resource.ShortNames, resource.Categories, kind.Type.GetCustomAttribute<StatusSubresourceAttribute>() is not null,
            scale, columns, kind);
    }

    private static IEnumerable<ResourceType> BuiltIns()
    {
        var workloadScale = new ScaleSpec(".spec.replicas", ".status.replicas", null, SelectorFromSpec: true);
        // Category "all" as kube-apiserver gives it, so `kubectl get all` lists the same kinds.
        string[] all = ["pods", "services", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"];
        ResourceType Core(string plural, string kind, bool namespaced, string[] shortNames, bool status, params PrinterColumn[] columns) =>
            new("", "v1", plural, kind, namespaced, shortNames, all.Contains(plural) ? ["all"] : [], status, null, columns, null);
        ResourceType Named(string group, string plural, string kind, string[] shortNames, bool status, ScaleSpec? scale, params PrinterColumn[] columns) =>
            new(group, "v1", plural, kind, true, shortNames, all.Contains(plural) ? ["all"] : [], status, scale, columns, null);

        yield return Core("pods", "Pod", true, ["po"], true,
            new PrinterColumn("Status", "string", ".status.phase"), new PrinterColumn("IP", "string", ".status.podIP", 1), new PrinterColumn("Node", "string", ".spec.nodeName", 1));
        yield return Core("nodes", "Node", false, ["no"], true,
            new PrinterColumn("Version", "string", ".status.nodeInfo.kubeletVersion"), new PrinterColumn("Internal-IP", "string", ".status.addresses[0].address", 1));
        yield return Core("persistentvolumes", "PersistentVolume", false, ["pv"], true,
            new PrinterColumn("Capacity", "string", ".spec.capacity.storage"), new PrinterColumn("Reclaim Policy", "string", ".spec.persistentVolumeReclaimPolicy"),
            new PrinterColumn("Status", "string", ".status.phase"), new PrinterColumn("Claim", "string", ".spec.claimRef.name"), new PrinterColumn("StorageClass", "string", ".spec.storageClassName"));
        yield return Core("persistentvolumeclaims", "PersistentVolumeClaim", true, ["pvc"], true,
            new PrinterColumn("Status", "string", ".status.phase"), new PrinterColumn("Volume", "string", ".spec.volumeName"), new PrinterColumn("Capacity", "string", ".status.capacity.storage"),
            new PrinterColumn("StorageClass", "string", ".spec.storageClassName"));
        yield return Core("configmaps", "ConfigMap", true, ["cm"], false);
        yield return Core("secrets", "Secret", true, [], false, new PrinterColumn("Type", "string", ".type"));
        yield return Core("services", "Service", true, ["svc"], true,
            new PrinterColumn("Type", "string", ".spec.type"), new PrinterColumn("Cluster-IP", "string", ".spec.clusterIP"));
        yield return Core("events", "Event", true, ["ev"], false,
            new PrinterColumn("Type", "string", ".type"), new PrinterColumn("Reason", "string", ".reason"), new PrinterColumn("Object", "string", ".involvedObject.name"),
            new PrinterColumn("Message", "string", ".message"));
        yield return Core("namespaces", "Namespace", false, ["ns"], true, new PrinterColumn("Status", "string", ".status.phase"));
        yield return Named("apps", "statefulsets", "StatefulSet", ["sts"], true, workloadScale,
            new PrinterColumn("Replicas", "integer", ".spec.replicas"), new PrinterColumn("Ready", "integer", ".status.readyReplicas"));
        yield return Named("apps", "deployments", "Deployment", ["deploy"], true, workloadScale,
            new PrinterColumn("Replicas", "integer", ".spec.replicas"), new PrinterColumn("Ready", "integer", ".status.readyReplicas"), new PrinterColumn("Available", "integer", ".status.availableReplicas"));
        yield return Named("apps", "daemonsets", "DaemonSet", ["ds"], true, null,
            new PrinterColumn("Desired", "integer", ".status.desiredNumberScheduled"), new PrinterColumn("Ready", "integer", ".status.numberReady"));
        yield return Named("batch", "jobs", "Job", [], true, null,
            new PrinterColumn("Completions", "integer", ".spec.completions"), new PrinterColumn("Succeeded", "integer", ".status.succeeded"));
        yield return Named("batch", "cronjobs", "CronJob", ["cj"], true, null,
            new PrinterColumn("Schedule", "string", ".spec.schedule"), new PrinterColumn("Suspend", "boolean", ".spec.suspend"), new PrinterColumn("Last Schedule", "date", ".status.lastScheduleTime"));
        yield return Named("coordination.k8s.io", "leases", "Lease", [], false, null, new PrinterColumn("Holder", "string", ".spec.holderIdentity"));
    }
}

/// <summary>Evaluates the JSONPath subset of printer columns: .a.b, .a[0].b, .a['b.c'].</summary>
public static class SimpleJsonPath
{
    /// <summary>The node at the path, or null when any step is missing.</summary>
    public static JsonNode? Select(JsonNode? node, string path)
    {
        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}'))
        {
            p = p[1..^1];
        }

        var i = 0;
        if (i < p.Length && p[i] == '$')
        {
            i++;
        }

        while (i < p.Length && node is not null)
        {
            if (p[i] == '.')
            {
                var start = ++i;
                while (i < p.Length && p[i] is not ('.' or '['))
                {
                    i++;
                }

                node = (node as JsonObject)?[p[start..i]];
            }
            else if (p[i] == '[')
            {
                var end = p.IndexOf(']', i);
                if (end < 0)
                {
                    return null;
                }

                var inner = p[(i + 1)..end].Trim();
                i = end + 1;
                if (inner.Length >= 2 && inner[0] is '\'' or '"')
                {
                    node = (node as JsonObject)?[inner[1..^1]];
                }
                else if (int.TryParse(inner, out var index))
                {
                    var array = node as JsonArray;
                    if (array is null)
                    {
                        return null;
                    }

                    if (index < 0)
                    {
                        index += array.Count;
                    }

                    node = index >= 0 && index < array.Count ? array[index] : null;
                }
                else
                {
                    return null;
                }
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>A scalar at the path as a JSON value, or null.</summary>
    public static JsonNode? Value(JsonNode? node, string path) =>
        Select(node, path) switch
        {
            JsonValue v => v.DeepClone(),
            JsonArray a when a.Count > 0 => JsonValue.Create(string.Join(",", a.Select(x => x is JsonValue xv && xv.GetValueKind() == JsonValueKind.String ? xv.GetValue<string>() : x?.ToJsonString()))),
            JsonObject o => JsonValue.Create(o.ToJsonString()),
            _ => null,
        };
}
