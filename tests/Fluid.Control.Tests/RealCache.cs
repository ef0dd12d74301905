using Fluid.Api.V1Alpha1;
using Fluid.Cache.Client;
using Fluid.Cache.Master;
using Fluid.Cache.Namespace;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;
using Fluid.Cache.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluid.Control.Tests;

/// <summary>
/// A real cache master and workers of one dataset in this process, on 127.0.0.1, with a temp directory
/// for state, tiers and a local source; everything is stopped and removed on dispose.
/// </summary>
internal sealed class RealCache : IAsyncDisposable
{
    public const int BlockSize = 256 * 1024;
    public const long QuotaBytes = 64L << 20;

    private readonly List<WorkerHost> _workers = [];

    private RealCache(string root, string token)
    {
        Root = root;
        Token = token;
    }

    /// <summary>The temp directory; the local source is <see cref="SourceDir"/> under it.</summary>
    public string Root { get; }

    public string SourceDir => Path.Combine(Root, "source");

    public string Token { get; }

    public MasterHost Master { get; private set; } = null!;

    /// <summary>A directory for the source (created empty), to write files into before starting.</summary>
    public static string NewRoot() => Directory.CreateTempSubdirectory("fluid-control-cache-").FullName;

    /// <summary>Starts a master serving <paramref name="dataset"/> and <paramref name="workers"/> workers with MEM tiers of <see cref="QuotaBytes"/>.</summary>
    public static async Task<RealCache> StartAsync(string root, Dataset dataset, string token, int workers)
    {
        var cache = new RealCache(root, token);
        try
        {
            var registry = new UfsRegistry().AddBuiltInConnectors();
            var secrets = new DirectorySecretSource(Path.Combine(root, "secrets"));
            var service = new MasterService(
                new MasterOptions { DataDirectory = Path.Combine(root, "master"), Token = token, BlockSize = BlockSize, MetadataTtl = TimeSpan.FromSeconds(1) },
                registry, secrets, NullLogger.Instance);
            service.SetDataset(dataset);
            cache.Master = await MasterHost.StartAsync(service, NullLoggerFactory.Instance);
            for (var i = 0; i < workers; i++)
            {
                var tier = Path.Combine(root, $"worker{i}");
                Directory.CreateDirectory(tier);
                cache._workers.Add(await WorkerHost.StartAsync(
                    new WorkerOptions
                    {
                        Id = $"worker-{i}",
                        Dataset = $"{dataset.Metadata.Namespace ?? "default"}/{dataset.Metadata.Name}",
                        Token = token,
                        LocalSocket = Path.Combine(root, $"worker{i}.sock"),
                        Store = new BlockStoreOptions { BlockSize = BlockSize, Tiers = [new TierOptions { Medium = "MEM", Paths = [new TierPath(tier, QuotaBytes)] }] },
                    },
                    cache.Master.Address, registry, secrets, NullLoggerFactory.Instance));
            }

            for (var i = 0; i < 100 && cache.Master.Service.Cluster().Workers.Count != workers; i++)
            {
                await Task.Delay(100);
            }

            Assert.Equal(workers, cache.Master.Service.Cluster().Workers.Count);
            return cache;
        }
        catch
        {
            await cache.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a file of <paramref name="length"/> bytes into the local source.</summary>
    public static void WriteSource(string root, string name, int length)
    {
        var path = Path.Combine(root, "source", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }

    public Task<CacheClient> ClientAsync() =>
        CacheClient.ConnectAsync(new CacheClientOptions { Master = Master.Address, Token = Token, MetadataTtl = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);

    /// <summary>Waits until the master's listing of the sources has ended (done or failed).</summary>
    public async Task WaitForSyncAsync()
    {
        for (var i = 0; i < 200 && Master.Service.Stats() is var s && (s.SyncRunning || s.LastSyncAttempt is null); i++)
        {
            await Task.Delay(50);
        }

        await Master.Service.WaitForSyncAsync();
    }

    /// <summary>Waits until the master's figures, which workers' heartbeats bring every 2 s, satisfy <paramref name="done"/>.</summary>
    public async Task WaitForFiguresAsync(string what, Func<Fluid.Cache.Protocol.DatasetStats, bool> done)
    {
        for (var i = 0; i < 300 && !done(Master.Service.Stats()); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(done(Master.Service.Stats()), $"the master's figures never showed {what}");
    }

    /// <summary>A port on 127.0.0.1 nothing listens on.</summary>
    public static int ClosedPort() => TestPorts.Free();

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        if (Master is not null)
        {
            await Master.DisposeAsync();
        }

        Directory.Delete(Root, recursive: true);
    }
}
