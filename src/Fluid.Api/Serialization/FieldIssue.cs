namespace Fluid.Api.Serialization;

/// <summary>A problem with one field of a document: its path (e.g. spec.mounts[0].name) and what to do.</summary>
public sealed record FieldIssue(string Path, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>Builds Kubernetes-style field paths: a.b, a[0], a[key].</summary>
public static class FieldPath
{
    /// <summary>The path of a named child field.</summary>
    public static string Child(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>The path of a list item.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The path of a map entry.</summary>
    public static string Key(string parent, string key) => $"{parent}[{key}]";
}
