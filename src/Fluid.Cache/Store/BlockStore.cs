using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Store;

/// <summary>
/// A worker's block cache over storage tiers (MEM → SSD → HDD), each with directories, quotas and watermarks.
/// </summary>
/// <remarks>
/// <para>
/// Layout: a block is a file of plain bytes named <c>{file key}-{index}-{crc32c:x8}</c> in
/// <c>&lt;directory&gt;/fluid-blocks/&lt;first two hex digits of the key&gt;/</c>. The names say everything, so a
/// restarted store rebuilds its index from a directory scan, and deletes temp files and files whose names do
/// not parse. Files are written to a temp name and renamed into place, never written in place.
/// </para>
/// <para>
/// Placement and eviction: a block goes to the fastest tier that has room, in the directory with the most
/// free space. When a write would take a directory above High × quota, its least recently used blocks are
/// evicted until the directory with the new block is at most Low × quota; evicted blocks spill into the next
/// tier (a rename on the same file system, a copy otherwise), which may evict in turn; the last tier deletes.
/// Spills across file systems copy outside the lock while the block stays readable where it was. Room held by
/// blocks being written or copied in cannot be evicted, so concurrent writes may leave a directory above High,
/// never above its quota. A restarted store evicts only directories over their quota (one lowered since).
/// </para>
/// <para>
/// LRU order is the time of last use (put or open). It survives a restart through the files' modification
/// times: <see cref="Dispose"/> writes each block's last use as its mtime, and the scan orders by mtime.
/// After a crash the order is the order blocks were last written or stamped.
/// </para>
/// <para>
/// No pinning: <see cref="TryOpen"/> opens the file under the lock, and an open file keeps its bytes when
/// the store evicts, spills or removes it, so a reader finishes what it started.
/// </para>
/// <para>
/// Verification: the first open of a block after it was put, spilled or recovered hashes the file and
/// compares with the CRC in its name; later opens hash again only when the file's device, inode, size or
/// ctime changed. A block that does not match is deleted, counted in <see cref="CorruptBlocks"/>, and
/// reported absent, so the caller fetches it again. <see cref="Scrub"/> hashes everything to find bit rot.
/// Blocks are not fsynced: a block torn by a crash fails its first open after the restart.
/// </para>
/// <para>
/// Thread-safe. One store per directory: a lock file refuses a second one. Linux only (rename(2), statx(2)).
/// </para>
/// </remarks>
public sealed class BlockStore : IDisposable
{
    private const string BlocksFolder = "fluid-blocks";
    private const string LockFile = ".lock";
    private const string TempPrefix = ".tmp-";
    private const int ChunkSize = 1 << 20;

    // The errno .NET reports when FileShare.None meets a file another handle has locked (flock).
    private const int WouldBlock = 11;

    private readonly Lock _gate = new();
    private readonly Tier[] _tiers;
    private readonly Dictionary<BlockId, Entry> _index = [];
    private readonly int _blockSize;
    private readonly long _largestQuota;
    private long _clock;
    private long _sequence;
    private long _evictions;
    private long _spills;
    private long _corruptBlocks;
    private long _verifications;
    private bool _disposed;

    /// <summary>Opens the store: validates the options, takes the directories, and rebuilds the index from them.</summary>
    /// <exception cref="ArgumentException">The options are wrong; the message names the field.</exception>
    /// <exception cref="IOException">A directory cannot be used, or another store holds it.</exception>
    public BlockStore(BlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the block store runs on Linux only: it relies on rename(2) and statx(2)");
        }

        _blockSize = options.BlockSize;
        _tiers = [.. options.Tiers.Select((tier, index) => new Tier(tier, index))];
        _largestQuota = _tiers.SelectMany(tier => tier.Paths).Max(path => path.Quota);
        try
        {
            foreach (var path in _tiers.SelectMany(tier => tier.Paths))
            {
                Recover(path);
            }

            // Quotas may have shrunk since the last run. Only a directory over its quota is evicted: one above
            // High but within its quota is a state a live store rests in too, and its next write evicts it.
            var spills = new List<Entry>();
            lock (_gate)
            {
                foreach (var path in _tiers.SelectMany(tier => tier.Paths))
                {
                    if (path.Used > path.Quota)
                    {
                        MakeRoom(path, 0, spills);
                    }
                }
            }

            CompleteSpills(spills);
        }
        catch
        {
            ReleaseDirectories();
            throw;
        }
    }

    /// <summary>Blocks evicted from a directory to make room, whether they spilled or were deleted.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Evicted blocks that moved to a lower tier.</summary>
    public long Spills => Interlocked.Read(ref _spills);

    /// <summary>Blocks dropped because their file no longer matched its CRC, or was gone.</summary>
    public long CorruptBlocks => Interlocked.Read(ref _corruptBlocks);

    /// <summary>Block files hashed to verify them: first opens, opens of changed files, scrubs.</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    /// <summary>How full each directory is, tier by tier, fastest first.</summary>
    public IReadOnlyList<TierUsage> Usage
    {
        get
        {
            lock (_gate)
            {
                return [.. _tiers.SelectMany(tier => tier.Paths).Select(path =>
                    new TierUsage(path.Tier.Medium, path.Directory, path.Quota, path.Used, path.Lru.Count))];
            }
        }
    }

    /// <summary>True when the store holds the block (it may still fail verification when opened).</summary>
    public bool Contains(BlockId id)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return _index.ContainsKey(id);
        }
    }

    /// <summary>
    /// Stores a block, or returns the stored one when the block is already there. The data is hashed and
    /// written outside the store's lock, so puts of different blocks proceed in parallel.
    /// </summary>
    /// <exception cref="ArgumentException">The block is larger than the block size or than every directory's quota.</exception>
    /// <exception cref="IOException">Writing failed (a full disk, for one), or every directory is taken by blocks being written.</exception>
    public StoredBlock Put(BlockId id, ReadOnlySpan<byte> data)
    {
        if (data.Length > _blockSize)
        {
            throw new ArgumentException($"block {id} is {data.Length} bytes, more than the block size of {_blockSize} bytes", nameof(data));
        }

        if (data.Length > _largestQuota)
        {
            throw new ArgumentException(
                $"block {id} is {data.Length} bytes, more than the quota of every tier directory (the largest is {_largestQuota} bytes); raise a quota or lower the block size",
                nameof(data));
        }

        var crc = Crc32C.Compute(data);
        var spills = new List<Entry>();
        StorePath? target;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_index.TryGetValue(id, out var existing))
            {
                Touch(existing);
                return existing.Describe();
            }

            target = Place(data.Length, spills);
            if (target is not null)
            {
                target.Reserved += data.Length;
            }
        }

        CompleteSpills(spills);
        if (target is null)
        {
            throw new IOException(
                $"no tier directory has room for block {id} ({data.Length} bytes): the space is taken by blocks being written; retry, or raise the quotas");
        }

        var folder = target.FolderOf(id);
        var temp = Path.Combine(folder, TempName());
        try
        {
            Directory.CreateDirectory(folder);
            using var file = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, data.Length);
            RandomAccess.Write(file, data, 0);
        }
        catch
        {
            lock (_gate)
            {
                target.Reserved -= data.Length;
            }

            TryDelete(temp);
            throw;
        }

        lock (_gate)
        {
            target.Reserved -= data.Length;
            if (_disposed)
            {
                TryDelete(temp);
                ThrowIfDisposed();
            }

            if (_index.TryGetValue(id, out var existing))
            {
                // Another put of the same block published first.
                TryDelete(temp);
                Touch(existing);
                return existing.Describe();
            }

            var entry = new Entry(id, crc, data.Length, ++_sequence) { Stamp = NextStamp() };
            var final = Path.Combine(folder, entry.Name);
            var errno = Posix.Rename(temp, final);
            if (errno != 0)
            {
                TryDelete(temp);
                throw Posix.Error(errno, $"cannot move block {id} into place at '{final}'");
            }

            Attach(entry, target, final);
            _index.Add(id, entry);
            return entry.Describe();
        }
    }

    /// <summary>
    /// Opens a block whose content matches its CRC and marks it most recently used; null when the store does
    /// not hold it, or held it corrupt (then it is deleted and the caller should fetch it again).
    /// </summary>
    public BlockReader? TryOpen(BlockId id) => Open(id, touch: true, force: false, out _);

    /// <summary>
    /// Hashes every block, whether or not its file looks changed, to find bit rot at rest; deletes the
    /// blocks that do not match their CRC and returns how many.
    /// </summary>
    public int Scrub(CancellationToken cancellationToken)
    {
        List<BlockId> ids;
        lock (_gate)
        {
            ThrowIfDisposed();
            ids = [.. _index.Values.Where(entry => entry.State == EntryState.Resident).Select(entry => entry.Id)];
        }

        var dropped = 0;
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var reader = Open(id, touch: false, force: true, out var corrupt);
            if (corrupt)
            {
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>Deletes a block, if held. Open readers keep reading it.</summary>
    public void Remove(BlockId id)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_index.TryGetValue(id, out var entry))
            {
                Drop(entry);
            }
        }
    }

    /// <summary>Deletes every block of a file version and returns how many there were. Scans the whole index.</summary>
    public int RemoveFile(FileKey file)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            var entries = _index.Values.Where(entry => entry.Id.File == file).ToList();
            foreach (var entry in entries)
            {
                Drop(entry);
            }

            return entries.Count;
        }
    }

    /// <summary>
    /// Writes each block's last use as its file's mtime, so the next store on these directories starts from
    /// the same LRU order, and releases the directories. Call it once every other call has returned.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var entry in _index.Values)
            {
                if (entry.State == EntryState.Resident && !entry.StampOnDisk)
                {
                    try
                    {
                        File.SetLastWriteTimeUtc(entry.FilePath, new DateTime(entry.Stamp, DateTimeKind.Utc));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // The order of this block is lost, not the block.
                    }
                }
            }

            ReleaseDirectories();
        }
    }

    private BlockReader? Open(BlockId id, bool touch, bool force, out bool corrupt)
    {
        corrupt = false;
        Entry entry;
        SafeFileHandle handle;
        FileIdentity? identity;
        string path;
        string medium;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_index.TryGetValue(id, out entry!))
            {
                return null;
            }

            if (touch)
            {
                Touch(entry);
            }

            path = entry.FilePath;
            medium = entry.Home!.Tier.Medium;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                Drop(entry);
                _corruptBlocks++;
                corrupt = true;
                return null;
            }

            identity = FileIdentity.Of(handle);
            if (!force && identity is not null && entry.Verified == identity)
            {
                return new BlockReader(id, handle, entry.Length, entry.Crc, path, medium);
            }
        }

        // Hash outside the lock; the identity taken before hashing is what a later open compares with,
        // so a change made while hashing is caught by the next open.
        var settled = identity?.IsSettled(DateTime.UtcNow) == true;
        bool matches;
        try
        {
            matches = (identity is null || identity.Value.Size == entry.Length) && Hash(handle, entry.Length) == entry.Crc;
        }
        catch (IOException)
        {
            matches = false;
        }

        Interlocked.Increment(ref _verifications);
        lock (_gate)
        {
            var current = _index.TryGetValue(id, out var now) && ReferenceEquals(now, entry) && entry.FilePath == path;
            if (matches && current)
            {
                entry.Verified = settled ? identity : null;
            }
            else if (!matches && current)
            {
                Drop(entry);
                _corruptBlocks++;
                corrupt = true;
            }
        }

        if (!matches)
        {
            handle.Dispose();
            return null;
        }

        return new BlockReader(id, handle, entry.Length, entry.Crc, path, medium);
    }

    // Under the lock. The directory a new block of `length` bytes goes to, with room made for it; null when
    // blocks being written hold all the room.
    private StorePath? Place(long length, List<Entry> spills)
    {
        foreach (var tier in _tiers)
        {
            var path = tier.Choose(length);
            if (path is not null && MakeRoom(path, length, spills))
            {
                return path;
            }
        }

        return null;
    }

    // Under the lock. Applies the watermarks for `length` more bytes at `path`; true when the bytes then fit its quota.
    private bool MakeRoom(StorePath path, long length, List<Entry> spills)
    {
        if (path.Used + path.Reserved + length > path.Tier.High * path.Quota)
        {
            while (path.Used + path.Reserved + length > path.Tier.Low * path.Quota && path.Lru.Count > 0)
            {
                Evict(path.Lru.Min!, spills);
            }
        }

        return path.Used + path.Reserved + length <= path.Quota;
    }

    // Under the lock. Moves a block down a tier (renaming now, or leaving the copy to `spills`), or deletes it from the last.
    private void Evict(Entry victim, List<Entry> spills)
    {
        var from = victim.Home!;
        Detach(victim);
        _evictions++;
        for (var t = from.Tier.Index + 1; t < _tiers.Length; t++)
        {
            var to = _tiers[t].Choose(victim.Length);
            if (to is null || !MakeRoom(to, victim.Length, spills))
            {
                continue;
            }

            var folder = to.FolderOf(victim.Id);
            var target = Path.Combine(folder, victim.Name);
            int errno;
            try
            {
                Directory.CreateDirectory(folder);
                errno = Posix.Rename(victim.FilePath, target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                break;
            }

            if (errno == 0)
            {
                // A rename sets the ctime, so the next open hashes the block again.
                victim.Verified = null;
                Attach(victim, to, target);
                _spills++;
                return;
            }

            if (errno == Posix.CrossDevice)
            {
                victim.State = EntryState.Leaving;
                victim.Target = to;
                to.Reserved += victim.Length;
                spills.Add(victim);
                return;
            }

            break;
        }

        _index.Remove(victim.Id);
        victim.State = EntryState.Gone;
        TryDelete(victim.FilePath);
    }

    // Outside the lock: copies blocks that spill across file systems. Each stays readable at its old place
    // until its copy, checked against the CRC on the way, is renamed into place.
    private void CompleteSpills(List<Entry> spills)
    {
        foreach (var entry in spills)
        {
            string source;
            StorePath to;
            long stamp;
            lock (_gate)
            {
                source = entry.FilePath;
                to = entry.Target!;
                stamp = entry.Stamp;
            }

            var folder = to.FolderOf(entry.Id);
            var temp = Path.Combine(folder, TempName());
            uint crc = 0;
            long length = -1;
            try
            {
                Directory.CreateDirectory(folder);
                (crc, length) = Copy(source, temp, new DateTime(stamp, DateTimeKind.Utc));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            lock (_gate)
            {
                to.Reserved -= entry.Length;
                entry.Target = null;
                if (entry.State != EntryState.Leaving)
                {
                    TryDelete(temp);
                    continue;
                }

                var final = Path.Combine(folder, entry.Name);
                if (length >= 0 && (crc != entry.Crc || length != entry.Length))
                {
                    _corruptBlocks++;
                }
                else if (length >= 0 && Posix.Rename(temp, final) == 0)
                {
                    TryDelete(source);
                    entry.Verified = null;
                    entry.StampOnDisk = entry.Stamp == stamp;
                    Attach(entry, to, final);
                    _spills++;
                    continue;
                }

                _index.Remove(entry.Id);
                entry.State = EntryState.Gone;
                TryDelete(source);
                TryDelete(temp);
            }
        }
    }

    // Under the lock.
    private void Attach(Entry entry, StorePath path, string filePath)
    {
        entry.Home = path;
        entry.FilePath = filePath;
        entry.State = EntryState.Resident;
        path.Lru.Add(entry);
        path.Used += entry.Length;
    }

    // Under the lock.
    private static void Detach(Entry entry)
    {
        entry.Home!.Lru.Remove(entry);
        entry.Home.Used -= entry.Length;
        entry.State = EntryState.Gone;
    }

    // Under the lock.
    private void Drop(Entry entry)
    {
        if (entry.State == EntryState.Resident)
        {
            Detach(entry);
        }

        entry.State = EntryState.Gone;
        _index.Remove(entry.Id);
        TryDelete(entry.FilePath);
    }

    // Under the lock.
    private void Touch(Entry entry)
    {
        var resident = entry.State == EntryState.Resident;
        if (resident)
        {
            entry.Home!.Lru.Remove(entry);
        }

        entry.Stamp = NextStamp();
        entry.StampOnDisk = false;
        if (resident)
        {
            entry.Home!.Lru.Add(entry);
        }
    }

    // Under the lock. Wall-clock ticks, so the stamp can be a file's mtime; strictly increasing, so LRU order is total.
    private long NextStamp() => _clock = Math.Max(_clock + 1, DateTime.UtcNow.Ticks);

    private void Recover(StorePath path)
    {
        var lockFile = Path.Combine(path.Folder, LockFile);
        try
        {
            Directory.CreateDirectory(path.Folder);
            path.LockHandle = File.OpenHandle(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            Scan(path);
        }
        catch (IOException e) when (e.HResult == WouldBlock && path.LockHandle is null)
        {
            throw new IOException(
                $"tier {path.Tier.Medium} directory '{path.Directory}' is in use by another block store (it holds '{lockFile}'); give every store its own directories",
                e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"tier {path.Tier.Medium} directory '{path.Directory}' cannot hold blocks: {e.Message}", e);
        }
    }

    // Rebuilds the index of one directory from its file names.
    private void Scan(StorePath path)
    {
        foreach (var item in new DirectoryInfo(path.Folder).EnumerateFileSystemInfos())
        {
            if (item is not DirectoryInfo folder || item.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                if (item.Name != LockFile)
                {
                    TryDelete(item.FullName);
                }

                continue;
            }

            if (folder.Name.Length != 2 || !folder.Name.All(char.IsAsciiHexDigitLower))
            {
                TryDeleteFolder(folder);
                continue;
            }

            foreach (var child in folder.EnumerateFileSystemInfos())
            {
                if (child is not FileInfo file || child.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    if (child is DirectoryInfo nested && !child.Attributes.HasFlag(FileAttributes.ReparsePoint))
                    {
                        TryDeleteFolder(nested);
                    }
                    else
                    {
                        TryDelete(child.FullName);
                    }

                    continue;
                }

                // Temp files, foreign names, blocks in the wrong folder, and a second copy of a block
                // (a spill cut short by a crash; the faster tier's copy, scanned first, wins).
                if (!BlockFileName.TryParse(file.Name, out var id, out var crc)
                    || BlockFileName.Folder(id.File) != folder.Name
                    || _index.ContainsKey(id))
                {
                    TryDelete(file.FullName);
                    continue;
                }

                var entry = new Entry(id, crc, file.Length, ++_sequence)
                {
                    Stamp = file.LastWriteTimeUtc.Ticks,
                    StampOnDisk = true,
                };
                _clock = Math.Max(_clock, entry.Stamp);
                Attach(entry, path, file.FullName);
                _index.Add(id, entry);
            }
        }
    }

    private void ReleaseDirectories()
    {
        foreach (var path in _tiers.SelectMany(tier => tier.Paths))
        {
            path.LockHandle?.Dispose();
            path.LockHandle = null;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // The CRC of a file, or null when it is not `length` bytes long.
    private static uint? Hash(SafeFileHandle handle, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, ChunkSize));
        try
        {
            uint crc = 0;
            long offset = 0;
            while (true)
            {
                var read = RandomAccess.Read(handle, buffer, offset);
                if (read == 0)
                {
                    break;
                }

                crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
                offset += read;
                if (offset > length)
                {
                    return null;
                }
            }

            return offset == length ? crc : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Copies a block file, returning the CRC and length of what was read, with the given mtime on the copy.
    private static (uint Crc, long Length) Copy(string source, string target, DateTime modified)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var from = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(from);
            using var to = File.OpenHandle(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, length);
            uint crc = 0;
            long offset = 0;
            while (true)
            {
                var read = RandomAccess.Read(from, buffer, offset);
                if (read == 0)
                {
                    break;
                }

                crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
                RandomAccess.Write(to, buffer.AsSpan(0, read), offset);
                offset += read;
            }

            File.SetLastWriteTimeUtc(to, modified);
            return (crc, offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string TempName() => TempPrefix + Guid.NewGuid().ToString("N");

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's scan.
        }
    }

    private static void TryDeleteFolder(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's scan.
        }
    }

    private enum EntryState
    {
        // In its directory's LRU and counted in its usage.
        Resident,

        // Evicted and being copied to another file system; still readable at FilePath, counted nowhere.
        Leaving,

        // Out of the index.
        Gone,
    }

    private sealed class Entry(BlockId id, uint crc, long length, long sequence)
    {
        public BlockId Id { get; } = id;

        public uint Crc { get; } = crc;

        public long Length { get; } = length;

        public long Sequence { get; } = sequence;

        public string Name { get; } = BlockFileName.Format(id, crc);

        // Last use, in DateTime ticks (UTC); the LRU key.
        public long Stamp { get; set; }

        // True when the file's mtime already is Stamp.
        public bool StampOnDisk { get; set; }

        public EntryState State { get; set; }

        public StorePath? Home { get; set; }

        public string FilePath { get; set; } = "";

        public StorePath? Target { get; set; }

        // The file as it was when last found to match its CRC; null when it must be hashed on the next open.
        public FileIdentity? Verified { get; set; }

        public StoredBlock Describe() => new(Id, FilePath, Length, Crc, Home!.Tier.Medium);
    }

    private sealed class LeastRecentFirst : IComparer<Entry>
    {
        public static readonly LeastRecentFirst Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            var byStamp = x!.Stamp.CompareTo(y!.Stamp);
            return byStamp != 0 ? byStamp : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private sealed class Tier
    {
        public Tier(TierOptions options, int index)
        {
            Medium = options.Medium;
            High = options.High;
            Low = options.Low;
            Index = index;
            Paths = [.. options.Paths.Select(path => new StorePath(this, path))];
        }

        public string Medium { get; }

        public double High { get; }

        public double Low { get; }

        public int Index { get; }

        public StorePath[] Paths { get; }

        // Under the lock. The directory with the most free space among those whose quota can hold the block.
        public StorePath? Choose(long length)
        {
            StorePath? best = null;
            foreach (var path in Paths)
            {
                if (path.Quota >= length && (best is null || path.Free > best.Free))
                {
                    best = path;
                }
            }

            return best;
        }
    }

    private sealed class StorePath(Tier tier, TierPath options)
    {
        public Tier Tier { get; } = tier;

        public string Directory { get; } = options.Directory;

        public string Folder { get; } = Path.Combine(Path.GetFullPath(options.Directory), BlocksFolder);

        public long Quota { get; } = options.QuotaBytes;

        // Bytes of resident blocks.
        public long Used { get; set; }

        // Bytes of blocks being written or copied in.
        public long Reserved { get; set; }

        public long Free => Quota - Used - Reserved;

        public SortedSet<Entry> Lru { get; } = new(LeastRecentFirst.Instance);

        public SafeFileHandle? LockHandle { get; set; }

        public string FolderOf(BlockId id) => Path.Combine(Folder, BlockFileName.Folder(id.File));
    }
}
