using System.CommandLine;
using Fluid.Api.Core;
using Fluid.Control.Engines;
using Fluid.Control.Native;
using Fluid.Control.Reconcilers;
using Fluid.Kube;
using Fluid.Kube.Config;
using Fluid.Kube.Controllers;

namespace Fluid.Cli.Commands;

/// <summary>`fluid controller`: the Dataset, runtime and DataLoad reconcilers against an API server, in the foreground.</summary>
internal static class ControllerCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Kubeconfig file; default $KUBECONFIG, then ~/.kube/config, then the in-cluster service account.",
        };
        var context = new Option<string?>("--context")
        {
            Description = "Context of the kubeconfig to use; default its current-context.",
        };
        var leaderElect = new Option<bool>("--leader-elect")
        {
            Description = "Reconcile only while holding the Lease fluid-controller in the client's namespace (run several replicas, one leads).",
        };
        var resync = new Option<string?>("--metadata-resync")
        {
            Description = "List each dataset's sources again this long after the last listing to refresh its total size and file count, e.g. 1h (default: once, as upstream).",
        };
        var command = new Command("controller", """
            Run Fluid's controllers in the foreground (stop with Ctrl-C or SIGTERM): Datasets, every runtime kind the
            engines serve (CacheRuntime class fluid and the classic kinds), and DataLoads. They speak only the
            Kubernetes API, so the same command drives a cluster or fluidd:

              fluid server --data-dir ~/.fluid/server &
              fluid controller --kubeconfig ~/.fluid/server/kubeconfig
            """)
        {
            kubeconfig, context, leaderElect, resync,
        };
        command.SetAction(async (result, ct) =>
        {
            TimeSpan? resyncInterval = null;
            if (result.GetValue(resync) is { } text)
            {
                if (!GoDuration.TryParse(text, out var duration, out var error) || duration.Value < TimeSpan.FromMinutes(1))
                {
                    throw new CliException($"--metadata-resync: \"{text}\" is not a duration of a minute or more, e.g. 30m or 6h{(error is null ? "" : $" ({error})")}");
                }

                resyncInterval = duration.Value;
            }

            KubeClient client;
            try
            {
                client = KubeClient.Create(new KubeConfigLoadOptions { KubeConfigPath = result.GetValue(kubeconfig), Context = result.GetValue(context) });
            }
            catch (KubeConfigException e)
            {
                throw new CliException(e.Message);
            }

            using (client)
            {
                var election = result.GetValue(leaderElect)
                    ? new LeaderElectionOptions { LeaseName = "fluid-controller", Identity = $"{Environment.MachineName}-{Environment.ProcessId}" }
                    : null;
                Console.WriteLine($"fluid controller: {client.Config.Server} ({string.Join(", ", Kinds())})");
                try
                {
                    await RunAsync(client, election, resyncInterval, (key, e) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {key}: {e.Message}"), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }

                Console.WriteLine("fluid controller stopped");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Runs Fluid's controllers with every engine this program has, until cancelled; `fluid server` runs them in-process.</summary>
    public static async Task RunAsync(KubeClient client, LeaderElectionOptions? election, TimeSpan? metadataResync, Action<string, Exception> onError, CancellationToken ct)
    {
        using var statistics = new MasterStatistics();
        var engines = new EngineRegistry();
        NativeEngine.Register(engines, statistics);
        var options = new FluidControllerOptions { OnError = onError, LeaderElection = election, MetadataResyncInterval = metadataResync };
        await new FluidController(client, engines, options).RunAsync(ct).ConfigureAwait(false);
    }

    private static IEnumerable<string> Kinds()
    {
        var engines = new EngineRegistry();
        NativeEngine.Register(engines);
        return engines.Kinds;
    }
}
