using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Client;
using Fluid.Cache.Master;
using Fluid.Cache.Namespace;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;
using Fluid.Cache.Worker;
using Fluid.Control.Naming;
using Fluid.Control.Status;
using Microsoft.Extensions.Logging;

namespace Fluid.Cli.Commands.Cache;

/// <summary>`fluid cache ...` (also installed as `fluid-cache`): the native cache engine's processes and a client.</summary>
internal static class CacheCommand
{
    // A person watching a load by hand wants a line every few seconds, not every report to the master.
    private static readonly TimeSpan ProgressPrintInterval = TimeSpan.FromSeconds(2);

    private static readonly Option<string?> DataDir = new("--data-dir") { Description = "Directory for the master's state (kept across restarts)." };
    private static readonly Option<string?> Listen = new("--listen") { Description = "Master: HTTP URL to listen on (default http://127.0.0.1:19998). Worker: host:port of the data endpoint (default 127.0.0.1:29999; port 0 picks one)." };
    private static readonly Option<string?> TokenFile = new("--token-file") { Description = "File holding the runtime's token; workers, clients and the master must share it." };
    private static readonly Option<string?> DatasetFile = new("--dataset-file") { Description = "Master: YAML or JSON file with the Dataset to serve (it can also be PUT later)." };
    private static readonly Option<string?> BlockSize = new("--block-size") { Description = "Block size, e.g. 4Mi (default); the master and its workers must agree." };
    private static readonly Option<string?> SecretsDir = new("--secrets-dir") { Description = "Directory of mounted Secrets (SECRET/KEY files) for the dataset's encryptOptions (default /etc/fluid/secrets)." };
    private static readonly Option<string?> MetadataTtl = new("--metadata-ttl") { Description = "How long looked-up metadata is reused, e.g. 30s (default)." };
    private static readonly Option<string?> WorkerExpiry = new("--worker-expiry") { Description = "A worker not heard from for this long is dropped, e.g. 10s (default)." };
    private static readonly Option<string?> Master = new("--master") { Description = "The master's URL, e.g. http://127.0.0.1:19998." };

    private static readonly Option<string?> WaitForMaster = new("--wait-for-master")
    {
        Description = "Keep trying a master that does not answer yet for this long (e.g. 2m) instead of failing at once; pods started together with their master use it.",
    };
    private static readonly Option<string?> Id = new("--id") { Description = "Worker id, stable across restarts (default: worker-HOSTNAME)." };
    private static readonly Option<string?> Dataset = new("--dataset") { Description = "Worker: the dataset (namespace/name) it must serve; checked against the master's." };
    private static readonly Option<string?> Advertise = new("--advertise-host") { Description = "Worker: the address clients on other hosts use (default: the listen address)." };
    private static readonly Option<string?> LocalSocket = new("--local-socket") { Description = "Worker: Unix socket for clients on this host, which then read block files directly." };
    private static readonly Option<string?> Http = new("--http") { Description = "Worker: URL for /healthz, /readyz and /metrics, e.g. http://127.0.0.1:29998 (off by default)." };
    private static readonly Option<string[]> Tier = new("--tier") { Description = "Worker: a cache tier MEDIUM:PATH[,PATH...]:QUOTA[:HIGH:LOW], fastest first; repeat for several.", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<bool> ZeroCopy = new("--zero-copy") { Description = "Worker: send block bytes with sendfile(2) rather than through a buffer (faster on some kernels; measure with bench/)." };
    private static readonly Option<string?> Prefetch = new("--prefetch") { Description = "Worker: blocks fetched ahead of a sequential reader (default 4)." };

    public static Command Create()
    {
        var command = new Command("cache", "The native cache engine: run a master or a worker, or read a dataset through them.")
        {
            MasterCommand(), WorkerCommand(), LsCommand(), StatCommand(), CatCommand(), ReadCommand(), LoadCommand(), StatsCommand(),
            FuseCommand.Create(),
        };
        return command;
    }

    private static Command MasterCommand()
    {
        var command = new Command("master", "Run a cache master in the foreground (stop it with Ctrl-C or SIGTERM).")
        {
            CacheSettings.ConfigOption, DataDir, Listen, TokenFile, DatasetFile, BlockSize, SecretsDir, MetadataTtl, WorkerExpiry,
        };
        command.SetAction(async (result, ct) =>
        {
            var settings = CacheSettings.From(result);
            var options = new MasterOptions
            {
                DataDirectory = settings.Required(DataDir, "where the master keeps its state"),
                Listen = settings.Text(Listen) ?? "http://127.0.0.1:19998",
                Token = settings.Token(TokenFile),
                BlockSize = checked((int)settings.Size(BlockSize, 4 << 20)),
                MetadataTtl = settings.Duration(MetadataTtl, TimeSpan.FromSeconds(30)),
                WorkerExpiry = settings.Duration(WorkerExpiry, TimeSpan.FromSeconds(10)),
            };
            using var loggers = Loggers();
            var service = new MasterService(options, BuiltIn(), new DirectorySecretSource(settings.Text(SecretsDir) ?? "/etc/fluid/secrets"), loggers.CreateLogger("fluid.master"));
            if (settings.Text(DatasetFile) is { } file)
            {
                service.SetDataset(ReadDataset(file));
            }

            await using var host = await MasterHost.StartAsync(service, loggers).ConfigureAwait(false);
            Console.Error.WriteLine($"master listening on {host.Address} for dataset {service.DatasetName ?? "(none yet)"}");
            await WaitForStop(ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command WorkerCommand()
    {
        var command = new Command("worker", "Run a cache worker in the foreground (stop it with Ctrl-C or SIGTERM).")
        {
            CacheSettings.ConfigOption, Master, TokenFile, Id, Dataset, Listen, Advertise, LocalSocket, Http, Tier, BlockSize, SecretsDir, Prefetch, ZeroCopy,
        };
        command.SetAction(async (result, ct) =>
        {
            var settings = CacheSettings.From(result);
            var master = MasterUri(settings);
            var token = settings.Token(TokenFile);
            var listenText = settings.Text(Listen) ?? "127.0.0.1:29999";
            if (!IPEndPoint.TryParse(listenText, out var listen))
            {
                throw new CliException($"--listen: \"{listenText}\" is not host:port with an IP address, e.g. 0.0.0.0:29999");
            }

            using var loggers = Loggers();
            string dataset;
            using (var probe = new MasterClient(master, token))
            {
                dataset = settings.Text(Dataset) ?? (await WaitForCluster(probe, ct).ConfigureAwait(false)).Dataset;
            }

            var options = new WorkerOptions
            {
                Id = settings.Text(Id) ?? $"worker-{Environment.MachineName}",
                Dataset = dataset,
                Listen = listen,
                AdvertiseHost = settings.Text(Advertise),
                LocalSocket = settings.Text(LocalSocket),
                Token = token,
                PrefetchBlocks = settings.Int(Prefetch, 4, 0, 64),
                ZeroCopySend = result.GetValue(ZeroCopy),
                Store = new BlockStoreOptions
                {
                    Tiers = CacheSettings.Tiers(settings.List(Tier), "--tier"),
                    BlockSize = checked((int)settings.Size(BlockSize, 4 << 20)),
                },
            };
            await using var host = await WorkerHost.StartAsync(
                options, master, BuiltIn(), new DirectorySecretSource(settings.Text(SecretsDir) ?? "/etc/fluid/secrets"), loggers,
                settings.Text(Http), cancellationToken: ct).ConfigureAwait(false);
            Console.Error.WriteLine($"worker {options.Id} serving {dataset} on {host.DataEndpoint}");
            await WaitForStop(ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command LsCommand()
    {
        var path = new Argument<string>("PATH") { Description = "Directory in the dataset.", DefaultValueFactory = _ => "/" };
        var command = ClientCommand("ls", "List a dataset directory: size, modification time, path.", path);
        command.SetAction((result, ct) => WithClient(result, async client =>
        {
            foreach (var entry in await client.ListAsync(result.GetValue(path)!, ct).ConfigureAwait(false))
            {
                Console.WriteLine($"{(entry.IsDirectory ? "d" : "-")} {entry.Size,14} {entry.ModifiedTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} /{entry.Path}{(entry.IsDirectory ? "/" : "")}");
            }

            return 0;
        }, ct));
        return command;
    }

    private static Command StatCommand()
    {
        var path = new Argument<string>("PATH") { Description = "Path in the dataset." };
        var command = ClientCommand("stat", "Show a dataset path's size, time and version.", path);
        command.SetAction((result, ct) => WithClient(result, async client =>
        {
            var entry = await client.StatAsync(result.GetValue(path)!, ct).ConfigureAwait(false)
                ?? throw new CliException($"{result.GetValue(path)}: no such file or directory in dataset {client.Dataset}");
            Console.WriteLine($"path: /{entry.Path}\ntype: {(entry.IsDirectory ? "directory" : "file")}\nsize: {entry.Size}\nmodified: {entry.ModifiedTime:O}\nversion: {entry.Version}");
            return 0;
        }, ct));
        return command;
    }

    private static Command CatCommand()
    {
        var path = new Argument<string>("PATH") { Description = "File in the dataset." };
        var command = ClientCommand("cat", "Write a dataset file to standard output, read through the cache.", path);
        command.SetAction((result, ct) => WithClient(result, async client =>
        {
            var file = await client.OpenAsync(result.GetValue(path)!, ct).ConfigureAwait(false);
            var buffer = new byte[client.BlockSize];
            await using var stdout = Console.OpenStandardOutput();
            for (long offset = 0; offset < file.Size;)
            {
                var read = client.Read(file, offset, buffer);
                await stdout.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                offset += read;
            }

            return 0;
        }, ct));
        return command;
    }

    private static Command ReadCommand()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files (or, with --tree, directories) in the dataset.", Arity = ArgumentArity.OneOrMore };
        var bufferSize = new Option<int>("--buffer") { Description = "Read size in bytes (default 1 MiB).", DefaultValueFactory = _ => 1 << 20 };
        var tree = new Option<bool>("--tree") { Description = "Read every file below the given directories (stat and read, as a training job's loader does)." };
        var directDir = new Option<DirectoryInfo?>("--direct-dir") { Description = "Read the same relative paths from this local directory instead of the cache (a baseline for benchmarks)." };
        var repeat = new Option<int>("--repeat") { Description = "Read everything this many times and report the last pass (default 1).", DefaultValueFactory = _ => 1 };
        var command = ClientCommand("read", "Read dataset files through the cache, discard the bytes, and print the throughput.", paths);
        command.Options.Add(bufferSize);
        command.Options.Add(tree);
        command.Options.Add(directDir);
        command.Options.Add(repeat);
        command.SetAction((result, ct) => WithClient(result, async client =>
        {
            var size = result.GetValue(bufferSize);
            var passes = result.GetValue(repeat);
            if (passes is < 1 or > 100)
            {
                throw new CliException("--repeat must be from 1 to 100");
            }
            if (size is < 4096 or > 64 << 20)
            {
                throw new CliException("--buffer must be from 4096 to 67108864 bytes");
            }

            var files = new List<string>();
            foreach (var path in result.GetValue(paths)!)
            {
                if (result.GetValue(tree))
                {
                    await Walk(client, UfsPath.Normalize(path), files, ct).ConfigureAwait(false);
                }
                else
                {
                    files.Add(path);
                }
            }

            var direct = result.GetValue(directDir);
            var buffer = new byte[size];
            long total = 0;
            var clock = Stopwatch.StartNew();
            for (var pass = 0; pass < passes; pass++)
            {
                total = 0;
                clock.Restart();
                foreach (var path in files)
                {
                    if (direct is not null)
                    {
                        using var handle = File.OpenHandle(Path.Combine(direct.FullName, UfsPath.Normalize(path)));
                        long position = 0;
                        for (int read; (read = RandomAccess.Read(handle, buffer, position)) > 0;)
                        {
                            position += read;
                            total += read;
                        }

                        continue;
                    }

                    var file = await client.OpenAsync(path, ct).ConfigureAwait(false);
                    for (long offset = 0; offset < file.Size;)
                    {
                        var read = client.Read(file, offset, buffer);
                        offset += read;
                        total += read;
                    }
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"read {total} bytes of {files.Count} file(s) in {seconds:0.000} s: {total / seconds / 1e9:0.000} GB/s, {files.Count / seconds:0} files/s (short-circuit blocks {client.ShortCircuitReads}, direct source reads {client.DirectReads})"));
            return 0;
        }, ct));
        return command;
    }

    private static async Task Walk(CacheClient client, string directory, List<string> files, CancellationToken ct)
    {
        foreach (var entry in await client.ListAsync(directory, ct).ConfigureAwait(false))
        {
            if (entry.IsDirectory)
            {
                await Walk(client, entry.Path, files, ct).ConfigureAwait(false);
            }
            else
            {
                files.Add(entry.Path);
            }
        }
    }

    private static Command LoadCommand()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files or directories in the dataset to cache (a directory: every file below it).", Arity = ArgumentArity.OneOrMore };
        var replicas = new Option<int>("--replicas") { Description = "Workers that each keep a copy (default 1).", DefaultValueFactory = _ => 1 };
        var operation = new Option<string?>("--operation-id") { Description = "Report the progress to the master under this id every second (a DataLoad's loader passes the DataLoad's uid; its controller reads it)." };
        var command = ClientCommand("load", "Cache dataset files on their workers ahead of use (what a DataLoad does), printing the progress.", paths);
        command.Options.Add(replicas);
        command.Options.Add(operation);
        command.SetAction((result, ct) => WithClient(result, async client =>
        {
            if (result.GetValue(replicas) is < 1 or > 16)
            {
                throw new CliException("--replicas must be from 1 to 16");
            }

            var operationId = result.GetValue(operation);
            var loader = new DatasetLoader(client);
            var plan = await loader.PlanAsync(result.GetValue(paths)!, ct).ConfigureAwait(false);
            Console.WriteLine($"loading {plan.TotalFiles} file(s), {ByteUnits.Status(plan.TotalBytes)} of dataset {client.Dataset} into {client.Workers.Count} worker(s)");
            var reportProblem = (string?)null;
            var lastPrinted = Stopwatch.StartNew();
            var final = await loader.LoadAsync(plan, new LoadOptions
            {
                Replicas = result.GetValue(replicas),
                Report = async (progress, token) =>
                {
                    if (!progress.Done && progress.Error is null && lastPrinted.Elapsed >= ProgressPrintInterval)
                    {
                        lastPrinted.Restart();
                        Console.Error.WriteLine($"progress: {OperationProgressDerivation.Describe(OperationProgressDerivation.From(progress))}");
                    }

                    if (operationId is null)
                    {
                        return;
                    }

                    try
                    {
                        await client.Master.ReportProgressAsync(operationId, progress, token).ConfigureAwait(false);
                        reportProblem = null;
                    }
                    catch (MasterException e) when (reportProblem != e.Message)
                    {
                        // Progress is for watchers; the load itself goes on, and says so once per distinct problem.
                        reportProblem = e.Message;
                        Console.Error.WriteLine($"warning: the progress could not be reported to the master ({e.Message}); loading goes on");
                    }
                    catch (MasterException)
                    {
                    }
                },
                TargetLoaded = (target, _) =>
                {
                    Console.WriteLine($"loaded {target.Path}: {target.Files.Count} file(s), {ByteUnits.Status(target.Bytes)}");
                    return Task.CompletedTask;
                },
            }, ct).ConfigureAwait(false);
            var seconds = (DateTimeOffset.UtcNow - final.StartedAt).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done: {final.LoadedFiles} file(s), {ByteUnits.Status(final.LoadedBytes)} in {seconds:0.0} s ({ByteUnits.Status(final.BytesPerSecond)}/s)"));
            return 0;
        }, ct));
        return command;
    }

    private static Command StatsCommand()
    {
        var command = ClientCommand("stats", "Show the dataset's figures: total size, files, cached bytes, capacity, hit ratio.");
        command.SetAction((result, ct) => WithClient(result, async client =>
        {
            var s = await client.Master.StatsAsync(ct).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                dataset:           {s.Dataset}
                ufs total size:    {Fluid.Api.Core.Quantity.HumanBytes(s.UfsTotalBytes)} ({s.FileCount} files)
                cached:            {Fluid.Api.Core.Quantity.HumanBytes(s.CachedBytes)} ({s.CachedPercentage:0.0}%)
                cache capacity:    {Fluid.Api.Core.Quantity.HumanBytes(s.CapacityBytes)} on {s.LiveWorkers} worker(s)
                cache hit ratio:   {s.HitRatio:0.0}% ({s.Hits} hits, {s.Misses} misses; {s.LocalHits} local, {s.RemoteHits} remote)
                """));
            return 0;
        }, ct));
        return command;
    }

    internal static Command ClientCommand(string name, string description, params Argument[] arguments)
    {
        var command = new Command(name, description) { CacheSettings.ConfigOption, Master, TokenFile, SecretsDir, WaitForMaster };
        foreach (var argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        return command;
    }

    internal static async Task<int> WithClient(ParseResult result, Func<CacheClient, Task<int>> action, CancellationToken ct)
    {
        var settings = CacheSettings.From(result);
        var options = new CacheClientOptions
        {
            Master = MasterUri(settings),
            Token = settings.Token(TokenFile),
            DirectRegistry = BuiltIn(),
            Secrets = Secrets(result),
        };
        var patience = TimeSpan.Zero;
        if (settings.Text(WaitForMaster) is { } text && (!Fluid.Api.Core.GoDuration.TryParse(text, out var wait, out _) || (patience = wait.Value) < TimeSpan.Zero))
        {
            throw new CliException($"--wait-for-master \"{text}\" is not a duration; give one such as 30s or 2m");
        }

        await using var client = await ConnectPatientlyAsync(options, patience, ct).ConfigureAwait(false);
        try
        {
            return await action(client).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException(e.Message);
        }
    }

    // A refused connection or a master without its dataset yet is retried until the patience runs out; a wrong token is not.
    private static async Task<CacheClient> ConnectPatientlyAsync(CacheClientOptions options, TimeSpan patience, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        var told = false;
        while (true)
        {
            try
            {
                return await CacheClient.ConnectAsync(options, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or MasterException { Status: null or System.Net.HttpStatusCode.ServiceUnavailable }
                && DateTimeOffset.UtcNow < deadline)
            {
                if (!told)
                {
                    Console.Error.WriteLine($"waiting up to {patience.TotalSeconds:0} s for the master at {options.Master}: {e.Message}");
                    told = true;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Where the secrets a dataset's encryptOptions name are read from (--secrets-dir).</summary>
    internal static DirectorySecretSource Secrets(ParseResult result) =>
        new(CacheSettings.From(result).Text(SecretsDir) ?? "/etc/fluid/secrets");

    private static Uri MasterUri(CacheSettings settings)
    {
        var text = settings.Text(Master) ?? "http://127.0.0.1:19998";
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException($"--master: \"{text}\" is not an http(s) URL such as http://127.0.0.1:19998");
    }

    private static async Task<Fluid.Cache.Protocol.ClusterView> WaitForCluster(MasterClient master, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var cluster = await master.ClusterAsync(ct).ConfigureAwait(false);
                if (cluster.Dataset.Length > 0)
                {
                    return cluster;
                }
            }
            catch (MasterException) when (attempt < 120)
            {
            }

            if (attempt >= 120)
            {
                throw new CliException($"the master at {master.Address} has no dataset after 2 minutes; give it one with --dataset-file");
            }

            await Task.Delay(1000, ct).ConfigureAwait(false);
        }
    }

    private static Dataset ReadDataset(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliException($"--dataset-file: {file} does not exist");
        }

        var documents = ManifestReader.ReadFile(file);
        var datasets = documents.Where(d => d.Object is Dataset).ToList();
        if (datasets.Count != 1)
        {
            throw new CliException($"--dataset-file: {file} must hold exactly one Dataset (found {datasets.Count})");
        }

        if (datasets[0].Errors.Count > 0)
        {
            throw new CliException($"--dataset-file: {file}: {string.Join("; ", datasets[0].Errors)}");
        }

        return (Dataset)datasets[0].Object!;
    }

    private static UfsRegistry BuiltIn() => new UfsRegistry().AddBuiltInConnectors();

    private static ILoggerFactory Loggers() => LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .AddFilter("Microsoft", LogLevel.Warning)
        .SetMinimumLevel(LogLevel.Information));

    internal static async Task WaitForStop(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
