using System.Text.Json.Nodes;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Protocol;
using Fluid.Control.Native;
using Fluid.Control.Status;

namespace Fluid.Control.Tests;

public class StatusTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(3, 3, "Ready")]
    [InlineData(3, 1, "PartialReady")]
    [InlineData(3, 0, "NotReady")]
    [InlineData(0, 0, "Ready")]
    public void A_component_is_ready_partially_ready_or_not_by_its_ready_replicas(int desired, int ready, string phase) =>
        Assert.Equal(phase, RuntimeStatusCalculator.Phase(desired, ready));

    [Fact]
    public void A_missing_statefulset_is_not_ready_and_gets_no_conditions()
    {
        var state = RuntimeStatusCalculator.FromStatefulSet(null, 2);
        Assert.Equal(RuntimePhases.NotReady, state.Phase);
        Assert.False(state.Exists);
        Assert.Empty(RuntimeStatusCalculator.Conditions(state, state, RuntimeStatusCalculator.FromDaemonSet(null), null, T0));
    }

    [Fact]
    public void A_fuse_daemonset_scheduled_nowhere_yet_is_ready()
    {
        var ds = new JsonObject { ["status"] = new JsonObject { ["desiredNumberScheduled"] = 0, ["numberReady"] = 0 } };
        Assert.Equal(RuntimePhases.Ready, RuntimeStatusCalculator.FromDaemonSet(ds).Phase);
        var partly = new JsonObject { ["status"] = new JsonObject { ["desiredNumberScheduled"] = 4, ["currentNumberScheduled"] = 4, ["numberReady"] = 1 } };
        var state = RuntimeStatusCalculator.FromDaemonSet(partly);
        Assert.Equal(RuntimePhases.PartialReady, state.Phase);
        Assert.Equal(3, state.Unavailable);
    }

    [Fact]
    public void A_condition_keeps_its_transition_time_while_its_status_holds_and_gets_a_new_one_when_it_flips()
    {
        var ready = RuntimeStatusCalculator.FromStatefulSet(Sts(1, 1), 1);
        var notReady = RuntimeStatusCalculator.FromStatefulSet(Sts(1, 0), 1);
        var none = RuntimeStatusCalculator.FromDaemonSet(null);
        var first = RuntimeStatusCalculator.Conditions(ready, ready, none, null, T0);
        var second = RuntimeStatusCalculator.Conditions(ready, ready, none, first, T0.AddMinutes(5));
        Assert.Equal(T0, second.Single(c => c.Type == "MasterReady").LastTransitionTime);
        Assert.Equal(T0.AddMinutes(5), second.Single(c => c.Type == "MasterReady").LastProbeTime);
        var third = RuntimeStatusCalculator.Conditions(notReady, ready, none, second, T0.AddMinutes(9));
        var master = third.Single(c => c.Type == "MasterReady");
        Assert.Equal("False", master.Status);
        Assert.Equal("The master is not ready.", master.Message);
        Assert.Equal(T0.AddMinutes(9), master.LastTransitionTime);
    }

    [Fact]
    public void Binding_lists_the_runtime_once_and_unbinding_clears_runtimes_and_cache_states()
    {
        var runtime = new DatasetRuntime { Name = "demo", Namespace = "default", Category = "Accelerate", Type = "fluid", MasterReplicas = 1 };
        var bound = DatasetStatusDerivation.Bind(new DatasetStatus { Phase = DatasetPhases.NotBound }, runtime, T0);
        bound = DatasetStatusDerivation.Bind(bound, runtime, T0.AddMinutes(1));
        Assert.Equal(DatasetPhases.Bound, bound.Phase);
        Assert.Single(bound.Runtimes!);
        Assert.Equal(T0, bound.Conditions!.Single().LastTransitionTime);
        Assert.Equal(T0.AddMinutes(1), bound.Conditions!.Single().LastUpdateTime);

        var cached = DatasetStatusDerivation.WithCacheStates(bound, new CacheFigures(1L << 30, 4L << 30, 4L << 30));
        Assert.Equal("25.0%", cached.CacheStates![CacheStateKeys.CachedPercentage]);
        Assert.Equal("0.0%", cached.CacheStates[CacheStateKeys.CacheHitRatio]);
        var unbound = DatasetStatusDerivation.Unbind(cached);
        Assert.Equal(DatasetPhases.NotBound, unbound.Phase);
        Assert.Null(unbound.Runtimes);
        Assert.Null(unbound.CacheStates);
    }

    [Fact]
    public void Cached_percentage_is_left_out_until_the_total_size_is_known_and_never_exceeds_100()
    {
        var unknown = DatasetStatusDerivation.WithCacheStates(new DatasetStatus(), new CacheFigures(5, 10, null));
        Assert.False(unknown.CacheStates!.ContainsKey(CacheStateKeys.CachedPercentage));
        var over = DatasetStatusDerivation.WithCacheStates(new DatasetStatus(), new CacheFigures(20, 10, 10));
        Assert.Equal("100.0%", over.CacheStates![CacheStateKeys.CachedPercentage]);
    }

    [Fact]
    public void Node_labels_count_datasets_and_release_only_this_datasets_exclusive_claim()
    {
        var world = TestWorld.FromExample("local-cacheruntime.yaml");
        var layout = world.Manifests().Layout;
        var tiers = world.Manifests().Tiers();
        var added = CacheNodeLabels.Assign(new Dictionary<string, string> { ["fluid.io/dataset-num"] = "1" }, layout, tiers, exclusive: false, "n");
        Assert.Equal("2", added["fluid.io/dataset-num"]);
        Assert.False(added.ContainsKey("fluid_exclusive"));
        Assert.Equal(added, CacheNodeLabels.Assign(added, layout, tiers, exclusive: false, "n"));

        var claimedByOther = new Dictionary<string, string>(added) { ["fluid_exclusive"] = "ns_other" };
        var removed = CacheNodeLabels.Unassign(claimedByOther, layout, "n");
        Assert.Equal(new Dictionary<string, string> { ["fluid.io/dataset-num"] = "1", ["fluid_exclusive"] = "ns_other" }, removed);

        var bad = new Dictionary<string, string> { ["fluid.io/dataset-num"] = "many" };
        var error = Assert.Throws<InvalidOperationException>(() => CacheNodeLabels.Assign(bad, layout, tiers, exclusive: true, "node-7"));
        Assert.Contains("node-7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_progress_shows_percentage_rate_and_time_left_and_never_100_percent_before_the_end()
    {
        var started = T0.AddMinutes(-5);
        var running = OperationProgressDerivation.From(new LoadProgress(1000L << 20, 400L << 20, 10, 4, 400L << 20 >> 6, false, started, ReceivedAt: T0), now: T0.AddSeconds(1));
        Assert.Equal("40.0%", running.Percentage);
        Assert.Equal("1m36s", running.Eta);
        Assert.Equal(4, running.LoadedFiles);

        var almost = OperationProgressDerivation.From(new LoadProgress(100_000, 99_999, 1, 0, 10, false, started));
        Assert.Equal("99.9%", almost.Percentage);
        Assert.Equal("1s", almost.Eta);

        // Nothing heard from the loader for a while: no rate, no estimate.
        var silent = OperationProgressDerivation.From(new LoadProgress(1000, 400, 10, 4, 100, false, started, ReceivedAt: T0), now: T0.AddMinutes(1));
        Assert.Equal(0, silent.BytesPerSecond);
        Assert.Null(silent.Eta);
        Assert.Equal("40.0%", silent.Percentage);

        var done = OperationProgressDerivation.Completed(running);
        Assert.Equal((done.LoadedBytes, done.LoadedFiles, done.Percentage, done.Eta), (1000L << 20, 10L, "100.0%", "0s"));
        Assert.Equal("0.0%", OperationProgressDerivation.From(new LoadProgress(0, 0, 0, 0, 0, false, started)).Percentage);
        Assert.Equal("40.0% (400.00MiB of 1000.00MiB, 4/10 files) at 6.25MiB/s, 1m36s left", OperationProgressDerivation.Describe(running));
    }

    private static JsonObject Sts(int replicas, int ready) => new()
    {
        ["spec"] = new JsonObject { ["replicas"] = replicas },
        ["status"] = new JsonObject { ["replicas"] = replicas, ["readyReplicas"] = ready },
    };
}
