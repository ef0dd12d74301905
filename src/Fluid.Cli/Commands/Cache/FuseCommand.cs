using System.CommandLine;
using System.Diagnostics;
using Fluid.Cache.Client;
using Fluid.Cache.Ufs;
using Fluid.Embedded.Agent;
using Fluid.Fuse;

namespace Fluid.Cli.Commands.Cache;

/// <summary>
/// `fluid cache fuse`: the dataset as a FUSE mount. By default this process is a small supervisor that
/// mounts, keeps the FUSE connection, and runs the server as a child it restarts in place when it dies.
/// </summary>
internal static class FuseCommand
{
    private const string StandbyVariable = "FLUID_FUSE_STANDBY";

    private static readonly Option<string> Mountpoint = new("--mountpoint") { Description = "Directory to mount the dataset on (it must exist).", Required = true };
    private static readonly Option<string?> Dataset = new("--dataset") { Description = "The dataset (namespace/name) to mount; checked against the one the master serves." };
    private static readonly Option<string[]> MountOptions = new("--option", "-o") { Description = "A mount option passed to libfuse, e.g. allow_other; repeat for several." };
    private static readonly Option<bool> ReadOnly = new("--read-only")
    {
        Description = "Mount read-only even when the dataset's accessModes include ReadWriteMany.",
    };

    private static readonly Option<bool> CreateMountpoint = new("--create-mountpoint")
    {
        Description = "Create the mount point directory (and its parents) when it is missing, as a FUSE container does under its host volume.",
    };

    private static readonly Option<bool> NoSupervisor = new("--no-supervisor")
    {
        Description = "Serve the mount in this process only: no restart in place, the mount dies with the process.",
    };

    public static Command Create()
    {
        var command = CacheCommand.ClientCommand("fuse", """
            Mount the dataset through FUSE and serve it in the foreground (unmounts on Ctrl-C or SIGTERM). The mount
            is read-only unless the dataset's accessModes include ReadWriteMany: then files written, created, renamed
            and removed go through to local:// and s3:// sources (a file is written to the source on close and fsync).
            This process is a supervisor: it keeps the mount's connection open and runs the server as a child with a
            second one standing by. If the server dies, the standby takes the connection over in place: readers wait
            a moment instead of failing with "Transport endpoint is not connected".
            """);
        command.Options.Add(Mountpoint);
        command.Options.Add(Dataset);
        command.Options.Add(MountOptions);
        command.Options.Add(ReadOnly);
        command.Options.Add(CreateMountpoint);
        command.Options.Add(NoSupervisor);
        command.SetAction((result, ct) => CacheCommand.WithClient(result, async client =>
        {
            CheckDataset(result, client);
            var dataset = await client.Master.DatasetAsync(ct).ConfigureAwait(false);
            var writable = !result.GetValue(ReadOnly) && SourceWriter.IsReadWriteMany(dataset);
            var options = new FuseMountOptions { Options = result.GetValue(MountOptions) ?? [], ReadWrite = writable };
            if (InheritedConnection.FromEnvironment() is { } connection)
            {
                return await ServeAsync(connection, client, options, await WriterAsync(result, client, writable, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }

            var directory = result.GetValue(Mountpoint)!;
            if (result.GetValue(CreateMountpoint))
            {
                try
                {
                    Directory.CreateDirectory(directory);
                }
                catch (IOException)
                {
                    // A stale mount of a killed server answers stat with ENOTCONN: it is there, and the mount below clears it.
                }
            }

            return result.GetValue(NoSupervisor)
                ? await ServeAloneAsync(directory, client, options, await WriterAsync(result, client, writable, ct).ConfigureAwait(false), ct).ConfigureAwait(false)
                : await SuperviseAsync(directory, client.Dataset, options, ct).ConfigureAwait(false);
        }, ct));
        return command;
    }

    private static void CheckDataset(ParseResult result, CacheClient client)
    {
        var settings = CacheSettings.From(result);
        if (settings.Text(Dataset) is { } wanted && !string.Equals(wanted, client.Dataset, StringComparison.Ordinal))
        {
            throw new CliException($"--dataset {wanted}: the master serves dataset {client.Dataset}; point --master at the master of {wanted}");
        }
    }

    private static async Task<SourceWriter?> WriterAsync(ParseResult result, CacheClient client, bool writable, CancellationToken ct) =>
        writable
            ? await SourceWriter.OpenAsync(client, new UfsRegistry().AddBuiltInConnectors(), CacheCommand.Secrets(result), ct).ConfigureAwait(false)
            : null;

    private static string Mode(FuseMountOptions options) => options.ReadWrite ? "read-write (ReadWriteMany, written through to the source)" : "read-only";

    private static async Task<int> SuperviseAsync(string directory, string dataset, FuseMountOptions options, CancellationToken ct)
    {
        using var supervisor = Mounted(directory, () => FuseSupervisor.Mount(directory, dataset, options));
        Console.Error.WriteLine($"dataset {dataset} mounted {Mode(options)} on {supervisor.Mountpoint} (supervisor pid {Environment.ProcessId})");
        var code = await supervisor.RunAsync(standby => StartServer(supervisor, standby), new DatasetFileSystemOptions().ReadaheadBytes, ct).ConfigureAwait(false);
        Console.Error.WriteLine($"unmounted {supervisor.Mountpoint}");
        return code;
    }

    // The server runs this same command line in a session of its own, so Ctrl-C reaches the supervisor only.
    private static Process StartServer(FuseSupervisor supervisor, bool standby)
    {
        var (program, prefix) = FluidProgram.Self();
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : program) { UseShellExecute = false, RedirectStandardInput = true };
        start.Environment[StandbyVariable] = standby ? "1" : "0";
        if (start.FileName != program)
        {
            start.ArgumentList.Add(program);
        }

        foreach (var argument in prefix.Concat(Program.Arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in supervisor.ServerEnvironment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new CliException("starting the FUSE server process failed");
    }

    private static async Task<int> ServeAsync(InheritedConnection connection, CacheClient client, FuseMountOptions options, SourceWriter? writer, CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable(StandbyVariable) == "1")
        {
            // Connected and warm; the node table is read only at take-over, after the last server's final entries.
            Console.Error.WriteLine($"fuse server pid {Environment.ProcessId} standing by for {connection.Mountpoint}");
            var command = Console.In.ReadLineAsync(CancellationToken.None).AsTask();
            await Task.WhenAny(command, CacheCommand.WaitForStop(ct)).ConfigureAwait(false);
            if (!command.IsCompleted || command.Result != FuseSupervisor.TakeOverCommand)
            {
                return 0;
            }
        }

        var fileSystem = new DatasetFileSystem(client, new DatasetFileSystemOptions { NodeJournal = connection.NodeJournal, StagingDirectory = Path.Combine(connection.StateDirectory, "staging") }, writer);
        using var mount = FuseMount.Serve(connection, fileSystem, options);
        Console.Error.WriteLine($"fuse server pid {Environment.ProcessId} serving {connection.Mountpoint}");
        await Task.WhenAny(CacheCommand.WaitForStop(ct), mount.Ended).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> ServeAloneAsync(string directory, CacheClient client, FuseMountOptions options, SourceWriter? writer, CancellationToken ct)
    {
        using (var mount = Mounted(directory, () => FuseMount.Mount(directory, new DatasetFileSystem(client, null, writer), options)))
        {
            Console.Error.WriteLine($"dataset {client.Dataset} mounted {Mode(options)} on {mount.Mountpoint}");
            await Task.WhenAny(CacheCommand.WaitForStop(ct), mount.Ended).ConfigureAwait(false);
            if (mount.Ended.IsCompleted)
            {
                Console.Error.WriteLine($"{mount.Mountpoint} was unmounted from outside");
            }
        }

        Console.Error.WriteLine($"unmounted {Path.GetFullPath(directory).TrimEnd('/')}");
        return 0;
    }

    private static T Mounted<T>(string directory, Func<T> mount)
    {
        try
        {
            return mount();
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            throw new CliException($"--mountpoint {directory}: {e.Message}");
        }
    }
}
