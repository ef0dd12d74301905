using System.Globalization;
using Fluid.Cache.Ufs;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>One nfs-ganesha (NFSv4, VFS backend) for every NFS test of the run; it exports a local directory as /export.</summary>
public sealed class GaneshaFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private ScriptedServer? _server;

    public int Port { get; private set; }

    /// <summary>The directory on disk that the server exports as /export.</summary>
    public string ExportDirectory => Path.Combine(_server!.Directory, "export");

    public TimeSpan StartupTime => _server?.StartupTime ?? TimeSpan.Zero;

    public async Task InitializeAsync()
    {
        _server = await ScriptedServer.StartAsync(
            "start-nfs-ganesha.sh",
            () =>
            {
                // ganesha also binds its MOUNT service on the port below the NFS port.
                do
                {
                    Port = TestPorts.Free();
                }
                while (!TestPorts.IsFree(Port - 1));
                return new() { ["NFS_PORT"] = Port.ToString(CultureInfo.InvariantCulture) };
            },
            TimeSpan.FromMinutes(1));
        diagnostics.OnMessage(new DiagnosticMessage($"nfs-ganesha ready on 127.0.0.1:{Port} in {StartupTime.TotalSeconds:0.0} s"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A fresh directory inside the export for one test, and the mount of it.</summary>
    public (string DiskPath, UfsMount Mount) NewDirectory(Dictionary<string, string>? options = null)
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        var disk = Directory.CreateDirectory(Path.Combine(ExportDirectory, name)).FullName;
        options ??= [];
        options.TryAdd("nfsport", Port.ToString(CultureInfo.InvariantCulture));
        return (disk, new UfsMount(new Uri($"nfs://127.0.0.1/export/{name}"), options, new Dictionary<string, SecretValue>()));
    }
}

[CollectionDefinition(Name)]
public sealed class GaneshaCollection : ICollectionFixture<GaneshaFixture>
{
    public const string Name = "nfs-ganesha";
}
