using System.Text.Json.Nodes;
using Fluid.Api.Meta;
using Fluid.Api.Serialization;

namespace Fluid.Api.Tests.V1Alpha1;

/// <summary>Reads one manifest that must load with no error or warning and write back exactly as it was read.</summary>
internal static class CleanManifest
{
    public static T Read<T>(string yaml)
        where T : class, IKubeObject
    {
        var doc = ManifestReader.Read(yaml, "f.yaml").Single();

        Assert.Empty(doc.Errors);
        Assert.Empty(doc.Warnings);
        var typed = Assert.IsAssignableFrom<T>(doc.Object);
        var expected = YamlDocuments.Parse(yaml).Single().Content;
        var written = FluidJson.ToNode(typed);
        Assert.True(JsonNode.DeepEquals(expected, written), $"the round trip differs:\nexpected {expected.ToJsonString()}\nactual   {written.ToJsonString()}");
        return typed;
    }
}
