using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fluid.Api.Core;
using Fluid.Api.Meta;
using Fluid.Api.Schema;
using Fluid.Api.Serialization;

namespace Fluid.Api.Tests.Serialization;

public class ManifestReaderTests
{
    private static readonly KindRegistry Kinds = new KindRegistry().Add(typeof(Widget)).Add(typeof(WidgetV2));

    [Fact]
    public void Reads_typed_and_opaque_objects_from_one_file()
    {
        var docs = ManifestReader.Read("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            stringData: {key: value}
            ---
            apiVersion: test.fluid.io/v1
            kind: Widget
            metadata: {name: w, namespace: ns}
            spec: {size: 3, label: blue}
            """, "f.yaml", Kinds);

        Assert.Equal(2, docs.Count);
        var secret = Assert.IsType<UnstructuredObject>(docs[0].Object);
        Assert.Equal("creds", secret.Metadata.Name);
        Assert.Equal("value", secret.Fields["stringData"]!["key"]!.GetValue<string>());
        var widget = Assert.IsType<Widget>(docs[1].Object);
        Assert.Equal(3, widget.Spec.Size);
        Assert.Equal("Widget/w", docs[1].Display);
        Assert.All(docs, d => Assert.Empty(d.Errors));
        Assert.All(docs, d => Assert.Empty(d.Warnings));
    }

    [Fact]
    public void Warns_on_unknown_fields_with_their_path_and_a_suggestion()
    {
        var doc = ManifestReader.Read("""
            apiVersion: test.fluid.io/v1
            kind: Widget
            metadata: {name: w}
            spec:
              sise: 3
              parts:
              - {name: a, colour: red}
              whatever: {deep: 1}
            """, "f.yaml", Kinds).Single();

        Assert.Empty(doc.Errors);
        Assert.Equal(
            ["spec.sise", "spec.parts[0].colour", "spec.whatever"],
            doc.Warnings.Select(w => w.Path));
        Assert.Contains("did you mean \"size\"", doc.Warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("did you mean \"color\"", doc.Warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_badly_typed_value_at_once()
    {
        var doc = ManifestReader.Read("""
            apiVersion: test.fluid.io/v1
            kind: Widget
            metadata: {name: w, labels: {a: [1]}}
            spec:
              size: two
              count: 1.5
              small: 70000
              enabled: "yes"
              parts: {name: a}
              tags: [a, null]
              when: not-a-time
            """, "f.yaml", Kinds).Single();

        Assert.Equal(
            ["metadata.labels[a]", "spec.size", "spec.count", "spec.small", "spec.enabled", "spec.parts", "spec.tags[1]", "spec.when"],
            doc.Errors.Select(e => e.Path));
        Assert.Contains("expected an integer, got \"two\"", doc.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("expected an integer, got 1.5", doc.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("out of range", doc.Errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("expected true or false", doc.Errors[4].Message, StringComparison.Ordinal);
        Assert.Contains("RFC 3339", doc.Errors[7].Message, StringComparison.Ordinal);
        Assert.NotNull(doc.Object);
    }

    [Fact]
    public void Takes_unquoted_numbers_and_booleans_as_strings_where_strings_are_expected()
    {
        var doc = ManifestReader.Read("""
            apiVersion: test.fluid.io/v1
            kind: Widget
            metadata: {name: w}
            spec: {label: 0.90, tags: [true, 7]}
            """, "f.yaml", Kinds).Single();

        var widget = Assert.IsType<Widget>(doc.Object);
        Assert.Equal("0.90", widget.Spec.Label);
        Assert.Equal(["true", "7"], widget.Spec.Tags!);
    }

    [Fact]
    public void Keeps_preserved_and_opaque_fields_without_warnings()
    {
        var doc = ManifestReader.Read("""
            apiVersion: test.fluid.io/v1
            kind: Widget
            metadata: {name: w}
            spec:
              free: {anything: [1, {x: y}]}
              part: {name: a, legacy: 1}
            """, "f.yaml", Kinds).Single();

        Assert.Empty(doc.Warnings);
        var widget = Assert.IsType<Widget>(doc.Object);
        Assert.Equal(1, widget.Spec.Part!.Extra!["legacy"].GetInt32());
        var json = FluidJson.ToNode(widget);
        Assert.Equal("y", json["spec"]!["free"]!["anything"]![1]!["x"]!.GetValue<string>());
        Assert.Equal(1, json["spec"]!["part"]!["legacy"]!.GetValue<int>());
    }

    [Fact]
    public void Round_trip_keeps_every_field_that_was_set_and_adds_none()
    {
        const string yaml = """
            apiVersion: test.fluid.io/v1
            kind: Widget
            metadata:
              name: w
              labels: {app: x}
            spec:
              size: 0
              enabled: false
              tags: []
              label: ""
              parts:
              - name: a
            """;
        var doc = ManifestReader.Read(yaml, "f.yaml", Kinds).Single();

        var written = FluidJson.ToNode(doc.Object!);
        var expected = YamlDocuments.Parse(yaml).Single().Content;
        Assert.True(JsonNode.DeepEquals(expected, written), written.ToJsonString());
    }

    [Fact]
    public void Names_the_served_version_when_the_api_version_is_wrong()
    {
        var doc = ManifestReader.Read("""
            apiVersion: test.fluid.io/v9
            kind: Widget
            metadata: {name: w}
            """, "f.yaml", Kinds).Single();

        var error = Assert.Single(doc.Errors);
        Assert.Equal("apiVersion", error.Path);
        Assert.Contains("test.fluid.io/v1 or test.fluid.io/v2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requires_api_version_and_kind()
    {
        var doc = ManifestReader.Read("metadata: {name: w}\n", "f.yaml", Kinds).Single();

        Assert.Equal(["apiVersion", "kind"], doc.Errors.Select(e => e.Path));
        Assert.Equal("?/w", doc.Display);
    }

    [Fact]
    public void Expands_lists()
    {
        var docs = ManifestReader.Read("""
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: test.fluid.io/v1, kind: Widget, metadata: {name: a}}
            - {apiVersion: test.fluid.io/v1, kind: Widget, metadata: {name: b}}
            """, "f.yaml", Kinds);

        Assert.Equal(["Widget/a", "Widget/b"], docs.Select(d => d.Display));
    }

    [Fact]
    public void Reports_yaml_syntax_errors_as_a_failed_document_with_the_line()
    {
        var doc = ManifestReader.Read("a: 1\n  b: 2\n", "bad.yaml", Kinds).Single();

        Assert.Null(doc.Object);
        Assert.Contains("not valid YAML: line 2", Assert.Single(doc.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_documents_that_are_not_objects()
    {
        var doc = ManifestReader.Read("- a\n- b\n", "f.yaml", Kinds).Single();

        Assert.Contains("must be an object", Assert.Single(doc.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_json_input()
    {
        var doc = ManifestReader.Read("""{"apiVersion":"test.fluid.io/v1","kind":"Widget","metadata":{"name":"j"},"spec":{"size":2}}""", "f.json", Kinds).Single();

        Assert.Equal(2, Assert.IsType<Widget>(doc.Object).Spec.Size);
    }

    [Fact]
    public void Refuses_oversized_input()
    {
        var doc = ManifestReader.Read(new string('#', (int)ManifestReader.MaxBytes + 1), "big.yaml", Kinds).Single();

        Assert.Contains("refused", Assert.Single(doc.Errors).Message, StringComparison.Ordinal);
    }

    [KubeResource("test.fluid.io", "v1", "Widget", "widgets")]
    public sealed class Widget : KubeObject<WidgetSpec, JsonObject>;

    [KubeResource("test.fluid.io", "v2", "Widget", "widgets")]
    public sealed class WidgetV2 : KubeObject<WidgetSpec, JsonObject>;

    public sealed class WidgetSpec
    {
        public int? Size { get; set; }

        public long? Count { get; set; }

        public short? Small { get; set; }

        public bool? Enabled { get; set; }

        public string? Label { get; set; }

        public List<string>? Tags { get; set; }

        public List<Part>? Parts { get; set; }

        public Part? Part { get; set; }

        public DateTimeOffset? When { get; set; }

        [PreserveUnknownFields]
        public JsonObject? Free { get; set; }

        [Required]
        [JsonPropertyName("intOrString")]
        public IntOrString? Port { get; set; }
    }

    [OpaqueFields("legacy")]
    public sealed class Part
    {
        public string? Name { get; set; }

        public string? Color { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Extra { get; set; }
    }
}
