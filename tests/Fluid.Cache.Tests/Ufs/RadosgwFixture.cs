using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Fluid.Cache.Ufs;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>One radosgw (with its Ceph mon and memstore OSD) for every S3 test of the run.</summary>
public sealed class RadosgwFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string AccessKey = "FLUIDTESTAK";

    private ScriptedServer? _server;

    /// <summary>The S3 user's secret, fresh per run so a test can check it never leaks into a message.</summary>
    public string SecretKey { get; } = "sk" + Guid.NewGuid().ToString("N");

    public string Endpoint { get; private set; } = "";

    public TimeSpan StartupTime => _server?.StartupTime ?? TimeSpan.Zero;

    public async Task InitializeAsync()
    {
        var port = 0;
        _server = await ScriptedServer.StartAsync(
            "start-radosgw.sh",
            () =>
            {
                port = TestPorts.Free();
                return new()
                {
                    ["RGW_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["MON_PORT"] = TestPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["S3_AK"] = AccessKey,
                    ["S3_SK"] = SecretKey,
                    ["MEMSTORE_BYTES"] = (1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            },
            TimeSpan.FromMinutes(2));
        Endpoint = $"http://127.0.0.1:{port}";
        diagnostics.OnMessage(new DiagnosticMessage($"radosgw ready at {Endpoint} in {StartupTime.TotalSeconds:0.0} s"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A client that sets up and inspects buckets independently of the connector under test.</summary>
    public AmazonS3Client AdminClient() =>
        new(
            new BasicAWSCredentials(AccessKey, SecretKey),
            new AmazonS3Config
            {
                ServiceURL = Endpoint,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });

    /// <summary>Creates a bucket with a unique name for one test.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var bucket = "t-" + Guid.NewGuid().ToString("N")[..20];
        using var client = AdminClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return bucket;
    }

    public async Task<string> PutAsync(string bucket, string key, byte[] content)
    {
        using var client = AdminClient();
        using var body = new MemoryStream(content);
        var response = await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, UseChunkEncoding = false });
        return response.ETag;
    }

    public async Task<List<string>> KeysAsync(string bucket)
    {
        using var client = AdminClient();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A mount of the bucket with our own option names and the right keys.</summary>
    public UfsMount Mount(string mountPoint, Dictionary<string, string>? options = null, Dictionary<string, SecretValue>? secrets = null)
    {
        options ??= [];
        options.TryAdd("endpoint", Endpoint);
        return new UfsMount(
            new Uri(mountPoint),
            options,
            secrets ?? new Dictionary<string, SecretValue> { ["access-key"] = new(AccessKey), ["secret-key"] = new(SecretKey) });
    }
}

[CollectionDefinition(Name)]
public sealed class RadosgwCollection : ICollectionFixture<RadosgwFixture>
{
    public const string Name = "radosgw";
}
