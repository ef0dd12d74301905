using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid.Embedded.Server;
using Fluid.Kube;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>`fluid describe`: one object in readable sections, with its conditions and the events about it.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "Kind (datasets, dataloads, pods, ...), or KIND/NAME." };
        var names = new Argument<string[]>("NAME") { Description = "Objects to describe (default: every one of the kind).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("describe", """
            Show an object the way kubectl describe does: its metadata, spec and status, the status conditions as a
            table, and the events that concern it (newest last). A Dataset also gets a summary of its cache: UFS total
            size, file count, cached bytes, cache capacity, cached percentage, hit ratio, phase, mounts and runtime;
            a data operation (DataLoad, ...) its phase, duration and progress.

            Examples:
              fluid describe dataset demo
              fluid describe dataload/demo-load-x7k2p
              fluid describe pods -n fluid-system       # every pod of the namespace
            """)
        {
            kind, names,
        };
        var cluster = new ClusterOptions(command);
        command.SetAction((result, ct) => ClusterConnection.RunAsync(result, cluster, async (connection, token) =>
        {
            var kindText = result.GetValue(kind)!;
            var targets = new List<(ResourceDescriptor Kind, string? Name)>();
            if (kindText.Contains('/', StringComparison.Ordinal))
            {
                foreach (var item in new[] { kindText }.Concat(result.GetValue(names) ?? []))
                {
                    var slash = item.IndexOf('/', StringComparison.Ordinal);
                    if (slash <= 0 || slash == item.Length - 1)
                    {
                        throw new CliException($"\"{item}\": name objects as KIND/NAME (e.g. dataset/demo) when the first argument is one");
                    }

                    targets.Add((await connection.ResolveKindAsync(item[..slash], token).ConfigureAwait(false), item[(slash + 1)..]));
                }
            }
            else
            {
                var descriptor = await connection.ResolveKindAsync(kindText, token).ConfigureAwait(false);
                var given = result.GetValue(names) ?? [];
                targets.AddRange(given.Length == 0 ? [(descriptor, null)] : given.Select(n => (descriptor, (string?)n)));
            }

            var failed = false;
            var first = true;
            foreach (var (descriptor, name) in targets)
            {
                var client = connection.Client.Resource(descriptor);
                var ns = connection.NamespaceFor(descriptor, null);
                List<JsonObject> objects;
                if (name is null)
                {
                    objects = [.. (await client.ListAsync(null, ns, token).ConfigureAwait(false)).Items];
                    if (objects.Count == 0)
                    {
                        Console.Error.WriteLine(descriptor.Namespaced ? $"No resources found in {ns} namespace." : "No resources found");
                    }
                }
                else
                {
                    try
                    {
                        objects = [await client.GetAsync(name, ns, token).ConfigureAwait(false)];
                    }
                    catch (KubeApiException e) when (e.IsNotFound)
                    {
                        Console.Error.WriteLine($"error: {GetCommand.NotFound(descriptor, name, ns)}");
                        failed = true;
                        continue;
                    }
                }

                foreach (var obj in objects)
                {
                    if (!first)
                    {
                        Console.WriteLine();
                    }

                    first = false;
                    var events = await EventsAsync(connection.Client, descriptor, obj, token).ConfigureAwait(false);
                    Console.Write(Describe(descriptor, obj, events, DateTimeOffset.UtcNow));
                }
            }

            return failed ? 1 : 0;
        }, ct));
        return command;
    }

    /// <summary>The text of one object.</summary>
    public static string Describe(ResourceDescriptor kind, JsonObject obj, IReadOnlyList<JsonObject> events, DateTimeOffset now)
    {
        var text = new StringBuilder();
        var metadata = obj["metadata"] as JsonObject ?? [];
        var top = new List<(string, string)>
        {
            ("Name", Str(metadata["name"]) ?? ""),
        };
        if (kind.Namespaced)
        {
            top.Add(("Namespace", Str(metadata["namespace"]) ?? ""));
        }

        top.Add(("Kind", $"{kind.Kind} ({kind.ApiVersion})"));
        top.Add(("Labels", Pairs(metadata["labels"])));
        top.Add(("Annotations", Pairs(metadata["annotations"], skip: "kubectl.kubernetes.io/last-applied-configuration")));
        top.Add(("Created", When(metadata["creationTimestamp"], now)));
        if (metadata["deletionTimestamp"] is not null)
        {
            top.Add(("Deleting", $"since {When(metadata["deletionTimestamp"], now)}"));
        }

        if (metadata["finalizers"] is JsonArray { Count: > 0 } finalizers)
        {
            top.Add(("Finalizers", string.Join(", ", finalizers.Select(Str))));
        }

        if (metadata["ownerReferences"] is JsonArray { Count: > 0 } owners)
        {
            top.Add(("Controlled By", string.Join(", ", owners.OfType<JsonObject>().Select(o => $"{Str(o["kind"])}/{Str(o["name"])}"))));
        }

        var status = obj["status"] as JsonObject;
        var fluid = kind.Group == "data.fluid.io";
        if (fluid && kind.Kind is "DataLoad" or "DataMigrate" or "DataBackup" or "DataProcess")
        {
            top.Add(("Phase", Str(status?["phase"]) ?? "<none>"));
            top.Add(("Duration", Str(status?["duration"]) ?? "<none>"));
            if (status?["progress"] is JsonObject progress)
            {
                top.Add(("Progress", LoadProgress.Describe(progress)));
            }
        }
        else if (fluid && kind.Kind == "Dataset")
        {
            top.Add(("Phase", Str(status?["phase"]) ?? "<none>"));
            top.Add(("Runtime", status?["runtimes"] is JsonArray { Count: > 0 } runtimes
                ? string.Join(", ", runtimes.OfType<JsonObject>().Select(r =>
                    $"{Str(r["name"])} ({string.Join(", ", new[] { Str(r["type"]), Str(r["category"]), Str(r["namespace"]) }.Where(s => !string.IsNullOrEmpty(s)))})"))
                : "<none> (apply a runtime of the same name to cache it)"));
        }

        Fields(text, top, 0);
        if (fluid && kind.Kind == "Dataset")
        {
            DatasetSummary(text, obj, status);
        }

        if (obj["spec"] is JsonObject spec && spec.Count > 0)
        {
            text.Append("Spec:\n");
            Tree(text, spec, 1);
        }

        foreach (var (key, value) in obj)
        {
            // Kinds without spec/status keep their content at the top (ConfigMap data, Secret type, Event fields).
            if (key is "apiVersion" or "kind" or "metadata" or "spec" or "status" || value is null)
            {
                continue;
            }

            if (key == "data" && kind.Kind == "Secret" && value is JsonObject secretData)
            {
                text.Append("Data:\n");
                Fields(text, [.. secretData.Select(d => (d.Key, $"{(Str(d.Value)?.Length ?? 0) * 3 / 4} bytes"))], 1);
                continue;
            }

            text.Append(Title(key)).Append(':');
            if (value is JsonObject or JsonArray)
            {
                text.Append('\n');
                Tree(text, value, 1);
            }
            else
            {
                text.Append("  ").Append(Scalar(value)).Append('\n');
            }
        }

        if (status is not null)
        {
            var rest = status.Where(s => s.Key != "conditions" && s.Value is not null).ToList();
            if (rest.Count > 0)
            {
                text.Append("Status:\n");
                Tree(text, new JsonObject(rest.Select(r => KeyValuePair.Create(r.Key, r.Value?.DeepClone()))), 1);
            }

            if (status["conditions"] is JsonArray { Count: > 0 } conditions)
            {
                text.Append("Conditions:\n");
                Columns(text, ["Type", "Status", "Reason", "Message", "Last Transition"], conditions.OfType<JsonObject>().Select(c => new[]
                {
                    Str(c["type"]) ?? "",
                    Str(c["status"]) ?? "",
                    Str(c["reason"]) ?? "",
                    Str(c["message"]) ?? "",
                    c["lastTransitionTime"] is { } t ? Age(t, now) + " ago" : "",
                }));
            }
        }

        if (events.Count == 0)
        {
            text.Append("Events:  <none>\n");
        }
        else
        {
            text.Append("Events:\n");
            Columns(text, ["Type", "Reason", "Age", "From", "Message"], events.Select(e => new[]
            {
                Str(e["type"]) ?? "",
                Str(e["reason"]) ?? "",
                EventAge(e, now),
                Str(e["source"]?["component"]) ?? Str(e["reportingComponent"]) ?? "",
                (Str(e["message"]) ?? "").Trim(),
            }));
        }

        return text.ToString();
    }

    private static void DatasetSummary(StringBuilder text, JsonObject dataset, JsonObject? status)
    {
        var cache = status?["cacheStates"] as JsonObject;
        text.Append("Cache:\n");
        Fields(text,
        [
            ("UFS Total Size", Str(status?["ufsTotal"]) ?? "<unknown>"),
            ("Files", Str(status?["fileNum"]) ?? "<unknown>"),
            ("Cached", Str(cache?["cached"]) ?? "<unknown>"),
            ("Cache Capacity", Str(cache?["cacheCapacity"]) ?? "<unknown>"),
            ("Cached Percentage", Str(cache?["cachedPercentage"]) ?? "<unknown>"),
            ("Cache Hit Ratio", Str(cache?["cacheHitRatio"]) ?? "<unknown>"),
        ], 1);
        var mounts = (status?["mounts"] as JsonArray is { Count: > 0 } observed ? observed : dataset["spec"]?["mounts"] as JsonArray) ?? [];
        if (mounts.Count > 0)
        {
            text.Append("Mounts:\n");
            Columns(text, ["Name", "Mount Point", "Path", "Read Only"], mounts.OfType<JsonObject>().Select(m => new[]
            {
                Str(m["name"]) ?? "",
                Str(m["mountPoint"]) ?? "",
                Str(m["path"]) ?? "",
                Scalar(m["readOnly"]) is { Length: > 0 } ro ? ro : "false",
            }));
        }
    }

    private static async Task<List<JsonObject>> EventsAsync(KubeClient client, ResourceDescriptor kind, JsonObject obj, CancellationToken ct)
    {
        var name = ObjectOutput.Name(obj);
        var uid = ObjectAccess.Uid(obj);
        var selector = $"involvedObject.name={name},involvedObject.kind={kind.Kind}" + (string.IsNullOrEmpty(uid) ? "" : $",involvedObject.uid={uid}");
        var ns = kind.Namespaced ? ObjectOutput.Namespace(obj) : KubeClient.AllNamespaces;
        var events = await client.Resource("v1", "Event").ListAsync(new ListOptions { FieldSelector = selector }, ns, ct).ConfigureAwait(false);
        return [.. events.Items.OrderBy(e => Time(e["lastTimestamp"] ?? e["eventTime"] ?? e["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MinValue)];
    }

    private static string EventAge(JsonObject e, DateTimeOffset now)
    {
        var last = e["lastTimestamp"] ?? e["eventTime"] ?? e["metadata"]?["creationTimestamp"];
        var count = e["count"] is JsonValue c && c.TryGetValue<long>(out var n) ? n : 1;
        var age = Age(last, now);
        return count > 1 && e["firstTimestamp"] is { } firstSeen ? $"{age} (x{count} over {Age(firstSeen, now)})" : age;
    }

    private static void Tree(StringBuilder text, JsonNode node, int depth)
    {
        switch (node)
        {
            case JsonObject obj:
                var scalars = new List<(string, string)>();
                foreach (var (key, value) in obj)
                {
                    if (value is JsonObject or JsonArray)
                    {
                        Fields(text, scalars, depth);
                        scalars.Clear();
                        text.Append(' ', depth * 2).Append(Title(key)).Append(':');
                        if (value is JsonObject { Count: 0 } or JsonArray { Count: 0 })
                        {
                            text.Append("  <none>\n");
                            continue;
                        }

                        text.Append('\n');
                        Tree(text, value, depth + 1);
                    }
                    else if (value is not null)
                    {
                        scalars.Add((Title(key), Scalar(value)));
                    }
                }

                Fields(text, scalars, depth);
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is JsonObject or JsonArray)
                    {
                        // Items of a list of objects start with "- " so one item is told from the next.
                        var nested = new StringBuilder();
                        Tree(nested, item, depth);
                        var lines = nested.ToString();
                        text.Append(' ', Math.Max(0, (depth * 2) - 2)).Append("- ");
                        text.Append(lines.Length > depth * 2 ? lines.AsSpan(depth * 2) : "<none>\n");
                    }
                    else
                    {
                        text.Append(' ', depth * 2).Append(Scalar(item)).Append('\n');
                    }
                }

                break;
        }
    }

    private static void Fields(StringBuilder text, IReadOnlyList<(string Key, string Value)> fields, int depth)
    {
        if (fields.Count == 0)
        {
            return;
        }

        var width = fields.Max(f => f.Key.Length) + 3;
        var continuation = "\n" + new string(' ', (depth * 2) + width);
        foreach (var (key, value) in fields)
        {
            // A value of several lines (labels, annotations) continues under its first line.
            text.Append(' ', depth * 2).Append(value.Length == 0 ? key + ":" : (key + ":").PadRight(width) + value.Replace("\n", continuation, StringComparison.Ordinal)).Append('\n');
        }
    }

    private static void Columns(StringBuilder text, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length)) + 3).ToArray();
        void Line(IReadOnlyList<string> cells)
        {
            text.Append("  ");
            for (var i = 0; i < cells.Count; i++)
            {
                text.Append(i < cells.Count - 1 ? cells[i].PadRight(widths[i]) : cells[i]);
            }

            text.Append('\n');
        }

        Line(headers);
        Line([.. headers.Select(h => new string('-', h.Length))]);
        foreach (var row in all)
        {
            Line(row);
        }
    }

    /// <summary>"accessModes" → "Access Modes", "ufsTotal" → "Ufs Total", as kubectl titles fields.</summary>
    private static string Title(string key)
    {
        var text = new StringBuilder(key.Length + 4);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (i == 0)
            {
                text.Append(char.ToUpperInvariant(c));
                continue;
            }

            // A word starts at an upper-case letter after a lower-case one, or at the last capital of an acronym
            // followed by a word ("URLPath"), but not at the plural "s" of one ("podIPs" → "Pod IPs").
            var next = i + 1 < key.Length ? key[i + 1] : '\0';
            var pluralAcronym = next == 's' && (i + 2 == key.Length || char.IsUpper(key[i + 2]));
            var boundary = char.IsUpper(c) && (!char.IsUpper(key[i - 1]) || (char.IsLower(next) && !pluralAcronym));
            if (boundary)
            {
                text.Append(' ');
            }

            text.Append(c);
        }

        return text.ToString();
    }

    private static string Pairs(JsonNode? node, string? skip = null)
    {
        var pairs = (node as JsonObject ?? []).Where(p => p.Key != skip).Select(p => $"{p.Key}={Scalar(p.Value)}").ToList();
        return pairs.Count == 0 ? "<none>" : string.Join("\n", pairs);
    }

    private static string When(JsonNode? node, DateTimeOffset now) =>
        Time(node) is { } time ? $"{time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} ({TableWriter.HumanDuration(now - time)} ago)" : "<unknown>";

    private static string Age(JsonNode? node, DateTimeOffset now) => Time(node) is { } time ? TableWriter.HumanDuration(now - time) : "<unknown>";

    private static DateTimeOffset? Time(JsonNode? node) =>
        Str(node) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
