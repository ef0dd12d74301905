using System.CommandLine;
using Fluid.Api.Serialization;

namespace Fluid.Cli.Commands;

/// <summary>`fluid validate`: checks manifests offline, every error with its file, object and field.</summary>
internal static class ValidateCommand
{
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
        var files = ManifestChecks.ExpandPaths(arguments, out var problems);
        foreach (var problem in problems)
        {
            Console.WriteLine(problem);
            failed = true;
        }

        foreach (var file in files)
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
                    Console.WriteLine(ManifestChecks.Describe(document, error));
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
}
