using System.Text;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>A fresh directory under /tmp, removed with everything in it.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory(string? parent = null)
    {
        Path = System.IO.Path.Join(parent ?? System.IO.Path.GetTempPath(), "fluid-ufs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Writes a file (creating its directories) and returns its full path.</summary>
    public string Write(string relative, byte[] content)
    {
        var full = System.IO.Path.Join(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public string Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up; a test must not fail on cleanup.
        }
    }
}

internal static class TestData
{
    /// <summary>Bytes whose value depends on their position, so a read at the wrong offset shows.</summary>
    public static byte[] Pattern(int length, int seed = 0)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + (i >> 8) + seed);
        }

        return bytes;
    }

    public static async Task<List<UfsEntry>> ListAll(this IUnderFileSystem ufs, string directory)
    {
        var entries = new List<UfsEntry>();
        await foreach (var entry in ufs.ListAsync(directory, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return [.. entries.OrderBy(e => e.Path, StringComparer.Ordinal)];
    }

    /// <summary>Reads <paramref name="length"/> bytes at an offset and returns what came back.</summary>
    public static async Task<byte[]> Read(this IUnderFileSystem ufs, string path, long offset, int length, string? version = null)
    {
        var buffer = new byte[length];
        var n = version is null
            ? await ufs.ReadAsync(path, offset, buffer, CancellationToken.None)
            : await ufs.ReadAsync(path, offset, buffer, version, CancellationToken.None);
        return buffer[..n];
    }

    public static byte[] Slice(this byte[] bytes, long offset, int length) =>
        offset >= bytes.Length ? [] : bytes[(int)offset..(int)Math.Min(bytes.Length, offset + length)];

    public static UfsMount Mount(string uri, Dictionary<string, string>? options = null, Dictionary<string, SecretValue>? secrets = null) =>
        new(new Uri(uri), options ?? [], secrets ?? []);
}
