using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fluid.Cache.Ufs;

/// <summary>One child a directory listing names: the connector stats files itself for their version.</summary>
internal readonly record struct ListedChild(string Name, bool IsDirectory);

/// <summary>The directory listings web servers generate: nginx's JSON autoindex and HTML indexes.</summary>
internal static partial class HttpListings
{
    /// <summary>
    /// nginx <c>autoindex_format json</c>: an array of <c>{"name", "type": "file"|"directory"|..., "mtime", "size"}</c>.
    /// Other types (sockets, devices) are left out.
    /// </summary>
    public static List<ListedChild> ParseJson(Stream json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("expected a JSON array of {name, type, mtime, size} as nginx's autoindex_format json writes");
        }

        var children = new List<ListedChild>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("an entry of the JSON listing has no string 'name' and 'type'");
            }

            var kind = type.GetString();
            if ((kind == "file" || kind == "directory") && IsChildName(name.GetString()))
            {
                children.Add(new ListedChild(name.GetString()!, kind == "directory"));
            }
        }

        return children;
    }

    /// <summary>
    /// An HTML index (nginx, Apache, python -m http.server): every link to a direct child of
    /// <paramref name="directoryPath"/>, a trailing '/' marking a directory. Sorting links, parents,
    /// other sites and deeper paths are skipped.
    /// </summary>
    public static List<ListedChild> ParseHtml(string html, string directoryPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var children = new List<ListedChild>();
        foreach (Match match in HrefPattern().Matches(html))
        {
            var href = WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value).Trim();
            if (href.Length == 0 || href[0] is '?' or '#' || IsOtherSite(href))
            {
                continue;
            }

            if (href.StartsWith('/'))
            {
                // An absolute link names a child only when it is under this directory.
                if (!href.StartsWith(directoryPath, StringComparison.Ordinal))
                {
                    continue;
                }

                href = href[directoryPath.Length..];
            }

            if (href.StartsWith("./", StringComparison.Ordinal))
            {
                href = href[2..];
            }

            var isDirectory = href.EndsWith('/');
            var escaped = isDirectory ? href[..^1] : href;
            if (escaped.Length == 0 || escaped.Contains('/', StringComparison.Ordinal) || escaped.Contains('?', StringComparison.Ordinal))
            {
                continue;
            }

            var name = Uri.UnescapeDataString(escaped);
            if (IsChildName(name) && seen.Add(name))
            {
                children.Add(new ListedChild(name, isDirectory));
            }
        }

        return children;
    }

    /// <summary>
    /// A manifest: one file a line, <c>relative/path&lt;TAB&gt;size</c> (the size may be left out), UTF-8;
    /// blank lines and lines starting with '#' are skipped. Returns the files with their sizes (-1 when left out).
    /// </summary>
    public static Dictionary<string, long> ParseManifest(TextReader reader, string manifestName)
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split('\t');
            long size = -1;
            if (fields.Length > 2 || (fields.Length == 2 && (!long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 0)))
            {
                throw new FormatException($"manifest '{manifestName}' line {number}: expected 'relative/path<TAB>size in bytes', got '{line}'");
            }

            string path;
            try
            {
                path = UfsPath.Normalize(fields[0]);
            }
            catch (UfsException e)
            {
                throw new FormatException($"manifest '{manifestName}' line {number}: {e.Message}", e);
            }

            if (path.Length == 0)
            {
                throw new FormatException($"manifest '{manifestName}' line {number}: the path is empty");
            }

            files[path] = size;
        }

        return files;
    }

    // "http://...", "mailto:..." and "//host/..." lead elsewhere; nginx writes "./a:b" for a name with a colon.
    private static bool IsOtherSite(string href)
    {
        if (href.StartsWith("//", StringComparison.Ordinal))
        {
            return true;
        }

        var colon = href.IndexOf(':', StringComparison.Ordinal);
        var slash = href.IndexOf('/', StringComparison.Ordinal);
        return colon >= 0 && (slash < 0 || colon < slash);
    }

    private static bool IsChildName(string? name) =>
        !string.IsNullOrEmpty(name) && name != "." && name != ".." && !name.Contains('/', StringComparison.Ordinal);

    [GeneratedRegex("""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HrefPattern();
}
