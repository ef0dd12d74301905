using System.CommandLine;
using Fluid.Api.Serialization;

namespace Fluid.Cli.Commands;

/// <summary>`fluid validate`: checks manifests offline, every error with its file, object and field.</summary>
internal static class ValidateCommand
{
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    public static Command Create()
    {
        var paths = new Argument<string[]>("FILE_OR_DIR")
        {
            Description = "Manifest files, directories (searched recursively for *.yaml, *.yml, *.json), or - for standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only errors and warnings, not a line per valid object." };
        var command = new Command("validate", """
            Check Fluid manifests without a cluster: YAML syntax, field names and types, and every rule the
            API server enforces. Prints "OK <kind>/<name>" per valid object, or one line per error:
            <file>:<kind>/<name>: <field path>: <message>. Unknown fields are warnings (on standard error).
            Exit code 0 only when every object is valid.
            """)
        { paths, quiet };
        command.SetAction(result => Run(result.GetValue(paths)!, result.GetValue(quiet)));
        return command;
    }

    private static int Run(string[] arguments, bool quiet)
    {
        var failed = false;
        var objects = 0;
        foreach (var file in ExpandPaths(arguments, ref failed))
        {
            foreach (var document in ManifestReader.ReadFile(file))
            {
                objects++;
                ManifestChecks.Run(document);
                var where = $"{document.Source}:{document.Display}";
                foreach (var warning in document.Warnings)
                {
                    Console.Error.WriteLine($"warning: {where}: {warning}");
                }

                var errors = document.Errors;
                foreach (var error in errors)
                {
                    Console.WriteLine(document.Object is null && error.Path.Length == 0
                        ? $"{document.Source}:{document.Line}: {error.Message}"
                        : $"{where}: {error}");
                }

                failed |= errors.Count > 0;
                if (errors.Count == 0 && !quiet)
                {
                    Console.WriteLine(document.IsTyped
                        ? $"OK {document.Display}"
                        : $"OK {document.Display} (not a Fluid kind: only its YAML and metadata were checked)");
                }
            }
        }

        if (objects == 0 && !failed)
        {
            Console.Error.WriteLine("error: no objects found; give YAML or JSON files, or directories holding them");
            return 1;
        }

        return failed ? 1 : 0;
    }

    private static IEnumerable<string> ExpandPaths(string[] arguments, ref bool failed)
    {
        var files = new List<string>();
        foreach (var argument in arguments)
        {
            if (argument == "-" || File.Exists(argument))
            {
                files.Add(argument);
            }
            else if (Directory.Exists(argument))
            {
                var found = Directory.EnumerateFiles(argument, "*", SearchOption.AllDirectories)
                    .Where(f => ManifestExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                {
                    Console.WriteLine($"{argument}: no *.yaml, *.yml or *.json files in this directory");
                    failed = true;
                }

                files.AddRange(found);
            }
            else
            {
                Console.WriteLine($"{argument}: no such file or directory");
                failed = true;
            }
        }

        return files;
    }
}
