using System.CommandLine;

namespace Fluid.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("fluid: datasets from remote storage, cached next to the jobs that read them");
        return root.Parse(args).Invoke();
    }
}
