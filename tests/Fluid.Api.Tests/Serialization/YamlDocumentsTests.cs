using System.Text.Json.Nodes;
using Fluid.Api.Serialization;

namespace Fluid.Api.Tests.Serialization;

public class YamlDocumentsTests
{
    [Fact]
    public void Reads_every_document_and_skips_empty_ones()
    {
        var docs = YamlDocuments.Parse("a: 1\n---\n---\n# only a comment\n---\nb: two\n");

        Assert.Equal(2, docs.Count);
        Assert.Equal(1, docs[0].Content["a"]!.GetValue<int>());
        Assert.Equal("two", docs[1].Content["b"]!.GetValue<string>());
        Assert.Equal(5, docs[1].Line);
    }

    [Theory]
    [InlineData("v: 12", "12")]
    [InlineData("v: -3", "-3")]
    [InlineData("v: 0.10", "0.10")]
    [InlineData("v: 1e3", "1e3")]
    [InlineData("v: true", "true")]
    [InlineData("v: False", "false")]
    [InlineData("v: ~", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: 0x1F", "31")]
    [InlineData("v: 0o17", "15")]
    [InlineData("v: .5", "0.5")]
    [InlineData("v: +7", "7")]
    [InlineData("v: '12'", "\"12\"")]
    [InlineData("v: \"true\"", "\"true\"")]
    [InlineData("v: yes", "\"yes\"")]
    [InlineData("v: 15Gi", "\"15Gi\"")]
    [InlineData("v: 2024-01-01", "\"2024-01-01\"")]
    [InlineData("v: !!str 12", "\"12\"")]
    [InlineData("v: .inf", "\".inf\"")]
    public void Resolves_plain_scalars_by_the_core_schema(string yaml, string json)
    {
        var doc = YamlDocuments.Parse(yaml).Single();

        Assert.Equal(json, doc.Content["v"]?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Expands_anchors_aliases_and_merge_keys()
    {
        var doc = YamlDocuments.Parse("""
            base: &b {x: 1, y: 2}
            copy: *b
            merged:
              <<: *b
              y: 3
            """).Single().Content;

        Assert.Equal("""{"x":1,"y":2}""", doc["copy"]!.ToJsonString());
        Assert.Equal(1, doc["merged"]!["x"]!.GetValue<int>());
        Assert.Equal(3, doc["merged"]!["y"]!.GetValue<int>());
    }

    [Fact]
    public void Rejects_duplicate_keys_with_their_line()
    {
        var e = Assert.Throws<YamlSyntaxException>(() => YamlDocuments.Parse("a: 1\nb: 2\na: 3\n"));

        Assert.Equal(3, e.Line);
        Assert.Contains("duplicate key \"a\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_broken_yaml_with_a_position()
    {
        var e = Assert.Throws<YamlSyntaxException>(() => YamlDocuments.Parse("a: [1, 2\nb: 3\n"));

        Assert.True(e.Line >= 1);
    }

    [Fact]
    public void Refuses_alias_bombs()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        var previous = "a";
        for (var i = 0; i < 9; i++)
        {
            var name = $"l{i}";
            bomb += $"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n";
            previous = name;
        }

        var e = Assert.Throws<YamlSyntaxException>(() => YamlDocuments.Parse(bomb));
        Assert.Contains("expands to more than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_nesting_deeper_than_the_limit()
    {
        var deep = new string('[', YamlDocuments.MaxDepth + 5) + new string(']', YamlDocuments.MaxDepth + 5);

        var e = Assert.Throws<YamlSyntaxException>(() => YamlDocuments.Parse("a: " + deep));
        Assert.Contains("nesting deeper", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_strings_that_would_read_as_other_types_quoted_and_round_trips()
    {
        var original = JsonNode.Parse("""
            {"s1":"12","s2":"true","s3":"yes","s4":"null","s5":"","s6":"1:20","s7":"plain text","s8":"0.10",
             "n":0.10,"b":false,"z":null,"multi":"line one\nline two\n","empty":{},"list":[],"nested":{"l":[{"a":1},"x"]}}
            """)!;

        var yaml = YamlDocuments.Write(original);
        var back = YamlDocuments.Parse(yaml).Single().Content;

        Assert.True(JsonNode.DeepEquals(original, back), yaml);
        Assert.Contains("s7: plain text", yaml, StringComparison.Ordinal);
        Assert.Contains("multi: |", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_several_documents_separated()
    {
        var yaml = YamlDocuments.Write([JsonNode.Parse("""{"a":1}"""), JsonNode.Parse("""{"b":2}""")]);

        Assert.Equal(2, YamlDocuments.Parse(yaml).Count);
        Assert.Contains("---", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_lists_under_keys_the_way_kubectl_does()
    {
        var yaml = YamlDocuments.Write(JsonNode.Parse("""{"spec":{"mounts":[{"name":"a"}]}}"""));

        Assert.Equal("spec:\n  mounts:\n  - name: a\n", yaml);
    }
}
