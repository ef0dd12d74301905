using Fluid.Api.Serialization;
using Fluid.Api.Validation;

namespace Fluid.Cli.Commands;

/// <summary>Every check a manifest goes through before it is applied, shared by validate and apply.</summary>
internal static class ManifestChecks
{
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    /// <summary>
    /// The manifest files of some arguments: files as given, "-" for standard input, directories searched
    /// recursively for *.yaml, *.yml and *.json (in name order); <paramref name="problems"/> says which argument was none of these.
    /// </summary>
    public static List<string> ExpandPaths(IEnumerable<string> arguments, out List<string> problems)
    {
        var files = new List<string>();
        problems = [];
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
                    problems.Add($"{argument}: no *.yaml, *.yml or *.json files in this directory");
                }

                files.AddRange(found);
            }
            else
            {
                problems.Add($"{argument}: no such file or directory");
            }
        }

        return files;
    }

    /// <summary>How a document's error is printed: file:Kind/name: field: message (or file:line: message when unreadable).</summary>
    public static string Describe(ManifestDocument document, FieldIssue error) =>
        document.Object is null && error.Path.Length == 0
            ? $"{document.Source}:{document.Line}: {error.Message}"
            : $"{document.Source}:{document.Display}: {error}";

    /// <summary>Adds the kind's own rules to the shape problems found while reading.</summary>
    public static void Run(ManifestDocument document)
    {
        if (document.Object is null)
        {
            return;
        }

        // A value of the wrong type was dropped while reading; do not report it again as missing.
        var dropped = document.Errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var result = ObjectValidator.Validate(document.Object);
        document.Errors.AddRange(result.Errors.Where(e => !dropped.Contains(e.Path)));
        document.Warnings.AddRange(result.Warnings);
    }
}
