using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Fluid.Cache.Store;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Fuse;

/// <summary>
/// The inode number of every path the kernel has been told about. Numbers are a hash of the path,
/// probed onwards on a collision; with a journal file every new number is appended there first, so a
/// server restarted on the same mount gives the kernel's node ids the same meaning as before.
/// </summary>
internal sealed class NodeTable : IDisposable
{
    public const ulong RootInode = 1;

    private const int MaxPathBytes = 16 << 10;

    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<ulong, string> _paths = new();
    private readonly ConcurrentDictionary<string, ulong> _inodes = new(StringComparer.Ordinal);
    private readonly SafeFileHandle? _journal;
    private long _journalLength;

    public NodeTable(string? journalPath = null)
    {
        _paths[RootInode] = "";
        _inodes[""] = RootInode;
        if (journalPath is null)
        {
            return;
        }

        _journal = File.OpenHandle(journalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Replay();
    }

    /// <summary>Paths replayed from the journal when the table was opened.</summary>
    public int Replayed { get; private set; }

    public bool TryGetPath(ulong ino, out string path) => _paths.TryGetValue(ino, out path!);

    public ulong InodeOf(string path)
    {
        if (_inodes.TryGetValue(path, out var known))
        {
            return known;
        }

        lock (_lock)
        {
            if (_inodes.TryGetValue(path, out known))
            {
                return known;
            }

            var ino = Hash(path);
            while (ino <= RootInode || _paths.ContainsKey(ino))
            {
                ino++;
            }

            // Written before the kernel can see the number: a crash right after still finds it on replay.
            Append(ino, path);
            _paths[ino] = path;
            _inodes[path] = ino;
            return ino;
        }
    }

    /// <summary>After a rename in the source: the numbers of <paramref name="from"/> and everything under it now name the new paths.</summary>
    public void Rename(string from, string to)
    {
        lock (_lock)
        {
            var moved = _inodes.Where(p => p.Key == from || (p.Key.Length > from.Length && p.Key[from.Length] == '/' && p.Key.StartsWith(from, StringComparison.Ordinal))).ToList();
            // What the rename replaced keeps its number only for handles still open on it.
            _inodes.TryRemove(to, out _);
            foreach (var (path, _) in moved)
            {
                _inodes.TryRemove(path, out _);
            }

            foreach (var (path, ino) in moved)
            {
                var renamed = to + path[from.Length..];
                Append(ino, renamed);
                _paths[ino] = renamed;
                _inodes[renamed] = ino;
            }
        }
    }

    public void Dispose() => _journal?.Dispose();

    private void Append(ulong ino, string path)
    {
        if (_journal is null)
        {
            return;
        }

        var length = Encoding.UTF8.GetByteCount(path);
        if (length > MaxPathBytes)
        {
            throw new PathTooLongException($"dataset path of {length} bytes is longer than the {MaxPathBytes} bytes a mount serves");
        }

        Span<byte> record = stackalloc byte[10 + length];
        BinaryPrimitives.WriteUInt64LittleEndian(record, ino);
        BinaryPrimitives.WriteUInt16LittleEndian(record[8..], (ushort)length);
        Encoding.UTF8.GetBytes(path, record[10..]);
        RandomAccess.Write(_journal, record, _journalLength);
        _journalLength += record.Length;
    }

    private void Replay()
    {
        var length = RandomAccess.GetLength(_journal!);
        var bytes = new byte[length];
        var read = BlockReader.ReadFully(_journal!, bytes, 0);

        var position = 0;
        while (position + 10 <= read)
        {
            var ino = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(position));
            var size = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position + 8));
            if (position + 10 + size > read || ino <= RootInode)
            {
                break;
            }

            var path = Encoding.UTF8.GetString(bytes, position + 10, size);
            // A later record of a number is a rename: its old path no longer has it.
            if (_paths.TryGetValue(ino, out var old) && _inodes.TryGetValue(old, out var owner) && owner == ino)
            {
                _inodes.TryRemove(old, out _);
            }

            _paths[ino] = path;
            _inodes[path] = ino;
            position += 10 + size;
            Replayed++;
        }

        // A record torn by a crash in the middle of its write is dropped; the next number is written after the last whole one.
        _journalLength = position;
        if (position < length)
        {
            RandomAccess.SetLength(_journal!, position);
        }
    }

    // FNV-1a over the UTF-16 code units: deterministic across processes, unlike string.GetHashCode.
    internal static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
