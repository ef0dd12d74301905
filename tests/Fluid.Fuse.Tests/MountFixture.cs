using System.Diagnostics;
using Fluid.Cache.Client;

namespace Fluid.Fuse.Tests;

/// <summary>A test cluster over a source tree, mounted once through FUSE for a class of tests.</summary>
public sealed class MountFixture : IAsyncLifetime
{
    public static readonly (string Name, int Length)[] Files =
    [
        ("big.bin", (4 * TestCluster.BlockSize) + 12345),
        ("empty.txt", 0),
        ("odd.bin", 777),
        ("a/exact.bin", TestCluster.BlockSize),
        ("a/b/side.txt", 4096),
        ("a/b/c/deep.bin", 300_001),
        ("dir with space/ü.txt", 10),
    ];

    public TestCluster Cluster { get; private set; } = null!;

    public CacheClient Client { get; private set; } = null!;

    public FuseMount Mount { get; private set; } = null!;

    public string MountPoint => Path.Combine(Cluster.Root, "mnt");

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync();
        foreach (var (name, length) in Files)
        {
            Cluster.WriteSource(name, length);
        }

        Directory.CreateDirectory(Path.Combine(Cluster.SourceDir, "empty-dir"));
        Client = await Cluster.ClientAsync();
        Directory.CreateDirectory(MountPoint);
        Mount = FuseMount.Mount(MountPoint, new DatasetFileSystem(Client));
    }

    public async Task DisposeAsync()
    {
        Mount?.Dispose();
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    public static (int Exit, string Out, string Error) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    public static bool IsMounted(string mountPoint) =>
        File.ReadAllLines("/proc/self/mounts").Any(l => l.Split(' ')[1] == mountPoint.Replace(" ", "\\040", StringComparison.Ordinal));
}
