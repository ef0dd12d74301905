using System.Net;
using System.Net.Sockets;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Client;
using Fluid.Cache.Master;
using Fluid.Cache.Namespace;
using Fluid.Cache.Protocol;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;
using Fluid.Cache.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluid.Cache.Tests.Engine;

/// <summary>
/// A real master and real workers in this process, talking over real sockets (TCP, Unix, HTTP),
/// caching a local directory in temp-dir tiers.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";
    public const int BlockSize = 256 * 1024;

    private readonly List<WorkerHost?> _workers = [];

    private TestCluster(string root) => Root = root;

    public string Root { get; }

    public string SourceDir => Path.Combine(Root, "source");

    public MasterHost Master { get; private set; } = null!;

    public IReadOnlyList<WorkerHost?> Workers => _workers;

    public static ILoggerFactory Loggers { get; } = NullLoggerFactory.Instance;

    public static async Task<TestCluster> StartAsync(int workers = 1, long quotaBytes = 64 << 20, bool localSockets = true, string? sourceDir = null)
    {
        var cluster = new TestCluster(Directory.CreateTempSubdirectory("fluid-engine-").FullName);
        Directory.CreateDirectory(sourceDir ?? cluster.SourceDir);
        cluster.Master = await StartMasterAsync(cluster.Root).ConfigureAwait(false);
        cluster.Master.Service.SetDataset(DatasetOf(sourceDir ?? cluster.SourceDir));
        for (var i = 0; i < workers; i++)
        {
            cluster._workers.Add(await cluster.StartWorkerAsync(i, quotaBytes, localSockets).ConfigureAwait(false));
        }

        return cluster;
    }

    public static Dataset DatasetOf(string sourceDir) => new()
    {
        Metadata = { Name = "demo", Namespace = "default" },
        Spec = { Mounts = [new Mount { MountPoint = "local://" + sourceDir, Name = "data", Path = "/" }] },
    };

    public static UfsRegistry Registry() => new UfsRegistry().AddBuiltInConnectors();

    public static Task<MasterHost> StartMasterAsync(string root, string listen = "http://127.0.0.1:0") =>
        MasterHost.StartAsync(
            new MasterService(
                new MasterOptions { DataDirectory = Path.Combine(root, "master"), Token = Token, BlockSize = BlockSize, Listen = listen, MetadataTtl = TimeSpan.FromSeconds(2) },
                Registry(),
                new DirectorySecretSource(Path.Combine(root, "secrets")),
                Loggers.CreateLogger("master")),
            Loggers);

    public async Task<WorkerHost> StartWorkerAsync(int index, long quotaBytes, bool localSocket)
    {
        var tier = Path.Combine(Root, $"worker{index}", "mem");
        Directory.CreateDirectory(tier);
        var host = await WorkerHost.StartAsync(
            new WorkerOptions
            {
                Id = $"worker-{index}",
                Dataset = "default/demo",
                Token = Token,
                LocalSocket = localSocket ? Path.Combine(Root, $"worker{index}.sock") : null,
                Store = new BlockStoreOptions { BlockSize = BlockSize, Tiers = [new TierOptions { Medium = "MEM", Paths = [new TierPath(tier, quotaBytes)] }] },
            },
            Master.Address,
            Registry(),
            new DirectorySecretSource(Path.Combine(Root, "secrets")),
            Loggers).ConfigureAwait(false);
        if (index < _workers.Count)
        {
            _workers[index] = host;
        }

        return host;
    }

    public async Task StopWorkerAsync(int index)
    {
        if (_workers[index] is { } worker)
        {
            _workers[index] = null;
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task RestartMasterAsync()
    {
        var port = Master.Address.Port;
        await Master.DisposeAsync().ConfigureAwait(false);
        Master = await StartMasterAsync(Root, $"http://127.0.0.1:{port}").ConfigureAwait(false);
    }

    public Task<CacheClient> ClientAsync(string? hostId = null, bool direct = true) =>
        CacheClient.ConnectAsync(
            new CacheClientOptions
            {
                Master = Master.Address,
                Token = Token,
                HostId = hostId ?? HostIdentity.Current,
                MetadataTtl = TimeSpan.FromSeconds(1),
                DirectRegistry = direct ? Registry() : null,
                RequestTimeout = TimeSpan.FromSeconds(10),
            },
            CancellationToken.None);

    /// <summary>Writes a file of deterministic bytes (seeded by its name) into the source; returns them.</summary>
    public byte[] WriteSource(string name, int length, int seed = 0)
    {
        var bytes = Content(name, length, seed);
        var path = Path.Combine(SourceDir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    public static byte[] Content(string name, int length, int seed = 0)
    {
        var bytes = new byte[length];
        new Random(name.Aggregate(seed * 31 + length, (h, c) => unchecked((h * 131) + c))).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Waits until the master lists <paramref name="count"/> live workers.</summary>
    public async Task WaitForWorkersAsync(int count)
    {
        for (var i = 0; i < 100 && Master.Service.Cluster().Workers.Count != count; i++)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        Assert.Equal(count, Master.Service.Cluster().Workers.Count);
    }

    /// <summary>Workers bring their figures to the master every 2 s: waits (up to 30 s) until the master's satisfy <paramref name="done"/>.</summary>
    public async Task<DatasetStats> WaitForFiguresAsync(Func<DatasetStats, bool> done)
    {
        for (var i = 0; i < 300 && !done(Master.Service.Stats()); i++)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        var stats = Master.Service.Stats();
        Assert.True(done(stats), $"the master's figures never got there: hits {stats.Hits}, misses {stats.Misses}, cached {stats.CachedBytes} bytes, from cache {stats.BytesFromCache}");
        return stats;
    }

    public static byte[] ReadAll(CacheClient client, CacheFile file, int chunk)
    {
        var result = new byte[file.Size];
        for (long offset = 0; offset < file.Size;)
        {
            offset += client.Read(file, offset, result.AsSpan((int)offset, (int)Math.Min(chunk, file.Size - offset)));
        }

        return result;
    }

    /// <summary>A raw TCP connection to a worker's data endpoint.</summary>
    public static Socket RawConnection(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        socket.Connect(endpoint);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            if (worker is not null)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }

        await Master.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(Root, recursive: true);
    }
}
