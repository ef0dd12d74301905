using Fluid.Control.Engines;
using Fluid.Control.Native;

namespace Fluid.Control.Tests;

public class EngineRegistryTests
{
    private static string Runtime(string kind, string extra = "") => $"""
        apiVersion: data.fluid.io/v1alpha1
        kind: Dataset
        metadata: {"{"}name: demo, namespace: default{"}"}
        spec:
          mounts: [{"{"}mountPoint: "local:///data", name: data{"}"}]
        ---
        apiVersion: data.fluid.io/v1alpha1
        kind: {kind}
        metadata: {"{"}name: demo, namespace: default{"}"}
        spec:
        {extra}
        """;

    [Theory]
    [InlineData("AlluxioRuntime", "alluxio")]
    [InlineData("JuiceFSRuntime", "juicefs")]
    [InlineData("JindoRuntime", "jindo")]
    [InlineData("GooseFSRuntime", "goosefs")]
    [InlineData("EFCRuntime", "efc")]
    public void Classic_kinds_are_served_by_the_native_engine_under_upstreams_runtime_type(string kind, string type)
    {
        var world = new TestWorld(Runtime(kind, "  replicas: 1"));
        var engine = world.Engine();
        Assert.IsType<NativeEngine>(engine);
        Assert.Equal(type, engine.RuntimeType);
    }

    [Fact]
    public void CacheRuntime_is_looked_up_by_its_runtime_class()
    {
        var world = new TestWorld(Runtime("CacheRuntime", "  runtimeClassName: fluid"));
        var engine = world.Engine();
        Assert.IsType<NativeEngine>(engine);
        Assert.Equal("cache", engine.RuntimeType);
        Assert.True(world.Registry.Serves("CacheRuntime", "fluid"));
        Assert.False(world.Registry.Serves("CacheRuntime"));
    }

    [Fact]
    public void An_unknown_runtime_class_is_refused_naming_the_field_and_what_is_served()
    {
        var world = new TestWorld(Runtime("CacheRuntime", "  runtimeClassName: curvine"));
        var error = Assert.Throws<EngineInputException>(() => world.Engine());
        Assert.Equal("spec.runtimeClassName", error.Path);
        Assert.Contains("\"curvine\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("CacheRuntime/fluid", error.Message, StringComparison.Ordinal);
        Assert.Contains("AlluxioRuntime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kind_without_a_registered_engine_is_refused()
    {
        var world = new TestWorld(Runtime("ThinRuntime", "  profileName: rclone"));
        var error = Assert.Throws<EngineInputException>(() => world.Engine());
        Assert.Equal("kind", error.Path);
        Assert.Contains("ThinRuntime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_a_second_engine_for_a_kind_is_a_bug()
    {
        var registry = new EngineRegistry();
        NativeEngine.Register(registry);
        var error = Assert.Throws<InvalidOperationException>(() => NativeEngine.Register(registry));
        Assert.Contains("CacheRuntime/fluid", error.Message, StringComparison.Ordinal);
        Assert.Equal(6, registry.Registered.Count);
    }

    [Fact]
    public void A_newly_registered_kind_is_found_without_changing_shared_code()
    {
        var world = new TestWorld(Runtime("ThinRuntime", "  profileName: rclone"));
        world.Registry.Register("ThinRuntime", null, ctx => new NativeEngine(ctx, new ClassicRuntimeSource("ThinRuntime", "thin")));
        Assert.Equal("thin", world.Engine().RuntimeType);
    }
}
