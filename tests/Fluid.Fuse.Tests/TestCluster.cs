using Fluid.Api.V1Alpha1;
using Fluid.Cache.Client;
using Fluid.Cache.Master;
using Fluid.Cache.Namespace;
using Fluid.Cache.Store;
using Fluid.Cache.Ufs;
using Fluid.Cache.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fluid.Fuse.Tests;

/// <summary>A real master and one real worker in this process, caching a local source directory (from Fluid.Cache.Tests).</summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";
    public const int BlockSize = 256 * 1024;

    private TestCluster(string root) => Root = root;

    public string Root { get; }

    public string SourceDir => Path.Combine(Root, "source");

    public MasterHost Master { get; private set; } = null!;

    public WorkerHost Worker { get; private set; } = null!;

    /// <summary>A master and a worker serving <paramref name="dataset"/> (given the source directory), by default one local:// mount of it at the root.</summary>
    public static async Task<TestCluster> StartAsync(long quotaBytes = 64 << 20, Func<string, DatasetSpec>? dataset = null)
    {
        var cluster = new TestCluster(Directory.CreateTempSubdirectory("fluid-fuse-").FullName);
        Directory.CreateDirectory(cluster.SourceDir);
        var registry = new UfsRegistry().AddBuiltInConnectors();
        var secrets = new DirectorySecretSource(Path.Combine(cluster.Root, "secrets"));
        cluster.Master = await MasterHost.StartAsync(
            new MasterService(
                new MasterOptions { DataDirectory = Path.Combine(cluster.Root, "master"), Token = Token, BlockSize = BlockSize, Listen = "http://127.0.0.1:0", MetadataTtl = TimeSpan.FromSeconds(2) },
                registry,
                secrets,
                NullLogger.Instance),
            NullLoggerFactory.Instance);
        cluster.Master.Service.SetDataset(new Dataset
        {
            Metadata = { Name = "demo", Namespace = "default" },
            Spec = dataset?.Invoke(cluster.SourceDir) ?? new DatasetSpec { Mounts = [new Mount { MountPoint = "local://" + cluster.SourceDir, Name = "data", Path = "/" }] },
        });
        var tier = Path.Combine(cluster.Root, "worker0", "mem");
        Directory.CreateDirectory(tier);
        cluster.Worker = await WorkerHost.StartAsync(
            new WorkerOptions
            {
                Id = "worker-0",
                Dataset = "default/demo",
                Token = Token,
                LocalSocket = Path.Combine(cluster.Root, "worker0.sock"),
                Store = new BlockStoreOptions { BlockSize = BlockSize, Tiers = [new TierOptions { Medium = "MEM", Paths = [new TierPath(tier, quotaBytes)] }] },
            },
            cluster.Master.Address,
            registry,
            secrets,
            NullLoggerFactory.Instance);
        for (var i = 0; i < 100 && cluster.Master.Service.Cluster().Workers.Count != 1; i++)
        {
            await Task.Delay(100);
        }

        return cluster;
    }

    /// <summary>The directory secrets are read from: namespace/name/key files.</summary>
    public string SecretsDir => Path.Combine(Root, "secrets");

    public Task<CacheClient> ClientAsync() =>
        CacheClient.ConnectAsync(
            new CacheClientOptions
            {
                Master = Master.Address,
                Token = Token,
                HostId = HostIdentity.Current,
                MetadataTtl = TimeSpan.FromSeconds(1),
                DirectRegistry = new UfsRegistry().AddBuiltInConnectors(),
                Secrets = new DirectorySecretSource(SecretsDir),
                RequestTimeout = TimeSpan.FromSeconds(10),
            },
            CancellationToken.None);

    /// <summary>Writes a file of deterministic bytes into the source; returns them.</summary>
    public byte[] WriteSource(string name, int length)
    {
        var bytes = new byte[length];
        new Random(name.Aggregate(length, (h, c) => unchecked((h * 131) + c))).NextBytes(bytes);
        var path = Path.Combine(SourceDir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Master.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
