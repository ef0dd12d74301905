using System.CommandLine;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>`fluid logs`: what a pod's container wrote, as `kubectl logs` prints it.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var pod = new Argument<string>("POD") { Description = "The pod (or pod/NAME)." };
        var container = new Option<string?>("--container", "-c") { Description = "The container; needed when the pod has several." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing what the container writes until it exits (or Ctrl-C)." };
        var tail = new Option<long>("--tail")
        {
            Description = "Print only the last N lines (default -1: all).",
            DefaultValueFactory = _ => -1,
        };
        var previous = new Option<bool>("--previous", "-p") { Description = "The log of the container's previous run (before its last restart)." };
        var command = new Command("logs", """
            Print the log of a container of a pod on the local fluidd (which keeps what its node agent's processes write)
            or on a cluster (--kubeconfig/--context).

            Examples:
              fluid logs demo-master-0                  # a pod with one container
              fluid logs demo-worker-0 -c worker --tail 20
              fluid logs demo-load-x7k2p-loader -f      # follow a data load's loader
              fluid logs demo-master-0 --previous       # why did it restart?
            """)
        {
            pod, container, follow, tail, previous,
        };
        var cluster = new ClusterOptions(command);
        command.SetAction((result, ct) => ClusterConnection.RunAsync(result, cluster, async (connection, token) =>
        {
            var name = result.GetValue(pod)!;
            if (name.Contains('/', StringComparison.Ordinal))
            {
                var slash = name.IndexOf('/', StringComparison.Ordinal);
                if (name[..slash] is not ("pod" or "pods" or "po"))
                {
                    throw new CliException($"{name}: fluid logs reads pods; name one as POD or pod/POD (fluid get pods lists them)");
                }

                name = name[(slash + 1)..];
            }

            var lines = result.GetValue(tail);
            var options = new PodLogOptions
            {
                Container = result.GetValue(container),
                Follow = result.GetValue(follow),
                TailLines = lines >= 0 ? lines : null,
                Previous = result.GetValue(previous),
            };
            try
            {
                await using var log = await connection.Client.GetPodLogsAsync(name, connection.Namespace, options, token).ConfigureAwait(false);
                await using var stdout = Console.OpenStandardOutput();
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await log.ReadAsync(buffer, token).ConfigureAwait(false)) > 0)
                {
                    await stdout.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                    await stdout.FlushAsync(token).ConfigureAwait(false);
                }
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                throw new CliException($"pod \"{name}\" not found in namespace \"{connection.Namespace}\" (fluid get pods lists them)");
            }
            catch (HttpRequestException e) when (e.InnerException is IOException && options.Follow)
            {
                // The server ended the stream mid-way (it stopped): what was printed stands.
                Console.Error.WriteLine($"warning: the log stream from {connection.ServerName} ended: {e.Message}");
            }

            return 0;
        }, ct));
        return command;
    }
}
