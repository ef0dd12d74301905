using System.CommandLine;
using System.Text.Json.Nodes;
using Fluid.Kube;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;
using Fluid.Kube.Watch;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>`fluid get`: lists objects with the columns the server prints for kubectl, or prints them as YAML, JSON or names.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND")
        {
            Description = "What to list: datasets (dataset), dataloads (load), cacheruntimes, thinruntimes, alluxioruntimes (alluxio), ..., "
                + "pods (po), statefulsets (sts), daemonsets (ds), jobs, pvc, pv, configmaps (cm), secrets, events (ev), nodes (no); or KIND/NAME.",
        };
        var names = new Argument<string[]>("NAME") { Description = "Objects to show (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "wide (every column, as kubectl -o wide), yaml, json or name." };
        var watch = new Option<bool>("--watch", "-w") { Description = "After listing, print each change as it happens, until Ctrl-C." };
        var selector = new Option<string?>("--selector", "-l") { Description = "Only objects whose labels match, e.g. -l app=fluid,role!=worker." };
        var command = new Command("get", """
            List objects as kubectl does, from the local fluidd (or a cluster with --kubeconfig/--context). The columns
            are the ones the server prints for `kubectl get` (a CRD's printer columns), so `fluid get datasets` shows
            UFS TOTAL SIZE, CACHED, CACHE CAPACITY, CACHED PERCENTAGE, PHASE and AGE.

            Examples:
              fluid get datasets                   # the datasets of the current namespace
              fluid get dataset demo -o yaml       # one dataset, every field
              fluid get datasets -o wide -A        # every column, every namespace
              fluid get dataloads -w               # follow data loads as they run (Ctrl-C stops)
              fluid get pods -l app=fluid -n fluid-system
            """)
        {
            kind, names, output, watch, selector,
        };
        var cluster = new ClusterOptions(command, allNamespaces: true);
        command.SetAction((result, ct) => ClusterConnection.RunAsync(result, cluster, (connection, token) => RunAsync(
            connection,
            new Request(result.GetValue(kind)!, result.GetValue(names) ?? [], Format(result.GetValue(output)), result.GetValue(watch), result.GetValue(selector)),
            token), ct));
        return command;
    }

    private enum OutputFormat
    {
        Table,
        Wide,
        Yaml,
        Json,
        Name,
    }

    private sealed record Request(string Kind, string[] Names, OutputFormat Output, bool Watch, string? Selector);

    private static OutputFormat Format(string? output) => output switch
    {
        null or "" => OutputFormat.Table,
        "wide" => OutputFormat.Wide,
        "yaml" => OutputFormat.Yaml,
        "json" => OutputFormat.Json,
        "name" => OutputFormat.Name,
        _ => throw new CliException($"--output {output} is not a format fluid prints; use wide, yaml, json or name"),
    };

    private static async Task<int> RunAsync(ClusterConnection connection, Request request, CancellationToken ct)
    {
        var targets = await Targets(connection, request, ct).ConfigureAwait(false);
        if (request.Watch && (targets.Count > 1 || targets[0].Names.Count > 1))
        {
            throw new CliException("--watch follows one kind and at most one name; run one fluid get -w per object");
        }

        var failed = false;
        foreach (var (kind, names) in targets)
        {
            var client = connection.Client.Resource(kind);
            var ns = names.Count > 0 ? connection.NamespaceFor(kind, null) : kind.Namespaced ? connection.ListNamespace : null;
            var allNamespaces = kind.Namespaced && names.Count == 0 && connection.AllNamespaces;
            failed |= request.Output is OutputFormat.Table or OutputFormat.Wide
                ? await PrintTableAsync(connection, client, kind, names, ns, allNamespaces, request, ct).ConfigureAwait(false)
                : await PrintObjectsAsync(connection, client, kind, names, ns, request, ct).ConfigureAwait(false);
        }

        return failed ? 1 : 0;
    }

    private static async Task<List<(ResourceDescriptor Kind, List<string> Names)>> Targets(ClusterConnection connection, Request request, CancellationToken ct)
    {
        var result = new List<(ResourceDescriptor, List<string>)>();
        if (!request.Kind.Contains('/', StringComparison.Ordinal))
        {
            result.Add((await connection.ResolveKindAsync(request.Kind, ct).ConfigureAwait(false), [.. request.Names]));
            return result;
        }

        foreach (var item in new[] { request.Kind }.Concat(request.Names))
        {
            var slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == item.Length - 1)
            {
                throw new CliException($"\"{item}\": name objects as KIND/NAME (e.g. dataset/demo) when the first argument is one");
            }

            var kind = await connection.ResolveKindAsync(item[..slash], ct).ConfigureAwait(false);
            var index = result.FindIndex(r => r.Item1 == kind);
            if (index < 0)
            {
                result.Add((kind, [item[(slash + 1)..]]));
            }
            else
            {
                result[index].Item2.Add(item[(slash + 1)..]);
            }
        }

        return result;
    }

    private static async Task<bool> PrintTableAsync(
        ClusterConnection connection, ResourceClient<JsonObject> client, ResourceDescriptor kind, List<string> names, string? ns, bool allNamespaces, Request request, CancellationToken ct)
    {
        var printer = new TablePrinter(Console.Out, request.Output == OutputFormat.Wide, allNamespaces);
        var failed = false;
        string? version = null;
        var rows = 0;
        if (names.Count > 0)
        {
            var combined = new Table();
            foreach (var name in names)
            {
                try
                {
                    var table = await client.GetTableAsync(name, ns, ct).ConfigureAwait(false);
                    combined.ColumnDefinitions = table.ColumnDefinitions;
                    combined.Rows.AddRange(table.Rows);
                    version = table.ResourceVersion;
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                    Console.Error.WriteLine($"error: {NotFound(kind, name, ns)}");
                    failed = true;
                }
            }

            rows = combined.Rows.Count;
            printer.Print(combined);
        }
        else
        {
            string? next = null;
            do
            {
                var page = await client.ListTableAsync(new ListOptions { LabelSelector = request.Selector, Limit = 500, Continue = next }, ns, ct).ConfigureAwait(false);
                version ??= page.Metadata.ResourceVersion;
                if (page.Rows.Count > 0)
                {
                    printer.Print(page);
                }

                rows += page.Rows.Count;
                next = string.IsNullOrEmpty(page.Metadata.Continue) ? null : page.Metadata.Continue;
            }
            while (next is not null);
        }

        if (rows == 0 && names.Count == 0 && !request.Watch)
        {
            Console.Error.WriteLine(kind.Namespaced && !allNamespaces ? $"No resources found in {ns} namespace." : "No resources found");
        }

        if (request.Watch && !failed)
        {
            await WatchTableAsync(connection, client, names.SingleOrDefault(), ns, version, request, printer, ct).ConfigureAwait(false);
        }

        return failed;
    }

    private static async Task WatchTableAsync(
        ClusterConnection connection, ResourceClient<JsonObject> client, string? name, string? ns, string? version, Request request, TablePrinter printer, CancellationToken ct)
    {
        var fields = name is null ? null : $"metadata.name={name}";
        while (!ct.IsCancellationRequested)
        {
            await foreach (var change in client.WatchTableAsync(new WatchOptions { ResourceVersion = version, LabelSelector = request.Selector, FieldSelector = fields }, ns, ct).ConfigureAwait(false))
            {
                if (change.Type == WatchEventType.Error)
                {
                    if (change.Status?.Code != 410)
                    {
                        throw new CliException($"the watch of {client.Descriptor.FullName} on {connection.ServerName} failed: {change.Status?.Message}");
                    }

                    // Too old to resume from: start again from now (what changed meanwhile is not printed).
                    version = (await client.ListTableAsync(new ListOptions { LabelSelector = request.Selector, FieldSelector = fields, Limit = 1 }, ns, ct).ConfigureAwait(false)).Metadata.ResourceVersion;
                    break;
                }

                version = change.ResourceVersion ?? version;
                if (change.Type != WatchEventType.Bookmark && change.Object is { } table)
                {
                    printer.Print(table);
                }
            }
        }
    }

    private static async Task<bool> PrintObjectsAsync(
        ClusterConnection connection, ResourceClient<JsonObject> client, ResourceDescriptor kind, List<string> names, string? ns, Request request, CancellationToken ct)
    {
        var objects = new List<JsonObject>();
        var failed = false;
        string? version = null;
        if (names.Count > 0)
        {
            foreach (var name in names)
            {
                try
                {
                    objects.Add(await client.GetAsync(name, ns, ct).ConfigureAwait(false));
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                    Console.Error.WriteLine($"error: {NotFound(kind, name, ns)}");
                    failed = true;
                }
            }

            version = objects.Count > 0 ? ObjectAccess.ResourceVersion(objects[^1]) : null;
        }
        else
        {
            var list = await client.ListAsync(new ListOptions { LabelSelector = request.Selector }, ns, ct).ConfigureAwait(false);
            objects.AddRange(list.Items);
            version = list.Metadata.ResourceVersion;
        }

        switch (request.Output)
        {
            case OutputFormat.Name:
                foreach (var obj in objects)
                {
                    Console.WriteLine(ObjectOutput.Reference(kind, ObjectOutput.Name(obj)));
                }

                break;
            case OutputFormat.Yaml or OutputFormat.Json when objects.Count > 0 || names.Count == 0:
                JsonObject shown = names.Count == 1 && objects.Count == 1 ? objects[0] : ObjectOutput.List(objects);
                Console.Write(request.Output == OutputFormat.Yaml ? ObjectOutput.Yaml(shown) : ObjectOutput.Json(shown));
                break;
        }

        if (request.Watch && !failed)
        {
            var fields = names.Count == 1 ? $"metadata.name={names[0]}" : null;
            while (!ct.IsCancellationRequested)
            {
                await foreach (var change in client.WatchAsync(new WatchOptions { ResourceVersion = version, LabelSelector = request.Selector, FieldSelector = fields }, ns, ct).ConfigureAwait(false))
                {
                    if (change.Type == WatchEventType.Error)
                    {
                        throw new CliException($"the watch of {kind.FullName} on {connection.ServerName} failed: {change.Status?.Message}");
                    }

                    version = change.ResourceVersion ?? version;
                    if (change.Type == WatchEventType.Bookmark || change.Object is not { } obj)
                    {
                        continue;
                    }

                    Console.Write(request.Output switch
                    {
                        OutputFormat.Name => ObjectOutput.Reference(kind, ObjectOutput.Name(obj)) + "\n",
                        OutputFormat.Yaml => "---\n" + ObjectOutput.Yaml(obj),
                        _ => ObjectOutput.Json(obj),
                    });
                    Console.Out.Flush();
                }
            }
        }

        return failed;
    }

    /// <summary>"datasets.data.fluid.io "x" not found in namespace "default"".</summary>
    public static string NotFound(ResourceDescriptor kind, string name, string? ns) =>
        kind.Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{kind.FullName} \"{name}\" not found in namespace \"{ns}\""
            : $"{kind.FullName} \"{name}\" not found";
}
