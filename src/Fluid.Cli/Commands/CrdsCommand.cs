using System.CommandLine;
using Fluid.Api.Meta;
using Fluid.Api.Schema;

namespace Fluid.Cli.Commands;

/// <summary>`fluid crds`: the CustomResourceDefinitions of Fluid's kinds, generated from the C# types.</summary>
internal static class CrdsCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--output", "-o")
        {
            Description = "Write one file per kind into this directory (e.g. charts/fluid/crds) instead of printing them all to standard output.",
        };
        var command = new Command("crds", "Generate the CustomResourceDefinitions of data.fluid.io/v1alpha1 from the API types.") { output };
        command.SetAction(result =>
        {
            var kinds = FluidKindsInRegistry();
            var directory = result.GetValue(output);
            if (directory is null)
            {
                Console.Out.Write(string.Concat(kinds.Select(CrdGenerator.Render)));
                return 0;
            }

            foreach (var path in CrdGenerator.WriteAll(kinds, directory.FullName))
            {
                Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, path)}");
            }

            return 0;
        });
        return command;
    }

    private static List<KindInfo> FluidKindsInRegistry() =>
        [.. KindRegistry.Default.All
            .Where(k => k.Resource.Group == FluidResourceAttribute.FluidGroup)
            .OrderBy(k => k.Resource.Plural, StringComparer.Ordinal)];

}
