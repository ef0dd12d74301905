using System.Text.Json.Nodes;
using Fluid.Api.Serialization;
using Fluid.Api.V1Alpha1;

namespace Fluid.Api.Tests.Serialization;

public sealed class ShapeCheckerConcurrencyTests
{
    [Fact]
    public void Threads_checking_their_first_objects_at_once_all_see_every_field()
    {
        // Each round uses the checker's shape cache the way parallel readers do the first time; a shape published
        // before its fields were filled in made some of them report a known field as unknown.
        var manifest = JsonNode.Parse("""{"apiVersion":"data.fluid.io/v1alpha1","kind":"AlluxioRuntime","metadata":{"name":"a"},"spec":{"replicas":2,"tieredstore":{"levels":[{"mediumtype":"MEM","path":"/dev/shm","quota":"1Gi"}]}}}""")!.AsObject();
        var reports = new ShapeReport[16];
        Parallel.For(0, reports.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i => reports[i] = ShapeChecker.Check((JsonObject)manifest.DeepClone(), typeof(AlluxioRuntime)));
        Assert.All(reports, r => Assert.Empty(r.Warnings));
    }
}
