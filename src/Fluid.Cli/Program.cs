using System.CommandLine;
using Fluid.Cli.Commands;

namespace Fluid.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("fluid: datasets from remote storage, cached next to the jobs that read them.")
        {
            ValidateCommand.Create(),
            CrdsCommand.Create(),
        };

        try
        {
            return root.Parse(args).Invoke();
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("FLUID_DEBUG") != "1")
        {
            Console.Error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine("This is a bug in fluid. Run again with FLUID_DEBUG=1 for the stack trace and report it.");
            return 70;
        }
    }
}

/// <summary>An error the user can fix; printed without a stack trace.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
