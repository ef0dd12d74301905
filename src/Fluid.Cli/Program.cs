using System.CommandLine;
using Fluid.Cli.Commands;

namespace Fluid.Cli;

internal static class Program
{
    /// <summary>The command line this process was started with (a FUSE supervisor starts its server with the same).</summary>
    internal static IReadOnlyList<string> Arguments { get; private set; } = [];

    public static int Main(string[] args)
    {
        Arguments = args;
        var root = new RootCommand("fluid: datasets from remote storage, cached next to the jobs that read them.")
        {
            ValidateCommand.Create(),
            CrdsCommand.Create(),
            Commands.Cache.CacheCommand.Create(),
            ServerCommand.Create(),
            ControllerCommand.Create(),
            Commands.Cluster.ApplyCommand.Create(),
            Commands.Cluster.GetCommand.Create(),
            Commands.Cluster.DescribeCommand.Create(),
            Commands.Cluster.DeleteCommand.Create(),
            Commands.Cluster.LogsCommand.Create(),
            Commands.Cluster.LoadCommand.Create(),
            UpCommand.Create(),
            UpCommand.CreateDown(),
        };

        try
        {
            // Errors are ours to print (no stack traces); SIGTERM gives servers time to stop cleanly.
            return root.Parse(args).Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            });
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Fluid.Cache.Master.DatasetRejectedException or UnauthorizedAccessException)
        {
            // Unreachable masters, refused tokens, sources that fail, ports in use: the user's to fix.
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
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
