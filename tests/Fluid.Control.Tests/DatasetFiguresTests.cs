using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Fluid.Cache.Client;
using Fluid.Control.Engines;
using Fluid.Control.Naming;
using Fluid.Control.Native;
using Fluid.Control.Status;

namespace Fluid.Control.Tests;

/// <summary>
/// The dataset's figures as the native engine writes them from a real cache master and workers on
/// 127.0.0.1 (through <see cref="MasterStatistics"/> and the token Secret), into an in-memory cluster.
/// </summary>
public sealed class DatasetFiguresTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Dataset_and_runtime_status_show_the_masters_exact_figures_and_a_full_load_as_100_percent()
    {
        var root = RealCache.NewRoot();
        var sizes = new Dictionary<string, int> { ["a.bin"] = (4 * RealCache.BlockSize) + 123, ["dir/b.bin"] = 300_000, ["dir/sub/c.bin"] = 7, ["empty.bin"] = 0 };
        foreach (var (name, size) in sizes)
        {
            RealCache.WriteSource(root, name, size);
        }

        var total = sizes.Values.Sum(v => (long)v);
        var world = World(root, "AlluxioRuntime", "spec: {replicas: 2}");
        await using var cache = await RealCache.StartAsync(root, world.Dataset, Token, workers: 2);
        await cache.WaitForSyncAsync();
        using var statistics = new MasterStatistics(_ => cache.Master.Address);
        var engine = new NativeEngine(world.Context, ClassicRuntimeSource.All.Single(s => s.Kind == "AlluxioRuntime"), statistics);

        var figures = await statistics.GetAsync(world.Context, default);
        Assert.Equal(total, figures.UfsTotalBytes);
        Assert.Equal(4, figures.FileCount);

        await engine.SyncAsync();
        var status = DatasetStatus(world);
        Assert.Equal(ByteUnits.Status(total), status.Str("ufsTotal"));
        Assert.Equal("4", status.Str("fileNum"));
        Assert.Equal("0.00B", status.Str("cacheStates.cached"));
        Assert.Equal(ByteUnits.Status(2 * RealCache.QuotaBytes), status.Str("cacheStates.cacheCapacity"));
        Assert.Equal("0.0%", status.Str("cacheStates.cachedPercentage"));
        Assert.Equal("0.0%", status.Str("cacheStates.cacheHitRatio"));
        var synced = Condition(status, MetadataStatus.Condition);
        Assert.Equal("True", synced.Str("status"));
        Assert.Contains($"local://{root}/source", synced.Str("message"), StringComparison.Ordinal);

        await using (var client = await cache.ClientAsync())
        {
            var loader = new DatasetLoader(client);
            await loader.LoadAsync(await loader.PlanAsync(["/"], default), new LoadOptions(), default);
            Assert.Equal(total, (await client.Master.StatsAsync(default)).UfsTotalBytes);
        }

        await cache.WaitForFiguresAsync("every byte cached", s => s.CachedBytes == total);
        await engine.SyncAsync();
        status = DatasetStatus(world);
        Assert.Equal(status.Str("ufsTotal"), status.Str("cacheStates.cached"));
        Assert.Equal("100.0%", status.Str("cacheStates.cachedPercentage"));
        Assert.Equal(total, (await statistics.GetAsync(world.Context, default)).CachedBytes);

        // Upstream's runtime status carries the dataset's cacheStates too.
        var runtime = world.Require("data.fluid.io/v1alpha1", "AlluxioRuntime", "demo");
        Assert.Equal("100.0%", runtime.Str("status.cacheStates.cachedPercentage"));
        Assert.Equal(status.Str("cacheStates.cached"), runtime.Str("status.cacheStates.cached"));

        // Reads served from the cache show in the hit ratios; the token shows nowhere.
        await using (var client = await cache.ClientAsync())
        {
            var file = await client.OpenAsync("/a.bin", default);
            var buffer = new byte[file.Size];
            Assert.Equal((int)file.Size, client.Read(file, 0, buffer));
        }

        await cache.WaitForFiguresAsync("the reads of a.bin", s => s.BytesFromCache == sizes["a.bin"]);
        await engine.SyncAsync();
        status = DatasetStatus(world);
        Assert.Equal("100.0%", status.Str("cacheStates.cacheHitRatio"));
        Assert.Equal("100.0%", status.Str("cacheStates.cacheThroughputRatio"));
        Assert.Equal("100.0%", status.Str("cacheStates.localHitRatio"));
        Assert.Equal("0.0%", status.Str("cacheStates.remoteHitRatio"));
        Assert.DoesNotContain(Token, world.Require("data.fluid.io/v1alpha1", "Dataset", "demo").ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, runtime.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_the_master_cannot_list_gets_a_condition_naming_it_and_never_calculating()
    {
        var root = RealCache.NewRoot();
        var source = $"http://127.0.0.1:{RealCache.ClosedPort()}/data/";
        var world = World(root, "CacheRuntime", "spec: {runtimeClassName: fluid}", source);
        await using var cache = await RealCache.StartAsync(root, world.Dataset, Token, workers: 0);
        await cache.WaitForSyncAsync();
        using var statistics = new MasterStatistics(_ => cache.Master.Address);
        var engine = new NativeEngine(world.Context, new CacheRuntimeSource(), statistics);

        var sync = await engine.SyncAsync();

        var status = DatasetStatus(world);
        Assert.Equal(MetadataStatus.Unknown, status.Str("ufsTotal"));
        Assert.Equal(MetadataStatus.Unknown, status.Str("fileNum"));
        var condition = Condition(status, MetadataStatus.Condition);
        Assert.Equal("False", condition.Str("status"));
        Assert.Equal(MetadataStatus.SyncFailed, condition.Str("reason"));
        Assert.Contains(source, condition.Str("message"), StringComparison.Ordinal);
        Assert.Contains("refused", condition.Str("message"), StringComparison.OrdinalIgnoreCase);
        Assert.Null(sync.RequeueAfter);
    }

    [Fact]
    public async Task Calculating_shows_while_the_master_lists_for_at_most_the_limit_then_unknown_with_the_reason()
    {
        var root = RealCache.NewRoot();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var accepting = AcceptForeverAsync(silent, accepted);
        var source = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/data/";
        var world = World(root, "CacheRuntime", "spec: {runtimeClassName: fluid}", source);
        await using var cache = await RealCache.StartAsync(root, world.Dataset, Token, workers: 0);
        using var statistics = new MasterStatistics(_ => cache.Master.Address);
        var engine = new NativeEngine(world.Context, new CacheRuntimeSource(), statistics);
        Assert.True(cache.Master.Service.Stats().SyncRunning);

        var first = await engine.SyncAsync();
        Assert.Equal(MetadataStatus.Calculating, DatasetStatus(world).Str("ufsTotal"));
        Assert.Equal(MetadataStatus.Calculating, DatasetStatus(world).Str("fileNum"));
        Assert.Equal(MetadataStatus.CalculatingReason, Condition(DatasetStatus(world), MetadataStatus.Condition).Str("reason"));
        Assert.Equal(TimeSpan.FromSeconds(10), first.RequeueAfter);

        world.Clock.Now += MetadataStatus.CalculatingLimit - TimeSpan.FromMinutes(1);
        await engine.SyncAsync();
        Assert.Equal(MetadataStatus.Calculating, DatasetStatus(world).Str("ufsTotal"));

        world.Clock.Now += TimeSpan.FromMinutes(2);
        var late = await engine.SyncAsync();
        var status = DatasetStatus(world);
        Assert.Equal(MetadataStatus.Unknown, status.Str("ufsTotal"));
        var condition = Condition(status, MetadataStatus.Condition);
        Assert.Equal(MetadataStatus.SyncTimeout, condition.Str("reason"));
        Assert.Contains(source, condition.Str("message"), StringComparison.Ordinal);
        Assert.Contains("15 minutes", condition.Str("message"), StringComparison.Ordinal);
        Assert.Null(late.RequeueAfter);

        // Still listing later on: it stays Unknown rather than going back to Calculating.
        world.Clock.Now += TimeSpan.FromMinutes(1);
        await engine.SyncAsync();
        Assert.Equal(MetadataStatus.SyncTimeout, Condition(DatasetStatus(world), MetadataStatus.Condition).Str("reason"));

        // The source hangs up: the master's listing fails, and the condition says so.
        silent.Stop();
        lock (accepted)
        {
            accepted.ForEach(s => s.Dispose());
        }

        await accepting;
        await cache.WaitForSyncAsync();
        await engine.SyncAsync();
        Assert.Equal(MetadataStatus.SyncFailed, Condition(DatasetStatus(world), MetadataStatus.Condition).Str("reason"));
    }

    [Fact]
    public async Task The_sources_are_listed_again_only_when_the_resync_interval_is_set_and_has_passed()
    {
        var root = RealCache.NewRoot();
        RealCache.WriteSource(root, "a.bin", 1000);
        var world = World(root, "CacheRuntime", "spec: {runtimeClassName: fluid}");
        await using var cache = await RealCache.StartAsync(root, world.Dataset, Token, workers: 0);
        await cache.WaitForSyncAsync();
        using var statistics = new MasterStatistics(_ => cache.Master.Address);
        world.Clock.Now = DateTimeOffset.UtcNow;
        await new NativeEngine(world.Context, new CacheRuntimeSource(), statistics).SyncAsync();
        Assert.Equal("1", DatasetStatus(world).Str("fileNum"));
        RealCache.WriteSource(root, "b.bin", 2000);

        // Upstream's behaviour by default: listed once.
        world.Clock.Now += TimeSpan.FromHours(2);
        await new NativeEngine(world.Context, new CacheRuntimeSource(), statistics).SyncAsync();
        Assert.False(cache.Master.Service.Stats().SyncRunning);
        Assert.Equal("1", DatasetStatus(world).Str("fileNum"));

        var hourly = new EngineContext { Dataset = world.Dataset, Runtime = world.Runtime, Cluster = world.Cluster, Clock = world.Clock, MetadataResyncInterval = TimeSpan.FromHours(1) };
        world.Clock.Now = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(30);
        await new NativeEngine(hourly, new CacheRuntimeSource(), statistics).SyncAsync();
        await cache.WaitForSyncAsync();
        Assert.Equal(1, cache.Master.Service.Stats().FileCount);

        world.Clock.Now = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(61);
        await new NativeEngine(hourly, new CacheRuntimeSource(), statistics).SyncAsync();
        await cache.WaitForSyncAsync();
        await new NativeEngine(hourly, new CacheRuntimeSource(), statistics).SyncAsync();
        Assert.Equal("2", DatasetStatus(world).Str("fileNum"));
        Assert.Equal(ByteUnits.Status(3000), DatasetStatus(world).Str("ufsTotal"));
    }

    [Fact]
    public async Task Without_the_token_secret_or_a_reachable_master_the_status_says_so_without_the_token()
    {
        var root = RealCache.NewRoot();
        RealCache.WriteSource(root, "a.bin", 10);
        var world = World(root, "CacheRuntime", "spec: {runtimeClassName: fluid}", token: null);
        await using var cache = await RealCache.StartAsync(root, world.Dataset, Token, workers: 0);
        using var statistics = new MasterStatistics(_ => cache.Master.Address);
        var noSecret = await Assert.ThrowsAsync<MasterUnreachableException>(() => statistics.GetAsync(world.Context, default));
        Assert.Contains("demo-token", noSecret.Message, StringComparison.Ordinal);

        // A wrong token is refused by the master; the message carries neither token.
        world.Cluster.Seed(TokenSecret("not-the-token-0000"));
        var refused = await Assert.ThrowsAsync<MasterUnreachableException>(() => statistics.GetAsync(world.Context, default));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", refused.Message, StringComparison.Ordinal);

        // A master that is not there: Calculating (it may be starting), naming why.
        using var away = new MasterStatistics(_ => new Uri($"http://127.0.0.1:{RealCache.ClosedPort()}"));
        await new NativeEngine(world.Context, new CacheRuntimeSource(), away).SyncAsync();
        var condition = Condition(DatasetStatus(world), MetadataStatus.Condition);
        Assert.Equal(MetadataStatus.CalculatingReason, condition.Str("reason"));
        Assert.Contains("cannot reach the master", condition.Str("message"), StringComparison.Ordinal);
        world.Clock.Now += MetadataStatus.CalculatingLimit + TimeSpan.FromMinutes(1);
        await new NativeEngine(world.Context, new CacheRuntimeSource(), away).SyncAsync();
        Assert.Equal(MetadataStatus.MasterUnreachable, Condition(DatasetStatus(world), MetadataStatus.Condition).Str("reason"));
        Assert.Equal(MetadataStatus.Unknown, DatasetStatus(world).Str("ufsTotal"));
    }

    private static TestWorld World(string root, string kind, string spec, string? mountPoint = null, string? token = Token)
    {
        var world = new TestWorld($"""
            apiVersion: data.fluid.io/v1alpha1
            kind: Dataset
            metadata:
              name: demo
              namespace: default
            spec:
              mounts:
              - name: data
                mountPoint: '{mountPoint ?? $"local://{root}/source"}'
                path: /
            ---
            apiVersion: data.fluid.io/v1alpha1
            kind: {kind}
            metadata:
              name: demo
              namespace: default
            {spec}
            """);
        if (token is not null)
        {
            world.Cluster.Seed(TokenSecret(token));
        }

        return world;
    }

    // As the API server stores it: stringData turned into base64 data.
    private static JsonObject TokenSecret(string token) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = "demo-token", ["namespace"] = "default" },
        ["data"] = new JsonObject { [NativeManifests.TokenKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(token)) },
    };

    private static JsonNode DatasetStatus(TestWorld world) => world.Require("data.fluid.io/v1alpha1", "Dataset", "demo")["status"]!;

    private static JsonNode Condition(JsonNode status, string type) =>
        (status["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == type) ?? throw new Xunit.Sdk.XunitException($"no {type} condition in {status.ToJsonString()}");

    private static async Task AcceptForeverAsync(TcpListener listener, List<Socket> accepted)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                lock (accepted)
                {
                    accepted.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
