namespace Fluid.Cache.Ufs;

/// <summary>
/// Where an <c>nfs://server/export/path</c> mount lives. The export is option <c>export</c> when given
/// (the mount point's path must then start with it); otherwise it is the first path segment, so
/// <c>nfs://10.0.0.5/export/data</c> mounts export <c>/export</c> and serves its directory <c>data</c>.
/// libnfs-style arguments in the URI's query (<c>?version=4&amp;nfsport=2049</c>) are read as options;
/// options given on the mount win.
/// </summary>
internal sealed class NfsSettings
{
    public required string Server { get; init; }

    /// <summary>The NFS port, or null for the default (2049 for NFSv4, the portmapper for NFSv3).</summary>
    public int? Port { get; init; }

    /// <summary>The export to mount, with a leading '/'.</summary>
    public required string Export { get; init; }

    /// <summary>The mount's root inside the export, normalized ("" for the export itself).</summary>
    public required string Root { get; init; }

    public required int Version { get; init; }

    public required int Connections { get; init; }

    public required int TimeoutSeconds { get; init; }

    public int? Uid { get; init; }

    public int? Gid { get; init; }

    public string ServerDisplay => Port is { } port ? $"{Server}:{port}" : Server;

    public static NfsSettings Read(UfsMount mount)
    {
        var uri = mount.MountPoint;
        var options = new UfsOptionReader(WithQueryArguments(mount));
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new UfsException($"mount '{mount.Display}': name the NFS server, as in nfs://SERVER/export/path");
        }

        var path = UfsPath.Normalize(Uri.UnescapeDataString(uri.AbsolutePath));
        string export;
        string root;
        if (options.Find("export") is (string name, string value))
        {
            export = UfsPath.Normalize(value);
            if (path != export && !path.StartsWith(export + "/", StringComparison.Ordinal))
            {
                throw new UfsException($"mount '{mount.Display}': option '{name}' is '{value}', but the mount point's path /{path} is not inside it");
            }

            root = path.Length == export.Length ? "" : path[(export.Length + 1)..];
        }
        else
        {
            if (path.Length == 0)
            {
                throw new UfsException($"mount '{mount.Display}': name the export, as in nfs://SERVER/EXPORT/path, or set option export");
            }

            var slash = path.IndexOf('/', StringComparison.Ordinal);
            (export, root) = slash < 0 ? (path, "") : (path[..slash], path[(slash + 1)..]);
        }

        int? port = options.Find("nfsport") is not null ? options.Int(2049, 1, 65535, "nfsport") : uri.Port > 0 ? uri.Port : null;
        var version = options.Int(4, 3, 4, "version", "nfs-version");
        return new NfsSettings
        {
            Server = uri.DnsSafeHost,
            Port = port,
            Export = "/" + export,
            Root = root,
            Version = version,
            Connections = options.Int(4, 1, 64, "connections"),
            TimeoutSeconds = options.Int(60, 1, 3600, "timeout-seconds"),
            Uid = options.Find("uid") is not null ? options.Int(0, 0, int.MaxValue, "uid") : null,
            Gid = options.Find("gid") is not null ? options.Int(0, 0, int.MaxValue, "gid") : null,
        };
    }

    private static UfsMount WithQueryArguments(UfsMount mount)
    {
        var query = mount.MountPoint.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return mount;
        }

        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                merged[Uri.UnescapeDataString(pair[..eq])] = Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        foreach (var (key, value) in mount.Options)
        {
            merged[key] = value;
        }

        return mount with { Options = merged };
    }
}
