using System.CommandLine;
using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Serialization;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>`fluid delete`: deletes objects by kind and name or from manifests, and waits until they are gone.</summary>
internal static class DeleteCommand
{
    public static Command Create()
    {
        var kind = new Argument<string?>("KIND")
        {
            Description = "Kind of the objects (datasets, dataloads, pods, ...), or KIND/NAME.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var names = new Argument<string[]>("NAME") { Description = "Objects to delete.", Arity = ArgumentArity.ZeroOrMore };
        var files = new Option<string[]>("--filename", "-f") { Description = "Delete the objects these manifests describe (files, directories, or - for standard input)." };
        var wait = new Option<bool>("--wait")
        {
            Description = "Wait until the objects are gone, after their finalizers ran (default true; --wait=false returns at once).",
            DefaultValueFactory = _ => true,
        };
        var timeout = new Option<string>("--timeout")
        {
            Description = "How long to wait, as a duration (30s, 2m); the objects holding on are named when it runs out.",
            DefaultValueFactory = _ => "60s",
        };
        var ignoreNotFound = new Option<bool>("--ignore-not-found") { Description = "An object that does not exist is not an error." };
        var command = new Command("delete", """
            Delete objects on the local fluidd (or a cluster with --kubeconfig/--context), as kubectl does: dependents
            are deleted in the background, and fluid waits until each object is really gone (its finalizers done).
            Prints `dataset.data.fluid.io "demo" deleted` per object.

            Examples:
              fluid delete dataset demo
              fluid delete dataload/demo-load-x7k2p dataset/demo
              fluid delete -f demo.yaml                 # what the manifest describes
              fluid delete dataset demo --timeout 2m    # a dataset waits for its runtime to be torn down
            """)
        {
            kind, names, files, wait, timeout, ignoreNotFound,
        };
        var cluster = new ClusterOptions(command);
        command.SetAction((result, ct) =>
        {
            if (!GoDuration.TryParse(result.GetValue(timeout), out var limit, out var error))
            {
                throw new CliException($"--timeout {result.GetValue(timeout)}: {error}; write a duration such as 30s or 2m");
            }

            var manifests = result.GetValue(files) ?? [];
            var kindText = result.GetValue(kind);
            if ((manifests.Length > 0) == (kindText is not null))
            {
                throw new CliException("name what to delete either as KIND NAME... (or KIND/NAME) or with -f FILE, not both and not neither");
            }

            var documents = manifests.Length > 0 ? ReadManifests(manifests) : null;
            return ClusterConnection.RunAsync(result, cluster, async (connection, token) =>
            {
                var targets = documents is null
                    ? await ByName(connection, kindText!, result.GetValue(names) ?? [], token).ConfigureAwait(false)
                    : await ByManifest(connection, documents, token).ConfigureAwait(false);
                return await DeleteAsync(connection, targets, result.GetValue(wait), limit.Value, result.GetValue(ignoreNotFound), token).ConfigureAwait(false);
            }, ct);
        });
        return command;
    }

    private sealed record Target(ResourceDescriptor Kind, string Name, string? Namespace);

    /// <summary>Deletes what the manifests describe and waits for each object to be gone (`fluid down -f`); 0 when all went.</summary>
    public static async Task<int> DeleteManifestsAsync(ClusterConnection connection, string[] manifests, TimeSpan timeout, CancellationToken ct)
    {
        var targets = await ByManifest(connection, ReadManifests(manifests), ct).ConfigureAwait(false);
        targets.Reverse();
        return await DeleteAsync(connection, targets, wait: true, timeout, ignoreNotFound: true, ct).ConfigureAwait(false);
    }

    private static List<ManifestDocument> ReadManifests(string[] arguments)
    {
        var paths = ManifestChecks.ExpandPaths(arguments, out var problems);
        if (problems.Count > 0)
        {
            throw new CliException(string.Join("; ", problems));
        }

        var documents = paths.SelectMany(p => ManifestReader.ReadFile(p)).ToList();
        var unreadable = documents.Where(d => d.Json?["apiVersion"] is null || d.Json["kind"] is null || ObjectOutput.Text(d.Json, "metadata.name") is null).ToList();
        if (unreadable.Count > 0)
        {
            throw new CliException(string.Join("; ", unreadable.Select(d => $"{d.Source}:{d.Line}: {d.Display} has no apiVersion, kind and metadata.name to delete it by")));
        }

        return documents;
    }

    private static async Task<List<Target>> ByName(ClusterConnection connection, string kind, string[] names, CancellationToken ct)
    {
        var targets = new List<Target>();
        if (!kind.Contains('/', StringComparison.Ordinal))
        {
            if (names.Length == 0)
            {
                throw new CliException($"name the {kind} to delete: fluid delete {kind} NAME (fluid get {kind} lists them)");
            }

            var descriptor = await connection.ResolveKindAsync(kind, ct).ConfigureAwait(false);
            targets.AddRange(names.Select(n => new Target(descriptor, n, connection.NamespaceFor(descriptor, null))));
            return targets;
        }

        foreach (var item in new[] { kind }.Concat(names))
        {
            var slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == item.Length - 1)
            {
                throw new CliException($"\"{item}\": name objects as KIND/NAME (e.g. dataset/demo) when the first argument is one");
            }

            var descriptor = await connection.ResolveKindAsync(item[..slash], ct).ConfigureAwait(false);
            targets.Add(new Target(descriptor, item[(slash + 1)..], connection.NamespaceFor(descriptor, null)));
        }

        return targets;
    }

    private static async Task<List<Target>> ByManifest(ClusterConnection connection, List<ManifestDocument> documents, CancellationToken ct)
    {
        var targets = new List<Target>();
        foreach (var document in documents)
        {
            var json = document.Json!;
            var descriptor = await connection.KindOfAsync(json["apiVersion"]!.GetValue<string>(), json["kind"]!.GetValue<string>(), ct).ConfigureAwait(false);
            targets.Add(new Target(descriptor, ObjectOutput.Text(json, "metadata.name")!, connection.NamespaceFor(descriptor, ObjectOutput.Text(json, "metadata.namespace"))));
        }

        return targets;
    }

    private static async Task<int> DeleteAsync(ClusterConnection connection, List<Target> targets, bool wait, TimeSpan timeout, bool ignoreNotFound, CancellationToken ct)
    {
        var failed = false;
        var pending = new List<(Target Target, string? Uid)>();
        foreach (var target in targets)
        {
            var client = connection.Client.Resource(target.Kind);
            try
            {
                var kept = await client.DeleteAsync(target.Name, target.Namespace, new DeleteOptions { PropagationPolicy = PropagationPolicy.Background }, ct).ConfigureAwait(false);
                Console.WriteLine($"{ObjectOutput.Quoted(target.Kind, target.Name)} deleted");
                if (kept is not null)
                {
                    pending.Add((target, ObjectAccess.Uid(kept)));
                }
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                if (!ignoreNotFound)
                {
                    Console.Error.WriteLine($"error: {GetCommand.NotFound(target.Kind, target.Name, target.Namespace)}");
                    failed = true;
                }
            }
        }

        if (!wait || pending.Count == 0)
        {
            return failed ? 1 : 0;
        }

        var deadline = DateTime.UtcNow + timeout;
        while (pending.Count > 0)
        {
            var still = new List<(Target, string?)>();
            var holding = new List<string>();
            foreach (var (target, uid) in pending)
            {
                var current = await connection.Client.Resource(target.Kind).TryGetAsync(target.Name, target.Namespace, ct).ConfigureAwait(false);
                if (current is not null && (uid is null || ObjectAccess.Uid(current) == uid))
                {
                    still.Add((target, uid));
                    holding.Add(Holding(target, current));
                }
            }

            pending = still;
            if (pending.Count == 0)
            {
                break;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new CliException($"timed out after {GoDuration.FromTimeSpan(timeout).Canonical} waiting for {string.Join("; ", holding)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }

        return failed ? 1 : 0;
    }

    private static string Holding(Target target, JsonObject current)
    {
        var finalizers = ObjectAccess.Finalizers(current);
        var what = ObjectOutput.Quoted(target.Kind, target.Name);
        return finalizers.Count == 0
            ? $"{what} to be deleted: it is still being deleted (its dependents are removed first); wait longer with --timeout"
            : $"{what} to be deleted: it is held by its finalizers [{string.Join(", ", finalizers)}], which the controller that set them removes when its clean-up is done; "
                + $"check that controller is running, or, if none ever will, remove them: kubectl patch {target.Kind.FullName} {target.Name}"
                + (target.Namespace is null ? "" : $" -n {target.Namespace}") + " --type=merge -p '{\"metadata\":{\"finalizers\":null}}'";
    }
}
