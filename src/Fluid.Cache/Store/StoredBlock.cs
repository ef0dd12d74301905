using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Store;

/// <summary>A block as the store holds it.</summary>
/// <param name="Id">Which block.</param>
/// <param name="Path">Its file: plain bytes, readable at any offset; the block moves when it spills to another tier.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="Crc">Its CRC-32C, also the last part of the file's name.</param>
/// <param name="Medium">The medium of the tier holding it.</param>
public sealed record StoredBlock(BlockId Id, string Path, long Length, uint Crc, string Medium);

/// <summary>How full one directory of a tier is.</summary>
/// <param name="Medium">The tier's medium.</param>
/// <param name="Directory">The directory as configured.</param>
/// <param name="QuotaBytes">Its quota.</param>
/// <param name="UsedBytes">The bytes of the blocks it holds (blocks still being written or moved in are not counted).</param>
/// <param name="BlockCount">How many blocks it holds.</param>
public sealed record TierUsage(string Medium, string Directory, long QuotaBytes, long UsedBytes, int BlockCount);

/// <summary>
/// An open block whose content matched its CRC when opened. The handle stays valid when the store
/// evicts, spills or removes the block afterwards: the bytes live as long as the handle is open.
/// </summary>
public sealed class BlockReader : IDisposable
{
    internal BlockReader(BlockId id, SafeFileHandle handle, long length, uint crc, string path, string medium)
    {
        Id = id;
        Handle = handle;
        Length = length;
        Crc = crc;
        Path = path;
        Medium = medium;
    }

    /// <summary>Which block.</summary>
    public BlockId Id { get; }

    /// <summary>The open file, for <see cref="RandomAccess"/> reads or to pass to another process.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>The block's size in bytes.</summary>
    public long Length { get; }

    /// <summary>The block's CRC-32C.</summary>
    public uint Crc { get; }

    /// <summary>Where the file was when opened; it may have moved or gone since, the handle has not.</summary>
    public string Path { get; }

    /// <summary>The medium of the tier the file was in when opened.</summary>
    public string Medium { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns fewer only at the end of the block.</summary>
    public int Read(long offset, Span<byte> buffer) => ReadFully(Handle, buffer, offset);

    /// <summary>Reads from <paramref name="handle"/> at <paramref name="offset"/> until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => Handle.Dispose();
}
