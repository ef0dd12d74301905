using Fluid.Api.Meta;
using Fluid.Api.V1Alpha1;
using Fluid.Kube.Resources;

namespace Fluid.Kube.Tests.Resources;

public sealed class ResourceDescriptorTests
{
    [Fact]
    public void Core_kinds_live_under_api_v1_and_group_kinds_under_apis()
    {
        var registry = ResourceRegistry.Default;

        Assert.Equal("/api/v1/namespaces/ns1/pods/p-0/status", registry.For("v1", "Pod").Path("ns1", "p-0", "status"));
        Assert.Equal("/api/v1/nodes/node-1", registry.For("v1", "Node").Path(null, "node-1"));
        Assert.Equal("/apis/apps/v1/namespaces/ns1/statefulsets", registry.For("apps/v1", "StatefulSet").Path("ns1"));
        Assert.Equal("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/fluid", registry.For("coordination.k8s.io/v1", "Lease").Path("kube-system", "fluid"));
        Assert.Equal("/apis/batch/v1/jobs", registry.For("batch/v1", "Job").Path(""));
        Assert.Equal("/apis/data.fluid.io/v1alpha1/thinruntimeprofiles/s3fs", registry.For(typeof(ThinRuntimeProfile)).Path(null, "s3fs"));
    }

    [Theory]
    [InlineData("datasets", "Dataset")]
    [InlineData("dataset", "Dataset")]
    [InlineData("Dataset", "Dataset")]
    [InlineData("datasets.data.fluid.io", "Dataset")]
    [InlineData("dataset.v1alpha1.data.fluid.io", "Dataset")]
    [InlineData("load", "DataLoad")]
    [InlineData("alluxio", "AlluxioRuntime")]
    [InlineData("po", "Pod")]
    [InlineData("pods.v1", "Pod")]
    [InlineData("no", "Node")]
    [InlineData("pvc", "PersistentVolumeClaim")]
    [InlineData("cm", "ConfigMap")]
    [InlineData("sts", "StatefulSet")]
    [InlineData("statefulsets.apps", "StatefulSet")]
    [InlineData("ds", "DaemonSet")]
    [InlineData("jobs", "Job")]
    [InlineData("ev", "Event")]
    public void Kubectl_resource_names_resolve_to_their_kind(string name, string kind) =>
        Assert.Equal(kind, ResourceRegistry.Default.Resolve(name)?.Kind);

    [Theory]
    [InlineData("ingresses")]
    [InlineData("datasets.apps")]
    [InlineData("pods.v2")]
    public void Names_the_registry_does_not_know_resolve_to_nothing(string name) =>
        Assert.Null(ResourceRegistry.Default.Resolve(name));

    [Fact]
    public void Every_Fluid_kind_and_every_kind_the_reconcilers_create_is_registered()
    {
        var registry = ResourceRegistry.Default;
        foreach (var kind in KindRegistry.Default.All)
        {
            var d = registry.For(kind.Type);
            Assert.Equal(kind.ApiVersion, d.ApiVersion);
            Assert.Equal(kind.Namespaced, d.Namespaced);
        }

        Assert.True(registry.For(typeof(Dataset)).HasStatus);
        Assert.True(registry.For(typeof(AlluxioRuntime)).HasScale);
        foreach (var kind in new[] { "Pod", "Node", "PersistentVolume", "PersistentVolumeClaim", "ConfigMap", "Secret", "Service", "Event", "Namespace" })
        {
            Assert.Equal("v1", registry.For("v1", kind).ApiVersion);
        }

        Assert.False(registry.For("v1", "PersistentVolume").Namespaced);
        var e = Assert.Throws<ArgumentException>(() => registry.For("apps/v1beta1", "Deployment"));
        Assert.Equal("kind Deployment is not served as apps/v1beta1; use apiVersion apps/v1", e.Message);
    }

    [Theory]
    [InlineData("a/b", "may not be '.' or '..' or contain '/' or '%'")]
    [InlineData("..", "may not be '.' or '..'")]
    [InlineData("50%", "contain '/' or '%'")]
    [InlineData("", "must not be empty")]
    public void Names_that_cannot_be_a_path_segment_are_rejected(string name, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ResourceRegistry.Default.For("v1", "ConfigMap").Path("default", name));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Namespaces_are_checked_against_the_scope_of_the_kind()
    {
        var registry = ResourceRegistry.Default;
        Assert.Contains("cluster-scoped", Assert.Throws<ArgumentException>(() => registry.For("v1", "Node").Path("default", "n")).Message, StringComparison.Ordinal);
        Assert.Contains("name the namespace", Assert.Throws<ArgumentException>(() => registry.For("v1", "Pod").Path(null, "p")).Message, StringComparison.Ordinal);
        Assert.Contains("namespace \"Bad_NS\" is not a valid name", Assert.Throws<ArgumentException>(() => registry.For("v1", "Pod").Path("Bad_NS")).Message, StringComparison.Ordinal);
        Assert.Equal("/api/v1/namespaces/default/configmaps/a.b-c", registry.For("v1", "ConfigMap").Path("default", "a.b-c"));
        Assert.Equal("/api/v1/namespaces/default/configmaps/caf%C3%A9%20x", registry.For("v1", "ConfigMap").Path("default", "café x"));
    }
}
