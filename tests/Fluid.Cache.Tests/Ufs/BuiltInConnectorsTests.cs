using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

public class BuiltInConnectorsTests
{
    [Fact]
    public async Task The_built_in_registry_opens_every_scheme_it_ships_with()
    {
        using var dir = new TestDirectory();
        var registry = BuiltInConnectors.Create(claim => claim == "data" ? dir.Path : null);

        Assert.Equal(["hdfs", "http", "https", "local", "nfs", "oss", "pvc", "s3", "webhdfs"], registry.Schemes.Order(StringComparer.Ordinal));
        await using (var local = registry.Open(UfsMount.Of("local://" + dir.Path)))
        {
            Assert.IsType<LocalUnderFileSystem>(local);
        }

        await using (var pvc = registry.Open(UfsMount.Of("pvc://data/")))
        {
            Assert.IsType<LocalUnderFileSystem>(pvc);
        }

        await using (var https = registry.Open(UfsMount.Of("https://example.org/files/")))
        {
            Assert.IsType<HttpUnderFileSystem>(https);
        }

        await using (var hdfs = registry.Open(UfsMount.Of("hdfs://nn:8020/")))
        {
            Assert.IsType<WebHdfsUnderFileSystem>(hdfs);
        }

        var unknown = Assert.Throws<UfsException>(() => registry.Open(UfsMount.Of("ftp://example.org/")));
        Assert.Contains("supported: hdfs, http, https, local, nfs, oss, pvc, s3, webhdfs", unknown.Message, StringComparison.Ordinal);
    }
}
