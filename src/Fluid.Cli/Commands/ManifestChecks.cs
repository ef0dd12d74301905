using Fluid.Api.Serialization;
using Fluid.Api.Validation;

namespace Fluid.Cli.Commands;

/// <summary>Every check a manifest goes through before it is applied, shared by validate and apply.</summary>
internal static class ManifestChecks
{
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
