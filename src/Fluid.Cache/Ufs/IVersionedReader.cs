namespace Fluid.Cache.Ufs;

/// <summary>
/// A connector that can read a range of one exact version of a file: it fails with
/// <see cref="UfsVersionChangedException"/> rather than return bytes of any other version.
/// </summary>
public interface IVersionedReader
{
    /// <summary>
    /// Reads like <see cref="IUnderFileSystem.ReadAsync"/>, but only from the version
    /// <paramref name="expectedVersion"/> (a <see cref="UfsEntry.Version"/> this connector returned).
    /// </summary>
    ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken cancellationToken);
}

/// <summary>The file changed (or went away) since the caller learnt its version; stat it again and retry.</summary>
public class UfsVersionChangedException(string message, string path, string expectedVersion, string? actualVersion)
    : UfsException(message)
{
    /// <summary>The path that was read.</summary>
    public string Path { get; } = path;

    /// <summary>The version the caller asked for.</summary>
    public string ExpectedVersion { get; } = expectedVersion;

    /// <summary>The version the source has now, when it said; null when the file is gone or the source did not say.</summary>
    public string? ActualVersion { get; } = actualVersion;
}

/// <summary>Version-checked reads for every connector.</summary>
public static class VersionedReads
{
    /// <summary>
    /// Reads from exactly <paramref name="expectedVersion"/>: through <see cref="IVersionedReader"/> when the
    /// connector has it, otherwise by a stat after the read (a version seen after the bytes were read
    /// vouches for them, since a version never comes back once its file changed).
    /// </summary>
    public static async ValueTask<int> ReadAsync(
        this IUnderFileSystem ufs, string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ufs);
        if (ufs is IVersionedReader versioned)
        {
            return await versioned.ReadAsync(path, offset, buffer, expectedVersion, cancellationToken);
        }

        var read = await ufs.ReadAsync(path, offset, buffer, cancellationToken);
        var now = await ufs.StatAsync(path, cancellationToken);
        if (now is null || now.Version != expectedVersion)
        {
            throw Changed(ufs.Mount, path, expectedVersion, now?.Version);
        }

        return read;
    }

    /// <summary>The exception connectors throw when a read finds another version than the caller's.</summary>
    public static UfsVersionChangedException Changed(UfsMount mount, string path, string expectedVersion, string? actualVersion)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var now = actualVersion is null ? "it is gone or its version is unknown" : $"it is now {actualVersion}";
        return new UfsVersionChangedException(
            $"{mount.Display}: '{path}' changed while being read (expected version {expectedVersion}, {now}); stat it again and retry",
            path, expectedVersion, actualVersion);
    }
}
