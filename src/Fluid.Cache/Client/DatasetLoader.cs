using Fluid.Cache.Protocol;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Client;

/// <summary>One path a load was asked for and the files under it (the file itself for a file).</summary>
public sealed record LoadTarget(string Path, IReadOnlyList<UfsEntry> Files)
{
    /// <summary>Bytes of the target's files.</summary>
    public long Bytes => Files.Sum(f => f.Size);
}

/// <summary>What a load covers, found before loading so that its progress has totals; a file under two targets counts once.</summary>
public sealed record LoadPlan(IReadOnlyList<LoadTarget> Targets)
{
    /// <summary>Bytes of every file.</summary>
    public long TotalBytes => Targets.Sum(t => t.Bytes);

    /// <summary>Files.</summary>
    public long TotalFiles => Targets.Sum(t => (long)t.Files.Count);
}

/// <summary>How a load runs and whom it tells.</summary>
public sealed class LoadOptions
{
    /// <summary>Workers that each keep a copy of a block.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How often <see cref="Report"/> hears of the progress while files load.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Told the progress every <see cref="ReportInterval"/> and once at the end (Done, or with the Error that stopped the load).</summary>
    public Func<LoadProgress, CancellationToken, Task>? Report { get; init; }

    /// <summary>Told when every file of a target is cached (the load goes on when it returns).</summary>
    public Func<LoadTarget, CancellationToken, Task>? TargetLoaded { get; init; }
}

/// <summary>
/// Prewarms a dataset (what a DataLoad does): walks the targets first for the totals, then has the
/// workers cache every block of every file, counting bytes as blocks complete, and reports the
/// progress with the rate over the last <see cref="RateWindow"/>.
/// </summary>
public sealed class DatasetLoader(CacheClient client, TimeProvider? time = null)
{
    /// <summary>The rate is the bytes loaded over this last stretch of time, so it follows a source that speeds up or slows down.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The files under each path (a file is its own single file); throws <see cref="FileNotFoundException"/> naming a path that does not exist.</summary>
    public async Task<LoadPlan> PlanAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var targets = new List<LoadTarget>();
        foreach (var path in paths)
        {
            var entry = await client.StatAsync(path, cancellationToken).ConfigureAwait(false)
                ?? throw new FileNotFoundException($"{path}: no such file or directory in dataset {client.Dataset}");
            var files = new List<UfsEntry>();
            if (!entry.IsDirectory)
            {
                files.Add(entry);
            }
            else
            {
                var pending = new Stack<string>([entry.Path]);
                while (pending.Count > 0)
                {
                    foreach (var child in await client.ListAsync(pending.Pop(), cancellationToken).ConfigureAwait(false))
                    {
                        if (child.IsDirectory)
                        {
                            pending.Push(child.Path);
                        }
                        else
                        {
                            files.Add(child);
                        }
                    }
                }
            }

            targets.Add(new LoadTarget("/" + UfsPath.Normalize(path), [.. files.Where(f => seen.Add(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal)]));
        }

        return new LoadPlan(targets);
    }

    /// <summary>Loads every file of the plan; returns the final progress (Done). A failure is reported (with its Error) and thrown.</summary>
    public async Task<LoadProgress> LoadAsync(LoadPlan plan, LoadOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var tracker = new ProgressTracker(plan.TotalBytes, plan.TotalFiles, _time);
        using var stopReports = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reports = options.Report is { } report ? ReportPeriodicallyAsync(tracker, report, options.ReportInterval, stopReports.Token) : Task.CompletedTask;
        try
        {
            foreach (var target in plan.Targets)
            {
                foreach (var file in target.Files)
                {
                    await client.LoadAsync(new CacheFile(file), options.Replicas, tracker.BlockLoaded, cancellationToken).ConfigureAwait(false);
                    tracker.FileLoaded();
                }

                if (options.TargetLoaded is { } loaded)
                {
                    await loaded(target, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await StopAsync(stopReports, reports).ConfigureAwait(false);
            if (options.Report is { } failed)
            {
                await failed(tracker.Snapshot(done: false) with { Error = e.Message }, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        await StopAsync(stopReports, reports).ConfigureAwait(false);
        var final = tracker.Snapshot(done: true);
        if (options.Report is { } last)
        {
            await last(final, cancellationToken).ConfigureAwait(false);
        }

        return final;
    }

    private async Task ReportPeriodicallyAsync(ProgressTracker tracker, Func<LoadProgress, CancellationToken, Task> report, TimeSpan interval, CancellationToken ct)
    {
        try
        {
            // The first report goes out at once, so a watcher sees the totals before the first block is in.
            await report(tracker.Snapshot(done: false), ct).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval, _time);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                await report(tracker.Snapshot(done: false), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task reports)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await reports.ConfigureAwait(false);
    }

    /// <summary>Counts what is loaded and computes the rate over the recent window from snapshots.</summary>
    private sealed class ProgressTracker(long totalBytes, long totalFiles, TimeProvider time)
    {
        private readonly long _started = time.GetTimestamp();
        private readonly DateTimeOffset _startedAt = time.GetUtcNow();
        private readonly Queue<(long Timestamp, long Bytes)> _samples = new();
        private readonly Lock _lock = new();
        private long _bytes;
        private long _files;

        public void BlockLoaded(long bytes) => Interlocked.Add(ref _bytes, bytes);

        public void FileLoaded() => Interlocked.Increment(ref _files);

        public LoadProgress Snapshot(bool done)
        {
            var now = time.GetTimestamp();
            var bytes = Interlocked.Read(ref _bytes);
            long rate;
            lock (_lock)
            {
                _samples.Enqueue((now, bytes));
                while (_samples.Count > 1 && time.GetElapsedTime(_samples.Peek().Timestamp, now) > RateWindow)
                {
                    _samples.Dequeue();
                }

                var (fromTime, fromBytes) = done ? (_started, 0L) : _samples.Peek();
                if (fromTime == now && !done)
                {
                    (fromTime, fromBytes) = (_started, 0L);
                }

                var seconds = time.GetElapsedTime(fromTime, now).TotalSeconds;
                rate = seconds > 0 ? (long)((bytes - fromBytes) / seconds) : 0;
            }

            return new LoadProgress(totalBytes, bytes, totalFiles, Interlocked.Read(ref _files), rate, done, _startedAt);
        }
    }
}
