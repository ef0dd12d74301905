using Fluid.Cli.Commands;

namespace Fluid.Cli.Tests;

public sealed class UpCommandTests
{
    [Theory]
    [InlineData("demo-master-0", "demo", true)]
    [InlineData("demo-worker-12", "demo", true)]
    [InlineData("demo-fuse-x7k2p", "demo", true)]
    [InlineData("demo-locked-master-0", "demo", false)]
    [InlineData("demo-locked-fuse-x7k2p", "demo", false)]
    [InlineData("demo-warm-loader-job-abcde", "demo", false)]
    [InlineData("demo-master-master-0", "demo", false)]
    [InlineData("demo-master-0", "demo-master", false)]
    [InlineData("demo-master-master-0", "demo-master", true)]
    [InlineData("demo-master-0", "demo-master-0", false)]
    public void A_blocking_pod_event_counts_only_for_its_own_runtimes_pods(string pod, string runtime, bool expected) =>
        Assert.Equal(expected, UpCommand.IsRuntimePod(pod, runtime));
}
