using System.CommandLine;
using Fluid.Fuse;

namespace Fluid.Cli.Commands.Cache;

/// <summary>`fluid cache fuse`: the dataset as a read-only FUSE mount, served in the foreground.</summary>
internal static class FuseCommand
{
    public static Command Create()
    {
        var mountpoint = new Option<string>("--mountpoint") { Description = "Directory to mount the dataset on (it must exist).", Required = true };
        var options = new Option<string[]>("--option", "-o") { Description = "A mount option passed to libfuse, e.g. allow_other; repeat for several." };
        var command = CacheCommand.ClientCommand("fuse", "Mount the dataset read-only through FUSE and serve it in the foreground (unmounts on Ctrl-C or SIGTERM).");
        command.Options.Add(mountpoint);
        command.Options.Add(options);
        command.SetAction((result, ct) => CacheCommand.WithClient(result, async client =>
        {
            var directory = result.GetValue(mountpoint)!;
            FuseMount mount;
            try
            {
                mount = FuseMount.Mount(directory, new DatasetFileSystem(client), new FuseMountOptions { Options = result.GetValue(options) ?? [] });
            }
            catch (Exception e) when (e is IOException or ArgumentException)
            {
                throw new CliException($"--mountpoint {directory}: {e.Message}");
            }

            using (mount)
            {
                Console.Error.WriteLine($"dataset {client.Dataset} mounted read-only on {mount.Mountpoint}");
                await Task.WhenAny(CacheCommand.WaitForStop(ct), mount.Ended).ConfigureAwait(false);
                if (mount.Ended.IsCompleted)
                {
                    Console.Error.WriteLine($"{mount.Mountpoint} was unmounted from outside");
                }
            }

            Console.Error.WriteLine($"unmounted {mount.Mountpoint}");
            return 0;
        }, ct));
        return command;
    }
}
