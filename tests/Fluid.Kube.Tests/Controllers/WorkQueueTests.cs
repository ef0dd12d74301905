using System.Collections.Concurrent;
using System.Diagnostics;
using Fluid.Kube.Controllers;

namespace Fluid.Kube.Tests.Controllers;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task A_key_is_queued_once_and_a_key_added_while_processing_comes_back_after_Done()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");
        Assert.Equal(2, queue.Count);

        var a = await queue.GetAsync();
        Assert.Equal("ns/a", a!.Key);
        queue.Add("ns/a");
        Assert.Equal(1, queue.Count);

        var b = await queue.GetAsync();
        Assert.Equal("ns/b", b!.Key);
        queue.Done("ns/a");
        Assert.Equal(1, queue.Count);
        Assert.Equal("ns/a", (await queue.GetAsync())!.Key);
    }

    [Fact]
    public async Task Shutting_down_releases_waiting_workers()
    {
        using var queue = new WorkQueue<string>();
        var waiting = queue.GetAsync();
        queue.ShutDown();
        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        queue.Add("x");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Per_key_backoff_doubles_until_forgotten()
    {
        var limiter = new RequeueRateLimiter<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), perSecond: 1000, burst: 1000);

        Assert.Equal(
            [10, 20, 40, 50, 50],
            Enumerable.Range(0, 5).Select(_ => (int)limiter.When("k").TotalMilliseconds));
        Assert.Equal(10, (int)limiter.When("other").TotalMilliseconds);
        Assert.Equal(5, limiter.Failures("k"));
        limiter.Forget("k");
        Assert.Equal(10, (int)limiter.When("k").TotalMilliseconds);
    }

    [Fact]
    public void The_overall_bucket_spaces_out_retries_beyond_the_burst()
    {
        var time = new ManualTime();
        var limiter = new RequeueRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), perSecond: 10, burst: 2, time: time);

        Assert.Equal(1, limiter.When("a").TotalMilliseconds);
        Assert.Equal(1, limiter.When("b").TotalMilliseconds);
        Assert.Equal(100, limiter.When("c").TotalMilliseconds, 3);
        Assert.Equal(200, limiter.When("d").TotalMilliseconds, 3);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, limiter.When("e").TotalMilliseconds, 3);
    }

    [Fact]
    public async Task Rate_limited_adds_arrive_after_their_backoff()
    {
        using var queue = new WorkQueue<string>(new RequeueRateLimiter<string>(TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(1)));
        var watch = Stopwatch.StartNew();
        queue.AddRateLimited("k");
        Assert.Equal(0, queue.Count);

        var item = await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("k", item!.Key);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(140), $"came back after {watch.Elapsed}");
        Assert.Equal(1, queue.Requeues("k"));
    }

    [Fact]
    public async Task Workers_never_reconcile_one_key_at_the_same_time_and_see_changes_made_meanwhile()
    {
        using var queue = new WorkQueue<string>();
        var reconciler = new CountingReconciler(TimeSpan.FromMilliseconds(30));
        var runner = new ControllerRunner("test", queue, reconciler, workers: 4);
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(cts.Token);

        for (var i = 0; i < 20; i++)
        {
            queue.Add("ns/hot");
            queue.Add($"ns/cold-{i % 3}");
            await Task.Delay(5);
        }

        // A change after everything else must still be reconciled after it happened.
        var lastAdd = DateTime.UtcNow;
        queue.Add("ns/hot");
        await WaitUntil(() => queue.Count == 0 && reconciler.Running == 0 && reconciler.LastStart.GetValueOrDefault("ns/hot") > lastAdd);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, reconciler.MaxConcurrentPerKey);
        Assert.True(reconciler.MaxConcurrentOverall > 1, "four workers should reconcile different keys in parallel");
        Assert.InRange(reconciler.Calls["ns/hot"], 2, 21);
    }

    [Fact]
    public async Task Errors_requeue_with_backoff_and_success_forgets_it()
    {
        using var queue = new WorkQueue<string>(new RequeueRateLimiter<string>(TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1)));
        var errors = new ConcurrentQueue<string>();
        var calls = 0;
        var reconciler = new DelegateReconciler((key, _) =>
        {
            return Interlocked.Increment(ref calls) <= 2
                ? throw new InvalidOperationException("the worker StatefulSet is not ready")
                : Task.FromResult(ReconcileResult.Done);
        });
        var runner = new ControllerRunner("test", queue, reconciler, workers: 1, onError: (key, e) => errors.Enqueue($"{key}: {e.Message}"));
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(cts.Token);

        queue.Add("ns/demo");
        await WaitUntil(() => Volatile.Read(ref calls) == 3 && queue.Requeues("ns/demo") == 0);
        await cts.CancelAsync();
        await run;

        Assert.Equal(["ns/demo: the worker StatefulSet is not ready", "ns/demo: the worker StatefulSet is not ready"], errors);
    }

    [Fact]
    public async Task RequeueAfter_brings_the_key_back_after_the_given_time()
    {
        using var queue = new WorkQueue<string>();
        var times = new ConcurrentQueue<DateTime>();
        var reconciler = new DelegateReconciler((_, _) =>
        {
            times.Enqueue(DateTime.UtcNow);
            return Task.FromResult(times.Count < 2 ? ReconcileResult.RequeueAfter(TimeSpan.FromMilliseconds(200)) : ReconcileResult.Done);
        });
        using var cts = new CancellationTokenSource();
        var run = new ControllerRunner("test", queue, reconciler, workers: 1).RunAsync(cts.Token);

        queue.Add("ns/poll");
        await WaitUntil(() => times.Count == 2);
        await cts.CancelAsync();
        await run;

        var t = times.ToArray();
        Assert.True(t[1] - t[0] >= TimeSpan.FromMilliseconds(190), $"came back after {t[1] - t[0]}");
        Assert.Equal("RequeueAfter(00:00:00.2000000)", ReconcileResult.RequeueAfter(TimeSpan.FromMilliseconds(200)).ToString());
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(10);
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private sealed class DelegateReconciler(Func<string, CancellationToken, Task<ReconcileResult>> reconcile) : IReconciler
    {
        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken) => reconcile(key, cancellationToken);
    }

    private sealed class CountingReconciler(TimeSpan work) : IReconciler
    {
        private readonly ConcurrentDictionary<string, int> _running = new();
        private int _overall;

        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public ConcurrentDictionary<string, DateTime> LastStart { get; } = new();

        public int MaxConcurrentPerKey { get; private set; }

        public int MaxConcurrentOverall { get; private set; }

        public int Running => Volatile.Read(ref _overall);

        public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            LastStart[key] = DateTime.UtcNow;
            Calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            var mine = _running.AddOrUpdate(key, 1, (_, n) => n + 1);
            var all = Interlocked.Increment(ref _overall);
            lock (this)
            {
                MaxConcurrentPerKey = Math.Max(MaxConcurrentPerKey, mine);
                MaxConcurrentOverall = Math.Max(MaxConcurrentOverall, all);
            }

            await Task.Delay(work, cancellationToken);
            _running.AddOrUpdate(key, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _overall);
            return ReconcileResult.Done;
        }
    }
}
