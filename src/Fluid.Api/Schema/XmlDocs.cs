using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Fluid.Api.Schema;

/// <summary>Reads the &lt;summary&gt; of types and properties from an assembly's XML documentation file.</summary>
public static partial class XmlDocs
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, string>> Files = new();

    /// <summary>The summary of a type, or null.</summary>
    public static string? Of(Type type) => Lookup(type.Assembly, "T:" + Name(type));

    /// <summary>The summary of a property, or null.</summary>
    public static string? Of(PropertyInfo property) =>
        Lookup(property.DeclaringType!.Assembly, $"P:{Name(property.DeclaringType!)}.{property.Name}");

    private static string Name(Type type)
    {
        var name = (type.FullName ?? type.Name).Replace('+', '.');
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..(tick + 2)];
    }

    private static string? Lookup(Assembly assembly, string id) =>
        Files.GetOrAdd(assembly, Load).GetValueOrDefault(id);

    private static IReadOnlyDictionary<string, string> Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (string.IsNullOrEmpty(assembly.Location) || !File.Exists(path))
        {
            return new Dictionary<string, string>();
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            var id = member.Attribute("name")?.Value;
            var summary = member.Element("summary");
            if (id is null || summary is null)
            {
                continue;
            }

            // <see cref="T:X.Y"/> and <c>x</c> become plain text.
            var text = string.Concat(summary.Nodes().Select(n => n switch
            {
                XElement { Name.LocalName: "see" } see => ShortName(see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? ""),
                XElement e => e.Value,
                _ => n.ToString(),
            }));
            result[id] = Whitespace().Replace(System.Net.WebUtility.HtmlDecode(text), " ").Trim();
        }

        return result;
    }

    private static string ShortName(string cref)
    {
        var dot = cref.LastIndexOf('.');
        return dot < 0 ? cref : cref[(dot + 1)..];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
