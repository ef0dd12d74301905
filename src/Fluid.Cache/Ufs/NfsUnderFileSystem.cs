using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fluid.Cache.Ufs;

/// <summary>Opens <see cref="NfsUnderFileSystem"/> for <c>nfs://</c> mount points.</summary>
public sealed class NfsUfsProvider : IUfsProvider
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> Schemes { get; } = ["nfs"];

    /// <inheritdoc/>
    public IUnderFileSystem Open(UfsMount mount) => new NfsUnderFileSystem(mount);
}

/// <summary>
/// An NFS export read and written in userspace through libnfs (NFSv4 by default), so no kernel
/// NFS client or mount privilege is needed. libnfs sessions are not thread-safe: the connector
/// keeps up to <c>connections</c> (option, default 4) mounted sessions and gives each call one.
/// A file's version is its size, modification time in nanoseconds and inode number, so a file
/// replaced by another with the same size and time (rsync, mv) still counts as changed.
/// </summary>
public sealed class NfsUnderFileSystem : IUnderFileSystem, IVersionedReader
{
    private readonly NfsSettings _settings;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<NfsConnection> _idle = [];
    private volatile bool _disposed;

    /// <summary>Opens a connector; the export is mounted on first use. Throws <see cref="UfsException"/> on bad options.</summary>
    public NfsUnderFileSystem(UfsMount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        Mount = mount;
        _settings = NfsSettings.Read(mount);
        _slots = new SemaphoreSlim(_settings.Connections, _settings.Connections);
    }

    /// <inheritdoc/>
    public UfsMount Mount { get; }

    /// <inheritdoc/>
    public bool CanWrite => true;

    /// <inheritdoc/>
    public Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        return RunAsync(c => Stat(c, path), cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<UfsEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        directory = UfsPath.Normalize(directory);
        var entries = await RunAsync(c => List(c, directory), cancellationToken);
        foreach (var entry in entries)
        {
            yield return entry;
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        ReadCoreAsync(path, null, offset, buffer, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedVersion);
        return ReadCoreAsync(path, expectedVersion, offset, buffer, ct);
    }

    private async ValueTask<int> ReadCoreAsync(string path, string? expectedVersion, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        path = UfsPath.Normalize(path);
        if (buffer.Length == 0)
        {
            return 0;
        }

        return await RunAsync(c => Read(c, path, expectedVersion, offset, buffer.Span), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        path = UfsPath.Normalize(path);
        if (path.Length == 0)
        {
            throw new UfsException($"mount '{Mount.Display}': the root is a directory, not a file");
        }

        // Written under a hidden temporary name and renamed into place, so readers never see half a file.
        var target = NfsPath(path);
        var parent = UfsPath.Parent(path);
        var temp = NfsPath(UfsPath.Combine(parent, $".{UfsPath.Name(path)}.fluid-{Guid.NewGuid():N}.tmp"));
        var (connection, _) = await RentAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(connection.WriteChunk);
        var handle = (nint)0;
        try
        {
            handle = await Task.Run(() => CreateFile(connection, temp, path, parent), CancellationToken.None);
            long offset = 0;
            while (true)
            {
                var n = await content.ReadAsync(buffer.AsMemory(0, connection.WriteChunk), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                await Task.Run(() => Write(connection, handle, offset, buffer.AsSpan(0, n), path), CancellationToken.None);
                offset += n;
            }

            var closing = handle;
            handle = 0;
            await Task.Run(
                () =>
                {
                    connection.Check(LibNfs.nfs_close(connection.Context, closing), "write", path);
                    connection.Check(LibNfs.nfs_rename(connection.Context, temp, target), "write", path);
                },
                CancellationToken.None);
        }
        catch
        {
            if (!connection.Broken)
            {
                if (handle != 0)
                {
                    _ = LibNfs.nfs_close(connection.Context, handle);
                }

                _ = LibNfs.nfs_unlink(connection.Context, temp);
            }

            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Return(connection);
        }
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        if (path.Length == 0)
        {
            throw new UfsException($"mount '{Mount.Display}': cannot delete the root");
        }

        return RunAsync(
            c =>
            {
                var p = NfsPath(path);
                var rc = LibNfs.nfs_stat64(c.Context, p, out var st);
                c.Check(rc, "delete", path);
                c.Check(IsDirectoryMode(st) ? LibNfs.nfs_rmdir(c.Context, p) : LibNfs.nfs_unlink(c.Context, p), "delete", path);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        from = UfsPath.Normalize(from);
        to = UfsPath.Normalize(to);
        if (from.Length == 0 || to.Length == 0)
        {
            throw new UfsException($"mount '{Mount.Display}': cannot rename the root");
        }

        return RunAsync(
            c =>
            {
                var rc = LibNfs.nfs_rename(c.Context, NfsPath(from), NfsPath(to));
                if (rc == -NfsConnection.NoEntry && Stat(c, from) is not null)
                {
                    // The source exists, so the target's directory is what is missing.
                    MakeDirectories(c, UfsPath.Parent(to));
                    rc = LibNfs.nfs_rename(c.Context, NfsPath(from), NfsPath(to));
                }

                c.Check(rc, "rename", from);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        return RunAsync(
            c =>
            {
                MakeDirectories(c, path);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The path libnfs resolves against the mounted export.</summary>
    private string NfsPath(string path) => "/" + (_settings.Root.Length == 0 ? path : path.Length == 0 ? _settings.Root : _settings.Root + "/" + path);

    private static bool IsDirectoryMode(in LibNfs.Stat64 st) => (st.Mode & LibNfs.TypeMask) == LibNfs.TypeDirectory;

    private static UfsEntry Entry(string path, in LibNfs.Stat64 st)
    {
        var modified = DateTimeOffset.FromUnixTimeSeconds((long)st.Mtime).AddTicks((long)st.MtimeNsec / 100);
        if (IsDirectoryMode(st))
        {
            return new UfsEntry(path, true, 0, modified, "");
        }

        var mtimeNs = (st.Mtime * 1_000_000_000UL) + st.MtimeNsec;
        var version = string.Create(CultureInfo.InvariantCulture, $"{st.Size}-{mtimeNs}-{st.Ino}");
        return new UfsEntry(path, false, (long)st.Size, modified, version);
    }

    private UfsEntry? Stat(NfsConnection c, string path)
    {
        var rc = LibNfs.nfs_stat64(c.Context, NfsPath(path), out var st);
        if (rc == -NfsConnection.NoEntry || rc == -NfsConnection.NotDirectory)
        {
            return null;
        }

        c.Check(rc, "stat", path);
        return Entry(path, st);
    }

    private List<UfsEntry> List(NfsConnection c, string directory)
    {
        var names = new List<string>();
        c.Check(LibNfs.nfs_opendir(c.Context, NfsPath(directory), out var dir), "list", directory);
        try
        {
            for (var dirent = LibNfs.nfs_readdir(c.Context, dir); dirent != 0; dirent = LibNfs.nfs_readdir(c.Context, dir))
            {
                var head = Marshal.PtrToStructure<LibNfs.DirentHead>(dirent);
                var name = Marshal.PtrToStringUTF8(head.Name);
                if (name is not (null or "" or "." or ".."))
                {
                    names.Add(name);
                }
            }
        }
        finally
        {
            LibNfs.nfs_closedir(c.Context, dir);
        }

        // libnfs 4 leaves the inode of NFSv4 directory entries unset, and the version needs it: stat each child.
        var entries = new List<UfsEntry>(names.Count);
        foreach (var name in names)
        {
            if (Stat(c, UfsPath.Combine(directory, name)) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private unsafe int Read(NfsConnection c, string path, string? expectedVersion, long offset, Span<byte> buffer)
    {
        c.Check(LibNfs.nfs_open(c.Context, NfsPath(path), LibNfs.ReadOnly, out var handle), "read", path);
        try
        {
            if (expectedVersion is not null)
            {
                CheckVersion(c, handle, path, expectedVersion);
            }

            var total = 0;
            fixed (byte* start = buffer)
            {
                while (total < buffer.Length)
                {
                    var count = Math.Min(buffer.Length - total, c.ReadChunk);
                    var n = c.Check(LibNfs.nfs_pread(c.Context, handle, (ulong)(offset + total), (ulong)count, start + total), "read", path);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }

            // A change during the read would mix two versions in the buffer; the second check catches it.
            if (expectedVersion is not null)
            {
                CheckVersion(c, handle, path, expectedVersion);
            }

            return total;
        }
        finally
        {
            _ = LibNfs.nfs_close(c.Context, handle);
        }
    }

    private void CheckVersion(NfsConnection c, nint handle, string path, string expectedVersion)
    {
        c.Check(LibNfs.nfs_fstat64(c.Context, handle, out var st), "read", path);
        if (Entry(path, st).Version != expectedVersion)
        {
            throw VersionedReads.Changed(Mount, path, expectedVersion, null);
        }
    }

    private nint CreateFile(NfsConnection c, string temp, string path, string parent)
    {
        const int flags = LibNfs.WriteOnly | LibNfs.Create | LibNfs.Truncate;
        var rc = LibNfs.nfs_create(c.Context, temp, flags, 0x1A4, out var handle);
        if (rc == -NfsConnection.NoEntry)
        {
            MakeDirectories(c, parent);
            rc = LibNfs.nfs_create(c.Context, temp, flags, 0x1A4, out handle);
        }

        c.Check(rc, "write", path);
        return handle;
    }

    private static unsafe void Write(NfsConnection c, nint handle, long offset, ReadOnlySpan<byte> data, string path)
    {
        fixed (byte* start = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = c.Check(LibNfs.nfs_pwrite(c.Context, handle, (ulong)(offset + written), (ulong)(data.Length - written), start + written), "write", path);
                if (n == 0)
                {
                    throw new UfsException($"cannot write '{path}': the server accepted no bytes");
                }

                written += n;
            }
        }
    }

    private void MakeDirectories(NfsConnection c, string path)
    {
        var prefix = "";
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            prefix = UfsPath.Combine(prefix, segment);
            var rc = LibNfs.nfs_mkdir(c.Context, NfsPath(prefix));
            if (rc == -NfsConnection.Exists)
            {
                if (Stat(c, prefix) is { IsDirectory: false })
                {
                    throw new UfsException($"mount '{Mount.Display}': cannot create directory '{path}': '{prefix}' is a file");
                }

                continue;
            }

            c.Check(rc, "create directory", prefix);
        }
    }

    private async Task<T> RunAsync<T>(Func<NfsConnection, T> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (connection, wasIdle) = await RentAsync(cancellationToken);
            try
            {
                return await Task.Run(() => call(connection), CancellationToken.None);
            }
            catch (UfsException) when (attempt == 0 && wasIdle && connection.Broken)
            {
                // A pooled session can outlive its NFSv4 lease (libnfs's sync API does not renew it while idle):
                // the server then refuses it as expired, so retry once on a freshly mounted session.
            }
            finally
            {
                Return(connection);
            }
        }
    }

    /// <summary>Takes a free session, mounting a new one while fewer than <c>connections</c> exist.</summary>
    private async Task<(NfsConnection Connection, bool WasIdle)> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return _idle.TryTake(out var idle) ? (idle, true) : (await Task.Run(() => NfsConnection.Open(_settings, Mount.Display), CancellationToken.None), false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Return(NfsConnection connection)
    {
        if (connection.Broken || _disposed)
        {
            connection.Dispose();
        }
        else
        {
            _idle.Add(connection);
            if (_disposed && _idle.TryTake(out var late))
            {
                late.Dispose();
            }
        }

        _slots.Release();
    }
}
