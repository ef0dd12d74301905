using Fluid.Cache.Ufs;

namespace Fluid.Cache.Protocol;

/// <summary>Options of a Read.</summary>
[Flags]
public enum ReadFlags : byte
{
    /// <summary>Nothing special.</summary>
    None = 0,

    /// <summary>Do not keep the block when it had to be read from the source.</summary>
    NoCache = 1,

    /// <summary>The client reads sequentially: fetch the next blocks ahead.</summary>
    Sequential = 2,
}

/// <summary>
/// Which block of which file version a request is about. The worker checks every field: a path
/// must stay inside the dataset, and the block must lie inside the file.
/// </summary>
public sealed record BlockRequest(string Dataset, string Path, string Version, long FileSize, long BlockIndex)
{
    /// <summary>Writes the fields.</summary>
    public void Write(ref WireWriter writer)
    {
        writer.Str(Dataset);
        writer.Str(Path);
        writer.Str(Version);
        writer.I64(FileSize);
        writer.I64(BlockIndex);
    }

    /// <summary>Reads and checks the fields.</summary>
    public static BlockRequest Read(ref WireReader reader, int blockSize)
    {
        var dataset = reader.Str();
        var rawPath = reader.Str();
        var version = reader.Str();
        var fileSize = reader.I64();
        var index = reader.I64();
        if (dataset.Length == 0 || dataset.Contains('\0', StringComparison.Ordinal))
        {
            throw new ProtocolException("dataset name missing or invalid");
        }

        if (rawPath.StartsWith('/') || rawPath.Length == 0)
        {
            // Dataset paths travel relative; an absolute path is someone trying the host's tree.
            throw new ProtocolException("paths must be relative to the dataset root");
        }

        string path;
        try
        {
            path = UfsPath.Normalize(rawPath);
        }
        catch (UfsException e)
        {
            throw new ProtocolException(e.Message);
        }

        if (fileSize < 0 || index < 0 || index * blockSize >= Math.Max(fileSize, 1))
        {
            throw new ProtocolException($"block {index} is outside a file of {fileSize} bytes");
        }

        return new BlockRequest(dataset, path, version, fileSize, index);
    }

    /// <summary>Bytes in this block of the file.</summary>
    public int BlockLength(int blockSize) => (int)Math.Min(blockSize, FileSize - (BlockIndex * blockSize));
}
