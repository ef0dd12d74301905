namespace Fluid.Cache.Tests.Store;

/// <summary>A directory deleted with everything in it when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    private TempDirectory(string parent)
    {
        Path = System.IO.Path.Combine(parent, "fluid-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Under the system's temp directory (a disk here).</summary>
    public static TempDirectory OnDisk() => new(System.IO.Path.GetTempPath());

    /// <summary>Under /dev/shm (memory, another file system than the temp directory) when there is one.</summary>
    public static TempDirectory InMemory() => new(Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath());

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
