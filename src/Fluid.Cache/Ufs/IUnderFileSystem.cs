namespace Fluid.Cache.Ufs;

/// <summary>
/// One entry of an under file system, by its path relative to the mount's root.
/// </summary>
/// <param name="Path">Relative path with '/' separators, no leading '/', "" for the root.</param>
/// <param name="IsDirectory">True for a directory (or an S3 common prefix).</param>
/// <param name="Size">Size in bytes; 0 for directories.</param>
/// <param name="ModifiedTime">Last modification time as the source reports it.</param>
/// <param name="Version">
/// What changes when the content changes: an ETag where the source has one, otherwise
/// size and modification time. Blocks cached under one version are never served for another.
/// </param>
public sealed record UfsEntry(string Path, bool IsDirectory, long Size, DateTimeOffset ModifiedTime, string Version);

/// <summary>
/// A connector to the storage a Dataset mount points at (local, http, s3, nfs, hdfs, ...).
/// Paths are relative to the mount's root and already normalized by <see cref="UfsPath"/>.
/// </summary>
public interface IUnderFileSystem : IAsyncDisposable
{
    /// <summary>The mount this connector was opened for.</summary>
    UfsMount Mount { get; }

    /// <summary>True when the connector supports the write operations below.</summary>
    bool CanWrite { get; }

    /// <summary>Stat of one path; null when it does not exist.</summary>
    Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>The direct children of a directory, in no particular order.</summary>
    IAsyncEnumerable<UfsEntry> ListAsync(string directory, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns fewer only at end of file.
    /// </summary>
    ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a whole file with the content of a stream.</summary>
    Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken);

    /// <summary>Deletes a file or an empty directory.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Renames a file, replacing the target if it exists.</summary>
    Task RenameAsync(string from, string to, CancellationToken cancellationToken);

    /// <summary>Creates a directory and its parents.</summary>
    Task CreateDirectoryAsync(string path, CancellationToken cancellationToken);
}
