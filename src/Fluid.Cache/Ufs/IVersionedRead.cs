namespace Fluid.Cache.Ufs;

/// <summary>
/// A connector that can refuse to read a file whose content is no longer the version the caller
/// cached its metadata for, so blocks of two versions are never mixed into one cached file.
/// </summary>
public interface IVersionedRead
{
    /// <summary>
    /// Like <see cref="IUnderFileSystem.ReadAsync"/>, but throws <see cref="UfsVersionChangedException"/>
    /// when the file's current version is not <paramref name="expectedVersion"/> (a <see cref="UfsEntry.Version"/>).
    /// </summary>
    ValueTask<int> ReadAsync(string path, string expectedVersion, long offset, Memory<byte> buffer, CancellationToken ct);
}

/// <summary>The file changed since its version was read; re-stat it and read again.</summary>
public sealed class UfsVersionChangedException(string message) : UfsException(message);
