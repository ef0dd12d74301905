using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>Mistakes in a mount's options are explained when the connector is opened, before any server is asked.</summary>
public sealed class ConnectorOptionsTests
{
    private static readonly UfsRegistry Registry = new UfsRegistry().AddBuiltInConnectors();

    [Theory]
    [InlineData("s3://bucket", typeof(S3UnderFileSystem))]
    [InlineData("oss://bucket", typeof(S3UnderFileSystem))]
    [InlineData("nfs://server/export", typeof(NfsUnderFileSystem))]
    public async Task Built_in_connectors_serve_their_schemes(string mountPoint, Type connector)
    {
        var options = new Dictionary<string, string> { ["endpoint"] = "http://127.0.0.1:1" };
        await using var ufs = Registry.Open(new UfsMount(new Uri(mountPoint), options, new Dictionary<string, SecretValue>()));

        Assert.IsType(connector, ufs);
    }

    [Theory]
    [InlineData("s3://bucket", "list-page-size", "0", "option 'list-page-size' is '0'; expected a whole number from 1 to 1000")]
    [InlineData("s3://bucket", "path-style", "maybe", "option 'path-style' is 'maybe'; expected true or false")]
    [InlineData("oss://bucket", "region", "cn", "an oss:// mount needs option fs.oss.endpoint")]
    [InlineData("s3://bucket", "credentials-file", "/nonexistent/credentials", "option 'credentials-file' names '/nonexistent/credentials', which cannot be read")]
    [InlineData("nfs://server", "nfsport", "2049", "name the export, as in nfs://SERVER/EXPORT/path, or set option export")]
    [InlineData("nfs://server/export/data", "connections", "0", "option 'connections' is '0'; expected a whole number from 1 to 64")]
    [InlineData("nfs://server/export/data", "export", "/srv", "option 'export' is '/srv', but the mount point's path /export/data is not inside it")]
    [InlineData("nfs://server/export/data", "version", "2", "option 'version' is '2'; expected a whole number from 3 to 4")]
    public void A_bad_option_is_named_with_what_to_write_instead(string mountPoint, string option, string value, string message)
    {
        var mount = new UfsMount(new Uri(mountPoint), new Dictionary<string, string> { [option] = value }, new Dictionary<string, SecretValue>());

        var failure = Assert.Throws<UfsException>(() => Registry.Open(mount));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_a_key_pair_names_the_missing_half_and_never_the_secret()
    {
        var mount = new UfsMount(
            new Uri("s3://bucket"),
            new Dictionary<string, string>(),
            new Dictionary<string, SecretValue> { ["fs.s3a.secret.key"] = new("very-secret-value") });

        var failure = Assert.Throws<UfsException>(() => Registry.Open(mount));

        Assert.Contains("has 'fs.s3a.secret.key' but not 'fs.s3a.access.key'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", mount.ToString(), StringComparison.Ordinal);
    }
}
