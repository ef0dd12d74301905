using Fluid.Kube.Selectors;

namespace Fluid.Kube.Tests.Selectors;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web",
        ["tier"] = "frontend",
        ["fluid.io/dataset"] = "demo",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (web,db)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db, cache)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("missing notin (web)", true)]
    [InlineData("missing in (web)", false)]
    [InlineData("tier", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!tier", false)]
    [InlineData("fluid.io/dataset=demo,app in (web),!missing", true)]
    [InlineData(" app = web , tier = backend ", false)]
    [InlineData("app=", false)]
    [InlineData("missing=", false)]
    public void Matches_labels_as_kubernetes_does(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Fact]
    public void Notin_and_not_equal_match_objects_without_labels()
    {
        Assert.True(LabelSelector.Parse("a!=b,c notin (d),!e").Matches(null));
        Assert.False(LabelSelector.Parse("a").Matches(null));
    }

    [Theory]
    [InlineData("app=web,", "missing after the last ','")]
    [InlineData("app in web", "parenthesized list")]
    [InlineData("app in (web", "not closed")]
    [InlineData("app ~ web", "use =, ==, !=")]
    [InlineData("app like web", "unknown operator \"like\"")]
    [InlineData("-app=web", "label key \"-app\" is not valid")]
    [InlineData("Example.com/app=web", "prefix \"Example.com\"")]
    [InlineData("app=we b", "expected ','")]
    [InlineData("app=-web", "label value \"-web\" is not valid")]
    [InlineData("!app=web", "takes no operator")]
    [InlineData("=web", "expected a label key")]
    public void Rejects_bad_selectors_with_a_message_naming_the_problem(string selector, string message)
    {
        var e = Assert.Throws<SelectorSyntaxException>(() => LabelSelector.Parse(selector));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_selector_prints_back_to_an_equivalent_string()
    {
        var selector = LabelSelector.Parse("app==web,tier in (a,b),!x,y,z notin (q),w!=v");
        Assert.Equal("app=web,tier in (a,b),!x,y,z notin (q),w!=v", selector.ToString());
        Assert.Equal(selector.ToString(), LabelSelector.Parse(selector.ToString()).ToString());
    }

    [Fact]
    public void FromLabels_builds_an_equality_selector()
    {
        var selector = LabelSelector.FromLabels(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Assert.Equal("a=1,b=2", selector.ToString());
        Assert.True(selector.Matches(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["a"] = "1" }));
    }
}

public class FieldSelectorTests
{
    private static readonly Dictionary<string, string> Fields = new()
    {
        ["metadata.name"] = "demo",
        ["metadata.namespace"] = "default",
        ["involvedObject.kind"] = "Dataset",
        ["spec.note"] = "a,b=c",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("metadata.name=demo", true)]
    [InlineData("metadata.name==demo", true)]
    [InlineData("metadata.name!=demo", false)]
    [InlineData("metadata.name=other", false)]
    [InlineData("metadata.name=demo,metadata.namespace=default", true)]
    [InlineData("metadata.name=demo,metadata.namespace!=default", false)]
    [InlineData("involvedObject.kind=Dataset", true)]
    [InlineData("spec.missing=", true)]
    [InlineData("spec.missing!=x", true)]
    [InlineData(@"spec.note=a\,b\=c", true)]
    public void Matches_fields(string selector, bool expected) =>
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(f => Fields.GetValueOrDefault(f)));

    [Theory]
    [InlineData("metadata.name", "has no operator")]
    [InlineData("metadata.name=a,,x=y", "empty requirement")]
    [InlineData("=demo", "is not a field path")]
    [InlineData(@"metadata.name=a\b", "may only escape")]
    public void Rejects_bad_field_selectors(string selector, string message)
    {
        var e = Assert.Throws<SelectorSyntaxException>(() => FieldSelector.Parse(selector));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredValue_finds_the_name_a_selector_pins()
    {
        var selector = FieldSelector.Parse("metadata.name=demo,metadata.namespace!=x");
        Assert.Equal("demo", selector.RequiredValue("metadata.name"));
        Assert.Null(selector.RequiredValue("metadata.namespace"));
        Assert.Equal(@"metadata.name=demo,metadata.namespace!=x", selector.ToString());
    }
}
