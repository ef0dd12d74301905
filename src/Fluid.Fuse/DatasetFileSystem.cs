using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Fluid.Cache.Client;
using Fluid.Cache.Ufs;
using Fluid.Fuse.Native;

namespace Fluid.Fuse;

/// <summary>How the dataset looks through the mount.</summary>
public sealed class DatasetFileSystemOptions
{
    /// <summary>How long the kernel reuses attributes and name lookups before asking again.</summary>
    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Kernel readahead of the mount, in bytes (set through the mount's bdi after it is up).</summary>
    public int ReadaheadBytes { get; init; } = 4 << 20;

    /// <summary>
    /// File that keeps the inode number of every path handed to the kernel, so a server restarted on the
    /// same FUSE connection (see <see cref="FuseSupervisor"/>) resolves the kernel's node ids; null keeps them in memory only.
    /// </summary>
    public string? NodeJournal { get; init; }

    /// <summary>Where files open for writing are staged until they go to the source (a new temporary directory when null).</summary>
    public string? StagingDirectory { get; init; }

    /// <summary>Where failures that became EIO are logged.</summary>
    public TextWriter Log { get; init; } = Console.Error;
}

/// <summary>
/// A dataset tree served read-only over a <see cref="CacheClient"/> through the FUSE low-level
/// (inode) API: inode numbers are stable per path, files are read block by block through the cache.
/// </summary>
public sealed partial class DatasetFileSystem
{
    public const ulong RootInode = NodeTable.RootInode;

    /// <summary>
    /// st_blksize, the I/O size programs are advised to use. Not the cache block size: cat and cp size
    /// their buffer from it, and a 4 MiB buffer allocated per file (page faults on every first touch,
    /// copies that miss the CPU cache) made `cat` through the mount about 3x slower than a 128 KiB one.
    /// The kernel's readahead still asks the server for large reads.
    /// </summary>
    internal const int PreferredIoSize = 128 << 10;

    private const uint ReadOnlyDirectoryMode = 0x4000 | 0x16D; // S_IFDIR | 0555
    private const uint ReadOnlyFileMode = 0x8000 | 0x124;      // S_IFREG | 0444
    private const uint WritableDirectoryMode = 0x4000 | 0x1ED; // S_IFDIR | 0755
    private const uint WritableFileMode = 0x8000 | 0x1A4;      // S_IFREG | 0644

    private readonly CacheClient _client;
    private readonly double _timeout;
    // Mappings are kept after the kernel forgets an inode, so a path keeps its number for the life of the mount.
    private readonly NodeTable _nodes;
    private readonly ConcurrentDictionary<ulong, long> _lookups = new();
    private readonly ConcurrentDictionary<ulong, OpenFile> _files = new();
    private readonly ConcurrentDictionary<ulong, IReadOnlyList<UfsEntry>> _directories = new();
    private readonly ConcurrentDictionary<ulong, string> _openedVersions = new();
    private uint _nextHandle;

    private readonly uint _directoryMode;
    private readonly uint _fileMode;

    /// <summary>A file system over <paramref name="client"/>; with a <paramref name="writer"/> it is read-write, changes going through to the sources.</summary>
    public DatasetFileSystem(CacheClient client, DatasetFileSystemOptions? options = null, SourceWriter? writer = null)
    {
        _client = client;
        _writer = writer;
        _directoryMode = writer is null ? ReadOnlyDirectoryMode : WritableDirectoryMode;
        _fileMode = writer is null ? ReadOnlyFileMode : WritableFileMode;
        Options = options ?? new DatasetFileSystemOptions();
        _timeout = Options.AttributeTimeout.TotalSeconds;
        _nodes = new NodeTable(Options.NodeJournal);
        // A restarted server must not hand out the numbers of handles the kernel may still hold from the last one.
        _nextHandle = _nodes.Replayed > 0 ? (uint)Random.Shared.Next() : 0;
    }

    public DatasetFileSystemOptions Options { get; }

    /// <summary>The dataset served (namespace/name).</summary>
    public string Dataset => _client.Dataset;

    internal TextWriter Log => Options.Log;

    /// <summary>The max_read mount option: libfuse wants init to repeat it.</summary>
    internal uint MaxRead { get; set; }

    /// <summary>Files open through the mount.</summary>
    public int OpenFiles => _files.Count;

    /// <summary>Inodes the kernel holds a reference to.</summary>
    public int ReferencedInodes => _lookups.Count;

    /// <summary>Paths whose inode numbers were replayed from <see cref="DatasetFileSystemOptions.NodeJournal"/> at start.</summary>
    public int ReplayedInodes => _nodes.Replayed;

    /// <summary>The inode number of a dataset path: a 64-bit hash, probed onwards on a collision; the root is 1.</summary>
    public ulong InodeOf(string path) => _nodes.InodeOf(path);

    internal static int ErrorOf(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => LibC.ENOENT,
        SourceWriteException { Refusal: SourceWriteRefusal.CrossMount } => LibC.EXDEV,
        SourceWriteException { Refusal: SourceWriteRefusal.NotInAMount } => LibC.EPERM,
        SourceWriteException => LibC.EROFS,
        UnauthorizedAccessException or IOException { InnerException: UnauthorizedAccessException } => LibC.EACCES,
        PathTooLongException => LibC.ENAMETOOLONG,
        AggregateException { InnerException: { } inner } => ErrorOf(inner),
        _ => LibC.EIO,
    };

    internal unsafe void Init(FuseConnInfo* conn)
    {
        conn->MaxReadahead = (uint)Math.Max(Options.ReadaheadBytes, 128 << 10);
        conn->MaxRead = MaxRead;
        var wanted = FuseConnInfo.AsyncRead | FuseConnInfo.ReaddirPlus | FuseConnInfo.ReaddirPlusAuto | FuseConnInfo.ParallelDirOps | FuseConnInfo.AutoInvalData;
        conn->Want |= wanted & conn->Capable;
        // Splice is several times slower than copying through a buffer on this kernel.
        conn->Want &= ~(FuseConnInfo.SpliceRead | FuseConnInfo.SpliceWrite | FuseConnInfo.SpliceMove);
    }

    internal unsafe int Lookup(nint request, ulong parent, string name)
    {
        if (!_nodes.TryGetPath(parent, out var parentPath))
        {
            return LibC.ENOENT;
        }

        var path = parentPath.Length == 0 ? name : parentPath + "/" + name;
        var entry = Stat(path);
        if (entry is null)
        {
            return Stat(parentPath) is { IsDirectory: false } ? LibC.ENOTDIR : LibC.ENOENT;
        }

        var param = EntryOf(entry);
        _lookups.AddOrUpdate(param.Ino, 1, (_, n) => n + 1);
        if (LibFuse.ReplyEntry(request, &param) != 0)
        {
            // The kernel never got the entry (the caller was interrupted): it holds no reference.
            Forget(param.Ino, 1);
        }

        return 0;
    }

    internal void Forget(ulong ino, ulong count)
    {
        while (_lookups.TryGetValue(ino, out var held))
        {
            var left = held - (long)Math.Min(count, (ulong)long.MaxValue);
            if (left <= 0 ? _lookups.TryRemove(new KeyValuePair<ulong, long>(ino, held)) : _lookups.TryUpdate(ino, left, held))
            {
                return;
            }
        }
    }

    internal unsafe int Getattr(nint request, ulong ino)
    {
        if (!_nodes.TryGetPath(ino, out var path) || Stat(path) is not { } entry)
        {
            return LibC.ENOENT;
        }

        var attr = AttributesOf(Overlay(entry, ino), ino);
        LibFuse.ReplyAttr(request, &attr, _timeout);
        return 0;
    }

    internal unsafe int Open(nint request, ulong ino, FuseFileInfo* info)
    {
        var writing = (info->Flags & LibC.OAccMode) != LibC.ORdOnly || (info->Flags & LibC.OTrunc) != 0;
        if (writing && _writer is null)
        {
            return LibC.EROFS;
        }

        if (!_nodes.TryGetPath(ino, out var path) || Stat(path) is not { } entry)
        {
            return LibC.ENOENT;
        }

        if (entry.IsDirectory)
        {
            return LibC.EISDIR;
        }

        if (writing)
        {
            return OpenForWriting(request, ino, path, info);
        }

        var file = _client.OpenAsync(path, CancellationToken.None).GetAwaiter().GetResult();
        var handle = Register(_files, VersionTag(file.Version), new OpenFile(ino, file));
        // Pages the kernel cached for this inode stay valid while the source version is the same.
        if (_openedVersions.TryGetValue(ino, out var last) && last == file.Version)
        {
            info->Bits |= FuseFileInfo.KeepCache;
        }

        _openedVersions[ino] = file.Version;
        info->Fh = handle;
        if (LibFuse.ReplyOpen(request, info) != 0)
        {
            _files.TryRemove(handle, out _);
        }

        return 0;
    }

    internal unsafe int Read(nint request, ulong ino, ulong handle, int size, long offset)
    {
        if (_staged.TryGetValue(handle, out var staged))
        {
            return ReadStaged(request, staged, size, offset);
        }

        if (FileOf(ino, handle) is not { } file)
        {
            return LibC.EIO;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            var read = offset >= file.Size ? 0 : _client.Read(file, offset, buffer.AsSpan(0, size));
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

    internal int Release(ulong handle) => _files.TryRemove(handle, out _) ? 0 : ReleaseStaged(handle);

    internal unsafe int Opendir(nint request, ulong ino, FuseFileInfo* info)
    {
        if (!_nodes.TryGetPath(ino, out var path) || Stat(path) is not { } entry)
        {
            return LibC.ENOENT;
        }

        if (!entry.IsDirectory)
        {
            return LibC.ENOTDIR;
        }

        if ((info->Flags & LibC.OAccMode) != LibC.ORdOnly)
        {
            return LibC.EROFS;
        }

        // One listing per open directory, so offsets stay meaningful across readdir calls.
        var listing = _client.ListAsync(path, CancellationToken.None).GetAwaiter().GetResult();
        var handle = Register(_directories, 0, listing);
        info->Fh = handle;
        if (LibFuse.ReplyOpen(request, info) != 0)
        {
            _directories.TryRemove(handle, out _);
        }

        return 0;
    }

    internal unsafe int Readdir(nint request, ulong ino, ulong handle, int size, long offset, bool plus)
    {
        if (!_directories.TryGetValue(handle, out var listing))
        {
            // A directory opened before the server restarted: list it again (listings are sorted, so offsets hold).
            if (!_nodes.TryGetPath(ino, out var path))
            {
                return LibC.EIO;
            }

            listing = _client.ListAsync(path, CancellationToken.None).GetAwaiter().GetResult();
            _directories.TryAdd(handle, listing);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        var name = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            fixed (byte* start = buffer)
            fixed (byte* nameBytes = name)
            {
                var used = 0;
                // Offsets: 1 and 2 follow "." and "..", 3 + i follows the i-th child.
                for (var position = offset; position < listing.Count + 2; position++)
                {
                    UfsEntry? entry = position >= 2 ? listing[(int)position - 2] : null;
                    var text = entry is null ? (position == 0 ? "." : "..") : LastSegment(entry.Path);
                    var length = Encoding.UTF8.GetBytes(text, name.AsSpan(0, name.Length - 1));
                    nameBytes[length] = 0;
                    nuint needed;
                    if (plus)
                    {
                        var param = entry is null ? default : EntryOf(entry);
                        if (entry is null)
                        {
                            param.Attr = new Stat { Ino = RootInode, Mode = _directoryMode };
                        }

                        needed = LibFuse.AddDirentryPlus(request, start + used, (nuint)(size - used), nameBytes, &param, position + 1);
                        if ((int)needed <= size - used && entry is not null)
                        {
                            // The kernel takes a lookup reference on every entry but "." and "..".
                            _lookups.AddOrUpdate(param.Ino, 1, (_, n) => n + 1);
                        }
                    }
                    else
                    {
                        var attr = new Stat { Ino = entry is null ? RootInode : InodeOf(entry.Path), Mode = entry is { IsDirectory: false } ? _fileMode : _directoryMode };
                        needed = LibFuse.AddDirentry(request, start + used, (nuint)(size - used), nameBytes, &attr, position + 1);
                    }

                    if ((int)needed > size - used)
                    {
                        break;
                    }

                    used += (int)needed;
                }

                LibFuse.ReplyBuf(request, start, (nuint)used);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(name);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return 0;
    }

    internal void Releasedir(ulong handle) => _directories.TryRemove(handle, out _);

    // An unmount can overtake the kernel's asynchronous releases; once the connection is gone no handle is live.
    internal void Unmounted()
    {
        _files.Clear();
        _directories.Clear();
        _lookups.Clear();
        _nodes.Dispose();
        DeleteOwnStagingDirectory();
    }

    internal unsafe int Statfs(nint request)
    {
        const ulong Block = 4096;
        var stats = new StatVfs { BlockSize = Block, FragmentSize = Block, NameMax = 255 };
        try
        {
            var figures = _client.Master.StatsAsync(CancellationToken.None).GetAwaiter().GetResult();
            stats.Blocks = (ulong)Math.Max(figures.CapacityBytes, 0) / Block;
            stats.BlocksFree = stats.BlocksAvailable = (ulong)Math.Max(figures.CapacityBytes - figures.CachedBytes, 0) / Block;
            stats.Files = (ulong)Math.Max(figures.FileCount, 0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // df must still answer when the master is briefly away: report an empty cache.
            Log.WriteLine($"fluid fuse: statfs could not reach the master: {e.Message}");
        }

        LibFuse.ReplyStatfs(request, &stats);
        return 0;
    }

    // A handle is its version's tag in the high half and a counter in the low half, never one in use.
    private ulong Register<T>(ConcurrentDictionary<ulong, T> table, uint tag, T value)
    {
        while (true)
        {
            var handle = ((ulong)tag << 32) | Interlocked.Increment(ref _nextHandle);
            if (table.TryAdd(handle, value))
            {
                return handle;
            }
        }
    }

    // The open file behind a handle; one opened by a server that has since been restarted is opened again,
    // and only if the source still has the version it was opened at (the tag in the handle's high half).
    private CacheFile? FileOf(ulong ino, ulong handle)
    {
        if (_files.TryGetValue(handle, out var open) && open.Ino == ino)
        {
            return open.File;
        }

        if (!_nodes.TryGetPath(ino, out var path))
        {
            Log.WriteLine($"fluid fuse: read of node {ino} that no server of this mount has given out");
            return null;
        }

        var file = _client.OpenAsync(path, CancellationToken.None).GetAwaiter().GetResult();
        if (VersionTag(file.Version) != (uint)(handle >> 32))
        {
            Log.WriteLine($"fluid fuse: {path} changed in the source since it was opened (before this server started); reopen it");
            return null;
        }

        _files.TryAdd(handle, new OpenFile(ino, file));
        return file;
    }

    private static uint VersionTag(string version) => (uint)NodeTable.Hash(version) | 1;

    private UfsEntry? Stat(string path) =>
        path.Length == 0
            ? new UfsEntry("", true, 0, DateTimeOffset.UnixEpoch, "")
            : _client.StatAsync(path, CancellationToken.None).GetAwaiter().GetResult();

    private FuseEntryParam EntryOf(UfsEntry entry)
    {
        var ino = InodeOf(entry.Path);
        return new FuseEntryParam { Ino = ino, Attr = AttributesOf(Overlay(entry, ino), ino), AttrTimeout = _timeout, EntryTimeout = _timeout };
    }

    private Stat AttributesOf(UfsEntry entry, ulong ino)
    {
        var modified = entry.ModifiedTime.ToUnixTimeMilliseconds();
        var seconds = Math.DivRem(modified, 1000, out var milliseconds);
        return new Stat
        {
            Ino = ino,
            Mode = entry.IsDirectory ? _directoryMode : _fileMode,
            Nlink = entry.IsDirectory ? 2UL : 1UL,
            Size = entry.IsDirectory ? 4096 : entry.Size,
            Blocks = entry.IsDirectory ? 8 : (entry.Size + 511) / 512,
            BlockSize = PreferredIoSize,
            AccessSeconds = seconds,
            AccessNanoseconds = milliseconds * 1_000_000,
            ModifySeconds = seconds,
            ModifyNanoseconds = milliseconds * 1_000_000,
            ChangeSeconds = seconds,
            ChangeNanoseconds = milliseconds * 1_000_000,
        };
    }

    private sealed record OpenFile(ulong Ino, CacheFile File);

    private static string LastSegment(string path) => path[(path.LastIndexOf('/') + 1)..];
}
