using System.CommandLine;
using System.Net;
using Fluid.Cli.Commands.Cache;
using Fluid.Embedded.Agent;
using Fluid.Embedded.Hosting;
using Microsoft.Extensions.Logging;

namespace Fluid.Cli.Commands;

/// <summary>`fluid server`: fluidd, the embedded single-node Kubernetes API server, in the foreground.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Directory for the store (fluidd.db), the TLS CA and server key, the token and the kubeconfig; created when missing and reused on the next start.",
            Required = true,
        };
        var port = new Option<int>("--port")
        {
            Description = "TCP port to listen on (default 6443); 0 picks a free port, which is written into the kubeconfig.",
            DefaultValueFactory = _ => 6443,
        };
        var address = new Option<string>("--address")
        {
            Description = "IP address to listen on (default 127.0.0.1). Anything but loopback exposes the API to the network; it still needs the token.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var noAgent = new Option<bool>("--no-agent")
        {
            Description = "Serve the API only: do not register this machine as a Node nor run pods (StatefulSets, DaemonSets, Jobs) as local processes.",
        };
        var noController = new Option<bool>("--no-controller")
        {
            Description = "Do not run Fluid's controllers in this process (run `fluid controller` against the kubeconfig instead).",
        };
        var nodeName = new Option<string?>("--node-name")
        {
            Description = "Name of the Node the agent registers (default: this machine's hostname).",
        };
        var command = new Command("server", """
            Run fluidd, the embedded single-node Kubernetes API server, in the foreground (stop it with Ctrl-C or SIGTERM).

            It serves Fluid's kinds (data.fluid.io/v1alpha1) and the core, apps, batch and coordination kinds Fluid's
            controllers use, over HTTPS with a bearer token, and keeps them in DIR/fluidd.db. It writes DIR/kubeconfig
            (mode 0600) for kubectl. Unless --no-agent is given, its node agent registers this machine as a Node and
            runs the pods of image `fluid` bound to it as local processes (logs in DIR/agent/pods/). Fluid's controllers
            run in the same process unless --no-controller is given:

              fluid server --data-dir ~/.fluid/server &
              export KUBECONFIG=~/.fluid/server/kubeconfig
              kubectl apply -f examples/ && kubectl get datasets
            """)
        {
            dataDir, port, address, noAgent, noController, nodeName,
        };
        command.SetAction(async (result, ct) =>
        {
            var directory = result.GetValue(dataDir)!;
            var portNumber = result.GetValue(port);
            if (portNumber is < 0 or > 65535)
            {
                throw new CliException($"--port {portNumber} is not a TCP port; use 1-65535, or 0 to pick a free one");
            }

            if (!IPAddress.TryParse(result.GetValue(address), out var ip))
            {
                throw new CliException($"--address \"{result.GetValue(address)}\" is not an IP address; use e.g. 127.0.0.1");
            }

            using var loggers = LoggerFactory.Create(b => b
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                })
                .AddFilter("Microsoft", LogLevel.Warning)
                .SetMinimumLevel(LogLevel.Information));
            FluiddServer server;
            try
            {
                server = await FluiddServer.StartAsync(new FluiddOptions
                {
                    DataDirectory = directory,
                    Port = portNumber,
                    Address = ip,
                    NodeAgent = result.GetValue(noAgent) ? null : new NodeAgentOptions
                    {
                        DataDirectory = Path.Combine(directory, "agent"),
                        NodeName = result.GetValue(nodeName) ?? Environment.MachineName.ToLowerInvariant(),
                    },
                    Controllers = result.GetValue(noController) ? null : (client, stop) =>
                    {
                        var log = loggers.CreateLogger("fluid-controller");
                        return ControllerCommand.RunAsync(client, null, null, (key, e) => log.LogWarning("{Key}: {Message}", key, e.Message), stop);
                    },
                }, loggers, ct).ConfigureAwait(false);
            }
            catch (FluiddStartException e)
            {
                throw new CliException(e.Message);
            }
            catch (PlatformNotSupportedException e)
            {
                throw new CliException(e.Message);
            }

            await using (server.ConfigureAwait(false))
            {
                Console.WriteLine($"fluidd serving {server.Url}");
                Console.WriteLine($"kubeconfig: {server.KubeconfigPath} (export KUBECONFIG={server.KubeconfigPath})");
                Console.WriteLine(server.Agent is { } agent ? $"node agent running pods as Node {agent.NodeName}" : "node agent off (--no-agent)");
                Console.WriteLine(result.GetValue(noController) ? "controllers off (--no-controller)" : "Fluid's controllers running in-process");
                await CacheCommand.WaitForStop(ct).ConfigureAwait(false);
                Console.WriteLine("fluidd stopping");
            }

            return 0;
        });
        return command;
    }
}
