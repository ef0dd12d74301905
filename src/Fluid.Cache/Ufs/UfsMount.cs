namespace Fluid.Cache.Ufs;

/// <summary>
/// A value taken from a Secret (an access key, a password). It never prints itself, so it
/// cannot end up in a log line, an exception message or a status field by accident.
/// </summary>
public sealed class SecretValue(string value)
{
    /// <summary>The secret itself; read it only where it is handed to the storage client.</summary>
    public string Reveal() => value;

    /// <summary>Reads a secret from a file (a mounted Secret key), trimming one trailing newline.</summary>
    public static SecretValue FromFile(string path)
    {
        var text = File.ReadAllText(path);
        return new SecretValue(text.EndsWith('\n') ? text.TrimEnd('\n', '\r') : text);
    }

    /// <inheritdoc/>
    public override string ToString() => "***";
}

/// <summary>
/// Everything a connector needs to open one Dataset mount: the mount point URI, its plain
/// options, and its secret options (from <c>encryptOptions</c>), which are never logged.
/// </summary>
public sealed record UfsMount(
    Uri MountPoint,
    IReadOnlyDictionary<string, string> Options,
    IReadOnlyDictionary<string, SecretValue> Secrets)
{
    /// <summary>A mount with no options.</summary>
    public static UfsMount Of(string mountPoint) =>
        new(new Uri(mountPoint), new Dictionary<string, string>(), new Dictionary<string, SecretValue>());

    /// <summary>The URI with any user info removed, safe to print.</summary>
    public string Display => MountPoint.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);

    /// <inheritdoc/>
    public override string ToString() => Display;
}

/// <summary>Opens connectors for the URI schemes it knows.</summary>
public interface IUfsProvider
{
    /// <summary>The schemes this provider serves, lower case, without "://".</summary>
    IReadOnlyCollection<string> Schemes { get; }

    /// <summary>Opens a connector; throws <see cref="UfsException"/> with an actionable message on bad options.</summary>
    IUnderFileSystem Open(UfsMount mount);
}

/// <summary>A failure a user can fix (bad options, missing credentials, unreachable source).</summary>
public class UfsException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Path rules shared by every connector and by the cache protocol.</summary>
public static class UfsPath
{
    /// <summary>
    /// Turns a dataset path ("/a/b", "a//b/", "./a") into its canonical relative form ("a/b").
    /// Rejects paths that could escape the root: any ".." segment, NUL, or a backslash.
    /// </summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new UfsException("path contains a NUL character");
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            throw new UfsException($"path '{path}' contains a backslash; use '/' to separate directories");
        }

        var parts = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                throw new UfsException($"path '{path}' contains '..'; paths must stay inside the dataset");
            }

            parts.Add(segment);
        }

        return string.Join('/', parts);
    }

    /// <summary>Joins a normalized directory and a child name.</summary>
    public static string Combine(string directory, string name) =>
        directory.Length == 0 ? name : directory + "/" + name;

    /// <summary>The parent of a normalized path ("" for top-level entries).</summary>
    public static string Parent(string path)
    {
        var i = path.LastIndexOf('/');
        return i < 0 ? "" : path[..i];
    }

    /// <summary>True when normalized <paramref name="path"/> is <paramref name="prefix"/> or lies below it ("" contains everything).</summary>
    public static bool IsUnder(string path, string prefix) =>
        prefix.Length == 0 || path == prefix || (path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path[prefix.Length] == '/');

    /// <summary>The last segment of a normalized path.</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];
}
