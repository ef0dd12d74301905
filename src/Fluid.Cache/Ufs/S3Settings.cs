using System.Net;
using Amazon.Runtime;

namespace Fluid.Cache.Ufs;

/// <summary>
/// Where an <c>s3://bucket/prefix</c> or <c>oss://bucket/prefix</c> mount lives and how to reach it,
/// read from the mount's options (our spellings and Alluxio's/Hadoop's) and secrets.
/// </summary>
internal sealed class S3Settings
{
    public required string Bucket { get; init; }

    /// <summary>Key prefix of the mount's root: "" or "a/b/".</summary>
    public required string Prefix { get; init; }

    /// <summary>The service URL when one was given; null means AWS itself, by region.</summary>
    public string? Endpoint { get; init; }

    public required string Region { get; init; }

    public required bool PathStyle { get; init; }

    public required int ListPageSize { get; init; }

    public required AWSCredentials Credentials { get; init; }

    /// <summary>The endpoint as messages name it.</summary>
    public string EndpointDisplay => Endpoint ?? $"https://s3.{Region}.amazonaws.com";

    public static S3Settings Read(UfsMount mount)
    {
        var uri = mount.MountPoint;
        var scheme = uri.Scheme.ToLowerInvariant();
        var options = new UfsOptionReader(mount);
        var bucket = uri.Host;
        if (bucket.Length < 3)
        {
            throw new UfsException($"mount '{mount.Display}': the bucket name goes where the host is ({scheme}://BUCKET/prefix) and has at least 3 characters");
        }

        var prefix = UfsPath.Normalize(Uri.UnescapeDataString(uri.AbsolutePath));
        var endpoint = options.String("endpoint", "alluxio.underfs.s3.endpoint", "fs.s3a.endpoint", "fs.oss.endpoint");
        if (endpoint is not null && !endpoint.Contains("://", StringComparison.Ordinal))
        {
            var secure = options.Bool("fs.s3a.connection.ssl.enabled") ?? true;
            endpoint = (secure ? "https://" : "http://") + endpoint;
        }

        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new UfsException($"mount '{mount.Display}': endpoint '{endpoint}' is not a URL; write it as http://HOST:PORT or https://HOST");
        }

        if (endpoint is null && scheme == "oss")
        {
            throw new UfsException($"mount '{mount.Display}': an oss:// mount needs option fs.oss.endpoint (for example oss-cn-hangzhou.aliyuncs.com)");
        }

        var pathStyle = options.Bool("path-style", "alluxio.underfs.s3.disable.dns.buckets", "fs.s3a.path.style.access")
            ?? DefaultPathStyle(scheme, endpoint);

        return new S3Settings
        {
            Bucket = bucket,
            Prefix = prefix.Length == 0 ? "" : prefix + "/",
            Endpoint = endpoint?.TrimEnd('/'),
            Region = options.String("region", "alluxio.underfs.s3.endpoint.region", "fs.s3a.endpoint.region") ?? "us-east-1",
            PathStyle = pathStyle,
            ListPageSize = options.Int(1000, 1, 1000, "list-page-size"),
            Credentials = ReadCredentials(mount, options),
        };
    }

    /// <summary>
    /// Path-style whenever an endpoint is given (radosgw, MinIO, Ceph), except for oss:// against a named
    /// endpoint: Aliyun OSS refuses path-style requests, and an IP or localhost endpoint cannot be virtual-hosted.
    /// </summary>
    private static bool DefaultPathStyle(string scheme, string? endpoint)
    {
        if (endpoint is null)
        {
            return false;
        }

        if (scheme != "oss")
        {
            return true;
        }

        var host = new Uri(endpoint).Host;
        return host == "localhost" || IPAddress.TryParse(host, out _);
    }

    private static AWSCredentials ReadCredentials(UfsMount mount, UfsOptionReader options)
    {
        (string, string)[] pairs =
        [
            ("access-key", "secret-key"),
            ("aws.accessKeyId", "aws.secretKey"),
            ("fs.s3a.access.key", "fs.s3a.secret.key"),
            ("fs.oss.accessKeyId", "fs.oss.accessKeySecret"),
        ];
        foreach (var (accessName, secretName) in pairs)
        {
            var access = options.Secret(accessName);
            var secret = options.Secret(secretName);
            if (access is null && secret is null)
            {
                continue;
            }

            if (access is null || secret is null)
            {
                var (have, missing) = access is null ? (secretName, accessName) : (accessName, secretName);
                throw new UfsException($"mount '{mount.Display}': encryptOptions has '{have}' but not '{missing}'; give both keys of the pair");
            }

            return new BasicAWSCredentials(access.Value.Value.Reveal(), secret.Value.Value.Reveal());
        }

        if (options.Find("credentials-file") is (string optionName, string file))
        {
            return ReadCredentialsFile(mount, optionName, file);
        }

        return new AnonymousAWSCredentials();
    }

    /// <summary>Reads the [default] profile of an AWS shared credentials file (ini format).</summary>
    private static AWSCredentials ReadCredentialsFile(UfsMount mount, string optionName, string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UfsException($"mount '{mount.Display}': option '{optionName}' names '{file}', which cannot be read ({e.Message})");
        }

        var section = "";
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim();
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "default" && eq > 0)
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        if (!values.TryGetValue("aws_access_key_id", out var accessKey) || !values.TryGetValue("aws_secret_access_key", out var secretKey))
        {
            throw new UfsException(
                $"mount '{mount.Display}': credentials file '{file}' (option '{optionName}') has no [default] section with aws_access_key_id and aws_secret_access_key");
        }

        return values.TryGetValue("aws_session_token", out var token)
            ? new SessionAWSCredentials(accessKey, secretKey, token)
            : new BasicAWSCredentials(accessKey, secretKey);
    }
}
