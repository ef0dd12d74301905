namespace Fluid.Api.Validation;

/// <summary>The source URIs a dataset mount (or an external storage) may name, and what is wrong with one.</summary>
public static class MountPoints
{
    /// <summary>Schemes Fluid's runtimes understand, as written in mountPoint.</summary>
    public static readonly IReadOnlyList<string> Schemes =
        ["local", "pvc", "http", "https", "s3", "oss", "hdfs", "nfs", "cos", "obs", "gs", "juicefs", "dataset"];

    /// <summary>The scheme of a mount point ("s3" for s3://bucket), or null when it has none.</summary>
    public static string? SchemeOf(string mountPoint)
    {
        var end = mountPoint.IndexOf("://", StringComparison.Ordinal);
        return end > 0 ? mountPoint[..end] : null;
    }

    /// <summary>(namespace, name) of a dataset:// reference, or null when it is not one.</summary>
    public static (string Namespace, string Name)? DatasetReference(string mountPoint)
    {
        if (!mountPoint.StartsWith("dataset://", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = mountPoint["dataset://".Length..].Split('/');
        return parts.Length == 2 ? (parts[0], parts[1]) : null;
    }

    /// <summary>What is wrong with a mount point, or null when it is well formed.</summary>
    public static string? Problem(string mountPoint)
    {
        if (mountPoint.Contains('\0', StringComparison.Ordinal) || mountPoint.Any(char.IsWhiteSpace))
        {
            return $"\"{Shown(mountPoint)}\" contains whitespace or control characters; remove them";
        }

        var scheme = SchemeOf(mountPoint);
        if (scheme is null)
        {
            return $"\"{Shown(mountPoint)}\" has no scheme; write it as a URI such as local:///mnt/data, pvc://claim/dir, s3://bucket/prefix or https://host/path";
        }

        if (!Schemes.Contains(scheme, StringComparer.Ordinal))
        {
            var lower = scheme.ToLowerInvariant();
            return Schemes.Contains(lower, StringComparer.Ordinal)
                ? $"scheme \"{scheme}://\" must be lowercase: write \"{lower}://\""
                : $"unsupported scheme \"{scheme}://\"; use one of {string.Join(", ", Schemes.Select(s => s + "://"))}";
        }

        var rest = mountPoint[(scheme.Length + 3)..];
        return scheme switch
        {
            "local" => LocalProblem(rest),
            "pvc" => PvcProblem(rest),
            "dataset" => DatasetProblem(rest),
            "http" or "https" => HttpProblem(mountPoint),
            "nfs" => HostAndPathProblem(scheme, rest, "nfs://server/export/dir"),
            "hdfs" => HostAndPathProblem(scheme, rest, "hdfs://namenode:8020/dir"),
            "juicefs" => rest.Trim('/').Length == 0 ? "name the JuiceFS volume: juicefs://volume-name" : SegmentsProblem(rest),
            _ => BucketProblem(scheme, rest),
        };
    }

    /// <summary>What is wrong with a path inside a source or dataset ("..", NUL), or null.</summary>
    public static string? SegmentsProblem(string path)
    {
        foreach (var segment in path.Split('/'))
        {
            if (segment is "..")
            {
                return $"\"{Shown(path)}\" contains \"..\"; paths may not climb out of their source";
            }
        }

        return null;
    }

    private static string? LocalProblem(string rest)
    {
        if (!rest.StartsWith('/'))
        {
            return $"local:// needs an absolute path: write local:///{rest} (three slashes)";
        }

        return rest == "/" ? "local:/// would expose the node's whole file system; name a directory, e.g. local:///mnt/data" : SegmentsProblem(rest);
    }

    private static string? PvcProblem(string rest)
    {
        var claim = rest.Split('/')[0];
        if (claim.Length == 0)
        {
            return "name the claim: pvc://claim-name or pvc://claim-name/sub/dir";
        }

        return Names.Dns1123Subdomain(claim) is { } problem ? $"claim name {problem}" : SegmentsProblem(rest);
    }

    private static string? DatasetProblem(string rest)
    {
        var parts = rest.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return $"a dataset reference is dataset://namespace/name, got dataset://{Shown(rest)}";
        }

        return Names.Dns1123Label(parts[0]) is { } ns ? $"namespace {ns}"
            : Names.Dns1035Label(parts[1]) is { } name ? $"dataset name {name}"
            : null;
    }

    private static string? HttpProblem(string mountPoint)
    {
        if (!Uri.TryCreate(mountPoint, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return $"\"{Shown(mountPoint)}\" is not a valid URL; write it as https://host[:port]/path";
        }

        return uri.UserInfo.Length > 0
            ? "do not put credentials in the URL; give them through encryptOptions from a Secret"
            : SegmentsProblem(uri.AbsolutePath);
    }

    private static string? HostAndPathProblem(string scheme, string rest, string example)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? rest : rest[..slash];
        if (host.Length == 0)
        {
            return $"{scheme}:// needs a server: write it as {example}";
        }

        return SegmentsProblem(rest);
    }

    private static string? BucketProblem(string scheme, string rest)
    {
        var bucket = rest.Split('/')[0];
        if (bucket.Length == 0)
        {
            return $"name the bucket: {scheme}://bucket or {scheme}://bucket/prefix";
        }

        if (bucket.Length < 3 || bucket.Length > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
        {
            return $"bucket \"{Shown(bucket)}\" is not a valid bucket name: use 3-63 lowercase letters, digits, '-' and '.'";
        }

        return SegmentsProblem(rest);
    }

    private static string Shown(string text) => text.Length > 80 ? text[..77] + "..." : text.Replace("\0", "\\0", StringComparison.Ordinal);
}
