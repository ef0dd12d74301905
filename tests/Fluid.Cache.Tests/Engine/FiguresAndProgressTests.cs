using System.Net;
using System.Net.Http.Headers;
using Fluid.Cache.Client;
using Fluid.Cache.Protocol;

namespace Fluid.Cache.Tests.Engine;

/// <summary>The master's dataset figures (including a sync that fails) and the progress of a load, over a real master and workers.</summary>
public sealed class FiguresAndProgressTests
{
    private const int Block = TestCluster.BlockSize;

    [Fact]
    public async Task A_sync_that_cannot_list_the_source_is_reported_with_the_source_and_the_last_good_figures_stay()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 0);
        cluster.WriteSource("a.bin", 1000);
        cluster.WriteSource("d/b.bin", 2000);
        cluster.Master.Service.StartSync();
        await cluster.Master.Service.WaitForSyncAsync();
        await using var client = await cluster.ClientAsync();
        var good = await client.Master.StatsAsync(default);
        Assert.Equal(3000, good.UfsTotalBytes);
        Assert.Equal(2, good.FileCount);
        Assert.Null(good.LastSyncError);
        Assert.False(good.SyncRunning);
        Assert.Equal(good.LastSync, good.LastSyncAttempt);

        Directory.Delete(cluster.SourceDir, recursive: true);
        await client.Master.RefreshAsync("/", default);
        await cluster.Master.Service.WaitForSyncAsync();

        var failed = await client.Master.StatsAsync(default);
        Assert.NotNull(failed.LastSyncError);
        Assert.Contains(cluster.SourceDir, failed.LastSyncError, StringComparison.Ordinal);
        Assert.Contains("does not exist", failed.LastSyncError, StringComparison.Ordinal);
        Assert.Equal(3000, failed.UfsTotalBytes);
        Assert.Equal(good.LastSync, failed.LastSync);
        Assert.True(failed.LastSyncAttempt >= good.LastSyncAttempt);

        // The error survives a restart of the master, and a later good sync clears it.
        cluster.WriteSource("c.bin", 500);
        await cluster.RestartMasterAsync();
        Assert.Equal(failed.LastSyncError, cluster.Master.Service.Stats().LastSyncError);
        cluster.Master.Service.StartSync();
        await cluster.Master.Service.WaitForSyncAsync();
        var again = cluster.Master.Service.Stats();
        Assert.Null(again.LastSyncError);
        Assert.Equal(500, again.UfsTotalBytes);
    }

    [Fact]
    public async Task Reads_from_a_worker_on_the_readers_host_count_as_local_bytes()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        cluster.WriteSource("l.bin", 3 * Block);
        await using var local = await cluster.ClientAsync();
        await local.LoadAsync("l.bin", 1, default);
        TestCluster.ReadAll(local, await local.OpenAsync("l.bin", default), Block);
        await cluster.WaitForFiguresAsync(s => s.BytesFromCache == 3L * Block);

        var stats = await local.Master.StatsAsync(default);
        Assert.Equal(3L * Block, stats.BytesFromCache);
        Assert.Equal(3L * Block, stats.LocalBytesFromCache);
        Assert.Equal(0, stats.BytesFromSource);
    }

    [Fact]
    public async Task A_load_walks_its_targets_for_totals_then_reports_growing_progress_ending_done_and_the_master_keeps_it()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 2);
        var sizes = new Dictionary<string, int> { ["train/a.bin"] = (2 * Block) + 17, ["train/sub/b.bin"] = Block, ["train/sub/c.bin"] = 10, ["val/d.bin"] = 3 * Block, ["other.bin"] = 5 };
        foreach (var (name, size) in sizes)
        {
            cluster.WriteSource(name, size);
        }

        await cluster.WaitForWorkersAsync(2);
        await using var client = await cluster.ClientAsync();
        var loader = new DatasetLoader(client);

        // "/train/sub" is under "/train": its files count once.
        var plan = await loader.PlanAsync(["/train", "val/d.bin", "/train/sub"], default);
        Assert.Equal(["/train", "/val/d.bin", "/train/sub"], plan.Targets.Select(t => t.Path));
        Assert.Equal(4, plan.TotalFiles);
        Assert.Equal(sizes.Where(s => !s.Key.StartsWith("other", StringComparison.Ordinal)).Sum(s => (long)s.Value), plan.TotalBytes);
        Assert.Empty(plan.Targets[2].Files);

        var reports = new List<LoadProgress>();
        var loadedTargets = new List<string>();
        var final = await loader.LoadAsync(plan, new LoadOptions
        {
            ReportInterval = TimeSpan.FromMilliseconds(20),
            Report = async (p, ct) =>
            {
                lock (reports)
                {
                    reports.Add(p);
                }

                await client.Master.ReportProgressAsync("uid-1", p, ct);
            },
            TargetLoaded = (t, _) =>
            {
                loadedTargets.Add(t.Path);
                return Task.CompletedTask;
            },
        }, default);

        Assert.True(final.Done);
        Assert.Equal(plan.TotalBytes, final.LoadedBytes);
        Assert.Equal(4, final.LoadedFiles);
        Assert.Equal(["/train", "/val/d.bin", "/train/sub"], loadedTargets);
        Assert.Equal(0, reports[0].LoadedBytes);
        Assert.Equal(plan.TotalBytes, reports[0].TotalBytes);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.LoadedBytes >= p.First.LoadedBytes && p.Second.LoadedFiles >= p.First.LoadedFiles));
        Assert.Equal(final, reports[^1]);

        var kept = await client.Master.ProgressAsync("uid-1", default);
        Assert.NotNull(kept);
        Assert.True(kept.Done);
        Assert.Equal(plan.TotalBytes, kept.LoadedBytes);
        Assert.NotNull(kept.ReceivedAt);
        Assert.Null(await client.Master.ProgressAsync("uid-2", default));

        await cluster.WaitForFiguresAsync(s => s.CachedBytes == plan.TotalBytes);
        Assert.Equal(plan.TotalBytes, (await client.Master.StatsAsync(default)).CachedBytes);
    }

    [Fact]
    public async Task A_load_of_a_missing_path_fails_naming_it_before_loading_anything()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        cluster.WriteSource("x.bin", 10);
        await using var client = await cluster.ClientAsync();
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => new DatasetLoader(client).PlanAsync(["/x.bin", "/nope"], default));
        Assert.Contains("/nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operation_progress_needs_the_token_and_a_plain_id()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 0);
        using var http = new HttpClient { BaseAddress = cluster.Master.Address };
        var body = new StringContent("""{"totalBytes":10,"loadedBytes":5,"totalFiles":1,"loadedFiles":0,"bytesPerSecond":1,"done":false,"startedAt":"2026-11-22T10:00:00Z"}""", System.Text.Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("api/v1/operations/abc", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/v1/operations/abc")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestCluster.Token);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("api/v1/operations/a%20b", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("api/v1/operations/abc", body)).StatusCode);
        var kept = await http.GetStringAsync("api/v1/operations/abc");
        Assert.Contains("\"loadedBytes\":5", kept, StringComparison.Ordinal);
    }
}
