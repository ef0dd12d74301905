using System.CommandLine;
using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>`fluid apply -f`: checks every manifest as `fluid validate` does, then server-side applies them all.</summary>
internal static class ApplyCommand
{
    /// <summary>The field manager fluid's applies own their fields as.</summary>
    public const string FieldManager = "fluid";

    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Manifest files, directories (searched recursively for *.yaml, *.yml, *.json), or - for standard input; repeat -f for several.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var force = new Option<bool>("--force-conflicts")
        {
            Description = "Take over fields another manager (kubectl, a controller) set, instead of failing with a conflict.",
        };
        var command = new Command("apply", """
            Create or update objects from manifests, as `kubectl apply --server-side` does (field manager "fluid"), on the
            local fluidd or a cluster (--kubeconfig/--context). Every document is first checked as `fluid validate` checks
            it; if any has an error, the errors are printed and nothing is applied. Fluid's kinds and the Kubernetes ones
            (Secret, ConfigMap, ...) are applied in the order they are written. Prints what happened to each object:

              dataset.data.fluid.io/demo created | configured | unchanged

            Examples:
              fluid apply -f dataset.yaml
              fluid apply -f examples/                  # every manifest under the directory
              cat runtime.yaml | fluid apply -f -
              fluid apply -f demo.yaml -n team-a        # objects without a namespace go to team-a
            """)
        {
            files, force,
        };
        var cluster = new ClusterOptions(command);
        command.SetAction((result, ct) =>
        {
            // Read and check before connecting: a bad manifest needs no server to be reported.
            var documents = Read(result.GetValue(files) ?? []);
            return ClusterConnection.RunAsync(result, cluster, (connection, token) => ApplyAsync(connection, documents, result.GetValue(force), token), ct);
        });
        return command;
    }

    /// <summary>Reads and checks every document; throws with every error when any is invalid.</summary>
    public static List<ManifestDocument> Read(IEnumerable<string> arguments)
    {
        var paths = ManifestChecks.ExpandPaths(arguments, out var problems);
        var documents = new List<ManifestDocument>();
        var errors = new List<string>(problems);
        foreach (var path in paths)
        {
            foreach (var document in ManifestReader.ReadFile(path))
            {
                ManifestChecks.Run(document);
                foreach (var warning in document.Warnings)
                {
                    Console.Error.WriteLine($"warning: {document.Source}:{document.Display}: {warning}");
                }

                errors.AddRange(document.Errors.Select(e => ManifestChecks.Describe(document, e)));
                documents.Add(document);
            }
        }

        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine(error);
            }

            throw new CliException($"nothing was applied: {(errors.Count == 1 ? "fix the error above" : $"fix the {errors.Count} errors above")} and apply again");
        }

        if (documents.Count == 0)
        {
            throw new CliException("no objects found; give YAML or JSON files, or directories holding them");
        }

        return documents;
    }

    /// <summary>Server-side applies the checked documents, a line per object as kubectl prints; 1 when one was refused.</summary>
    public static async Task<int> ApplyAsync(ClusterConnection connection, List<ManifestDocument> documents, bool force, CancellationToken ct)
    {
        // Every kind is resolved first, so an unknown kind stops the apply before anything is written.
        var planned = new List<(ManifestDocument Document, ResourceDescriptor Kind, JsonObject Body, string Name, string? Namespace)>();
        foreach (var document in documents)
        {
            var body = document.Json!;
            var kind = await connection.KindOfAsync(body["apiVersion"]!.GetValue<string>(), body["kind"]!.GetValue<string>(), ct).ConfigureAwait(false);
            var name = ObjectOutput.Text(body, "metadata.name");
            if (string.IsNullOrEmpty(name))
            {
                throw new CliException($"{document.Source}:{document.Display}: metadata.name is required to apply (generateName cannot be applied); name the object");
            }

            var own = ObjectOutput.Text(body, "metadata.namespace");
            var ns = connection.NamespaceFor(kind, own);
            if (kind.Namespaced && !string.IsNullOrEmpty(own) && own != connection.Namespace && connection.NamespaceWasGiven)
            {
                throw new CliException($"{document.Source}:{document.Display}: the object's namespace \"{own}\" is not --namespace \"{connection.Namespace}\"; drop one of them");
            }

            if (kind.Namespaced)
            {
                ((JsonObject)(body["metadata"] ??= new JsonObject()))["namespace"] = ns;
            }

            planned.Add((document, kind, body, name, ns));
        }

        var failed = false;
        foreach (var (document, kind, body, name, ns) in planned)
        {
            var client = connection.Client.Resource(kind);
            try
            {
                var before = await client.TryGetAsync(name, ns, ct).ConfigureAwait(false);
                var after = await client.ApplyAsync(body, FieldManager, force, ct).ConfigureAwait(false);
                var outcome = before is null ? "created"
                    : ObjectAccess.ResourceVersion(before) == ObjectAccess.ResourceVersion(after) ? "unchanged"
                    : "configured";
                Console.WriteLine($"{ObjectOutput.Reference(kind, name)} {outcome}");
            }
            catch (KubeApiException e) when (e.IsInvalid && e.Causes.Count > 0)
            {
                foreach (var cause in e.Causes)
                {
                    Console.Error.WriteLine($"{document.Source}:{document.Display}: {(string.IsNullOrEmpty(cause.Field) ? "" : cause.Field + ": ")}{cause.Message}");
                }

                failed = true;
            }
            catch (KubeApiException e) when (e.IsConflict && !force)
            {
                Console.Error.WriteLine($"error: {document.Source}:{document.Display}: {e.ApiMessage}; add --force-conflicts to take those fields over");
                failed = true;
            }
            catch (KubeApiException e) when (e.Reason is KubeErrorReason.BadRequest or KubeErrorReason.Invalid or KubeErrorReason.NotFound or KubeErrorReason.Forbidden or KubeErrorReason.AlreadyExists or KubeErrorReason.MethodNotAllowed)
            {
                Console.Error.WriteLine($"error: {document.Source}:{document.Display}: {e.ApiMessage ?? e.Message}");
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }
}
