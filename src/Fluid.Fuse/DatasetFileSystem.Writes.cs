using System.Buffers;
using System.Collections.Concurrent;
using Fluid.Cache.Client;
using Fluid.Cache.Ufs;
using Fluid.Fuse.Native;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Fuse;

// Writes of a ReadWriteMany mount. A file open for writing is staged in a local file (with its current content
// unless it is truncated) and goes to the source whole on flush (every close), fsync and release: a close that
// returns 0 means the source has the bytes. Namespace changes (create, mkdir, unlink, rmdir, rename) go to the
// source before they are answered.
public sealed partial class DatasetFileSystem
{
    private const int SetAttrSize = 1 << 3;

    private readonly SourceWriter? _writer;
    private readonly ConcurrentDictionary<ulong, StagedFile> _staged = new();
    private readonly ConcurrentDictionary<ulong, StagedFile> _stagedByInode = new();
    private string? _stagingDirectory;

    /// <summary>Whether changes go through to the sources (the dataset is ReadWriteMany).</summary>
    public bool Writable => _writer is not null;

    internal unsafe int Create(nint request, ulong parent, string name, FuseFileInfo* info)
    {
        if (ChildPath(parent, name) is not { } path)
        {
            return LibC.ENOENT;
        }

        if (_writer is null || !_writer.CanWrite(path))
        {
            return LibC.EROFS;
        }

        // The empty file is in the source at once, so other clients and a lookup after create see it.
        _writer.WriteFileAsync(path, Stream.Null, CancellationToken.None).GetAwaiter().GetResult();
        var ino = InodeOf(path);
        var staged = Stage(ino, path, copyFrom: null);
        var handle = info->Fh = HandleFor(staged);
        var param = EntryOf(new UfsEntry(path, false, 0, DateTimeOffset.UtcNow, ""));
        _lookups.AddOrUpdate(param.Ino, 1, (_, n) => n + 1);
        if (LibFuse.ReplyCreate(request, &param, info) != 0)
        {
            Forget(param.Ino, 1);
            ReleaseStaged(handle);
        }

        return 0;
    }

    internal unsafe int Write(nint request, ulong handle, ReadOnlySpan<byte> data, long offset)
    {
        if (!_staged.TryGetValue(handle, out var staged))
        {
            // Staged files live in the server that opened them; one restarted since cannot know what was written.
            Log.WriteLine("fluid fuse: write on a handle this server did not open (the server was restarted while the file was open for writing); reopen the file");
            return LibC.EIO;
        }

        lock (staged.Gate)
        {
            RandomAccess.Write(staged.Handle, data, offset);
            staged.Dirty = true;
        }

        LibFuse.ReplyWrite(request, (nuint)data.Length);
        return 0;
    }

    internal int Flush(ulong handle) => _staged.TryGetValue(handle, out var staged) ? Upload(staged) : 0;

    internal unsafe int Setattr(nint request, ulong ino, Stat* attributes, int toSet, FuseFileInfo* info)
    {
        if (!_nodes.TryGetPath(ino, out var path) || Stat(path) is not { } entry)
        {
            return LibC.ENOENT;
        }

        if (_writer is null)
        {
            return LibC.EROFS;
        }

        // Modes, owners and times are the source's own; only the size can be changed through the mount.
        if ((toSet & SetAttrSize) != 0)
        {
            if (entry.IsDirectory)
            {
                return LibC.EISDIR;
            }

            var size = attributes->Size;
            if (info is not null && _staged.TryGetValue(info->Fh, out var open))
            {
                lock (open.Gate)
                {
                    RandomAccess.SetLength(open.Handle, size);
                    open.Dirty = true;
                }
            }
            else
            {
                if (!_writer.CanWrite(path))
                {
                    return LibC.EROFS;
                }

                using var staged = Stage(ino, path, copyFrom: size == 0 ? null : entry);
                RandomAccess.SetLength(staged.Handle, size);
                staged.Dirty = true;
                var error = Upload(staged);
                if (error != 0)
                {
                    return error;
                }
            }

            entry = Stat(path) ?? entry;
        }

        var attr = AttributesOf(Overlay(entry, ino), ino);
        LibFuse.ReplyAttr(request, &attr, _timeout);
        return 0;
    }

    internal unsafe int Mkdir(nint request, ulong parent, string name)
    {
        if (ChildPath(parent, name) is not { } path)
        {
            return LibC.ENOENT;
        }

        if (_writer is null)
        {
            return LibC.EROFS;
        }

        if (Stat(path) is not null)
        {
            return LibC.EEXIST;
        }

        _writer.CreateDirectoryAsync(path, CancellationToken.None).GetAwaiter().GetResult();
        var param = EntryOf(Stat(path) ?? new UfsEntry(path, true, 0, DateTimeOffset.UtcNow, ""));
        _lookups.AddOrUpdate(param.Ino, 1, (_, n) => n + 1);
        if (LibFuse.ReplyEntry(request, &param) != 0)
        {
            Forget(param.Ino, 1);
        }

        return 0;
    }

    internal int Unlink(ulong parent, string name, bool directory)
    {
        if (ChildPath(parent, name) is not { } path || Stat(path) is not { } entry)
        {
            return LibC.ENOENT;
        }

        if (_writer is null)
        {
            return LibC.EROFS;
        }

        if (entry.IsDirectory != directory)
        {
            return directory ? LibC.ENOTDIR : LibC.EISDIR;
        }

        if (directory && _client.ListAsync(path, CancellationToken.None).GetAwaiter().GetResult().Count > 0)
        {
            return LibC.ENOTEMPTY;
        }

        _writer.DeleteAsync(path, CancellationToken.None).GetAwaiter().GetResult();
        return 0;
    }

    internal int Rename(ulong parent, string name, ulong newParent, string newName, uint flags)
    {
        const uint NoReplace = 1;
        if (ChildPath(parent, name) is not { } from || ChildPath(newParent, newName) is not { } to || Stat(from) is not { } source)
        {
            return LibC.ENOENT;
        }

        if (_writer is null)
        {
            return LibC.EROFS;
        }

        if ((flags & ~NoReplace) != 0)
        {
            return LibC.EINVAL;
        }

        if (Stat(to) is { } target)
        {
            if ((flags & NoReplace) != 0)
            {
                return LibC.EEXIST;
            }

            if (target.IsDirectory != source.IsDirectory)
            {
                return target.IsDirectory ? LibC.EISDIR : LibC.ENOTDIR;
            }

            if (target.IsDirectory && _client.ListAsync(to, CancellationToken.None).GetAwaiter().GetResult().Count > 0)
            {
                return LibC.ENOTEMPTY;
            }
        }

        if (UfsPath.IsUnder(to, from))
        {
            return LibC.EINVAL;
        }

        _writer.RenameAsync(from, to, CancellationToken.None).GetAwaiter().GetResult();
        // The kernel keeps the node ids of what moved: they now mean the new paths.
        _nodes.Rename(from, to);
        return 0;
    }

    private unsafe int OpenForWriting(nint request, ulong ino, string path, FuseFileInfo* info)
    {
        if (!_writer!.CanWrite(path))
        {
            return LibC.EROFS;
        }

        var truncate = (info->Flags & LibC.OTrunc) != 0;
        var staged = Stage(ino, path, copyFrom: truncate ? null : Stat(path));
        staged.Dirty = truncate;
        var handle = info->Fh = HandleFor(staged);
        if (LibFuse.ReplyOpen(request, info) != 0)
        {
            ReleaseStaged(handle);
        }

        return 0;
    }

    // A staged file gets a handle and becomes what getattr of its inode reports.
    private ulong HandleFor(StagedFile staged)
    {
        _stagedByInode[staged.Ino] = staged;
        return Register(_staged, 0, staged);
    }

    private unsafe int ReadStaged(nint request, StagedFile staged, int size, long offset)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            int read;
            lock (staged.Gate)
            {
                read = RandomAccess.Read(staged.Handle, buffer.AsSpan(0, size), offset);
            }

            fixed (byte* bytes = buffer)
            {
                LibFuse.ReplyBuf(request, bytes, (nuint)read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return 0;
    }

    private int ReleaseStaged(ulong handle)
    {
        if (!_staged.TryRemove(handle, out var staged))
        {
            return 0;
        }

        var error = Upload(staged);
        if (error != 0)
        {
            Log.WriteLine($"fluid fuse: the last changes to {staged.Path} could not be written to the source and are lost (see the error above)");
        }

        _stagedByInode.TryRemove(new KeyValuePair<ulong, StagedFile>(staged.Ino, staged));
        staged.Dispose();
        return 0;
    }

    // The staged content goes to the source whole; the file stays dirty if that fails, so the next flush tries again.
    private int Upload(StagedFile staged)
    {
        lock (staged.Gate)
        {
            if (!staged.Dirty)
            {
                return 0;
            }

            try
            {
                using (var content = new FileStream(staged.StagingPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20))
                {
                    _writer!.WriteFileAsync(staged.Path, content, CancellationToken.None).GetAwaiter().GetResult();
                }

                staged.Dirty = false;
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.WriteLine($"fluid fuse: writing {staged.Path} to the source failed: {e.Message}");
                return ErrorOf(e);
            }
        }
    }

    private StagedFile Stage(ulong ino, string path, UfsEntry? copyFrom)
    {
        var directory = StagingDirectory();
        var stagingPath = Path.Combine(directory, Guid.NewGuid().ToString("N"));
        var handle = File.OpenHandle(stagingPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        var staged = new StagedFile(ino, path, stagingPath, handle);
        try
        {
            if (copyFrom is { IsDirectory: false, Size: > 0 })
            {
                var file = _client.OpenAsync(path, CancellationToken.None).GetAwaiter().GetResult();
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    for (long offset = 0; offset < file.Size;)
                    {
                        var read = _client.Read(file, offset, buffer.AsSpan(0, (int)Math.Min(buffer.Length, file.Size - offset)));
                        if (read == 0)
                        {
                            break;
                        }

                        RandomAccess.Write(handle, buffer.AsSpan(0, read), offset);
                        offset += read;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    private string StagingDirectory()
    {
        if (_stagingDirectory is { } known)
        {
            return known;
        }

        var directory = Options.StagingDirectory ?? Directory.CreateTempSubdirectory("fluid-fuse-staging-").FullName;
        Directory.CreateDirectory(directory);
        return _stagingDirectory = directory;
    }

    // A staging directory this file system made for itself goes with it; one given in the options is the caller's.
    private void DeleteOwnStagingDirectory()
    {
        foreach (var staged in _staged.Values)
        {
            staged.Dispose();
        }

        _staged.Clear();
        if (Options.StagingDirectory is null && _stagingDirectory is { } own && Directory.Exists(own))
        {
            Directory.Delete(own, recursive: true);
        }
    }

    // A file open for writing shows its staged size until it is in the source.
    private UfsEntry Overlay(UfsEntry entry, ulong ino)
    {
        if (_stagedByInode.IsEmpty || !_stagedByInode.TryGetValue(ino, out var staged) || !staged.Dirty)
        {
            return entry;
        }

        return entry with { Size = RandomAccess.GetLength(staged.Handle), ModifiedTime = DateTimeOffset.UtcNow };
    }

    private string? ChildPath(ulong parent, string name) =>
        _nodes.TryGetPath(parent, out var parentPath) ? (parentPath.Length == 0 ? name : parentPath + "/" + name) : null;

    private sealed class StagedFile(ulong ino, string path, string stagingPath, SafeFileHandle handle) : IDisposable
    {
        public ulong Ino { get; } = ino;

        public string Path { get; } = path;

        public string StagingPath { get; } = stagingPath;

        public SafeFileHandle Handle { get; } = handle;

        public Lock Gate { get; } = new();

        public bool Dirty { get; set; }

        public void Dispose()
        {
            Handle.Dispose();
            File.Delete(StagingPath);
        }
    }
}
