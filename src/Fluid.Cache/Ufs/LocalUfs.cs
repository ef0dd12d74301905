using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Fluid.Cache.Ufs;

/// <summary>
/// Opens directories of this node: <c>local:///abs/dir</c>, and <c>pvc://claim/sub</c> for a
/// PersistentVolumeClaim the embedded platform keeps in a directory.
/// </summary>
/// <param name="pvcRoot">The directory of a claim on this node, or null when the node does not have it.</param>
public sealed class LocalUfsProvider(Func<string, string?>? pvcRoot = null) : IUfsProvider
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> Schemes { get; } = ["local", "pvc"];

    /// <inheritdoc/>
    public IUnderFileSystem Open(UfsMount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var uri = mount.MountPoint;
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        string root;
        if (uri.Scheme.Equals("pvc", StringComparison.OrdinalIgnoreCase))
        {
            var claim = uri.Host;
            var claimRoot = claim.Length == 0 ? null : pvcRoot?.Invoke(claim);
            if (claimRoot is null)
            {
                throw new UfsException(
                    $"mount point '{mount.Display}': persistent volume claim '{claim}' is not known on this node; check the claim's name and that it is bound");
            }

            root = claimRoot.TrimEnd('/') + "/" + UfsPath.Normalize(path);
        }
        else
        {
            if (uri.Host.Length != 0)
            {
                throw new UfsException(
                    $"mount point '{mount.Display}': local:// takes an absolute directory and no host; write local:///{uri.Host}{path}");
            }

            root = path;
        }

        var real = LinuxFiles.TryRealPath(root, out var errno);
        if (real is null || !LinuxFiles.TryStat(real, out var status, out errno) || !status.IsDirectory)
        {
            var why = real is null ? Errno(errno) : "is not a directory";
            throw new UfsException($"mount point '{mount.Display}': directory '{root}' {why} on this node");
        }

        return new LocalUnderFileSystem(mount, real);
    }

    internal static string Errno(int errno) => errno switch
    {
        LinuxFiles.ENoEnt or LinuxFiles.ENotDir => "does not exist",
        LinuxFiles.EAcces => "is not accessible (permission denied)",
        LinuxFiles.ELoop => "has a symlink loop",
        _ => $"cannot be resolved (errno {errno})",
    };
}

/// <summary>
/// A directory of this node. Every path is resolved inside the root: a symlink that leads out of it is
/// refused, judged by the real path (and for reads, by the path the kernel actually opened).
/// </summary>
public sealed class LocalUnderFileSystem : IUnderFileSystem, IVersionedReader
{
    // Files being written are hidden from listings until they are renamed into place.
    private const string TempPrefix = ".fluid-write-";

    private readonly string _root;
    private readonly string _rootPrefix;

    internal LocalUnderFileSystem(UfsMount mount, string realRoot)
    {
        Mount = mount;
        _root = realRoot;
        _rootPrefix = realRoot.EndsWith('/') ? realRoot : realRoot + "/";
    }

    /// <inheritdoc/>
    public UfsMount Mount { get; }

    /// <inheritdoc/>
    public bool CanWrite => true;

    /// <inheritdoc/>
    public Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(path);
        var real = ResolveExisting(rel, "stat");
        if (real is null)
        {
            return Task.FromResult<UfsEntry?>(null);
        }

        if (!LinuxFiles.TryStat(real, out var status, out var errno))
        {
            return errno is LinuxFiles.ENoEnt or LinuxFiles.ENotDir
                ? Task.FromResult<UfsEntry?>(null)
                : throw Fail("stat", rel, LocalUfsProvider.Errno(errno));
        }

        return Task.FromResult(status.IsDirectory || status.IsRegularFile ? Entry(rel, status) : null);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<UfsEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(directory);
        foreach (var entry in List(rel, cancellationToken))
        {
            yield return entry;
        }

        await Task.CompletedTask;
    }

    private List<UfsEntry> List(string rel, CancellationToken cancellationToken)
    {
        var real = ResolveExisting(rel, "list") ?? throw Fail("list", rel, "does not exist");
        if (!LinuxFiles.TryStat(real, out var dir, out _) || !dir.IsDirectory)
        {
            throw Fail("list", rel, "is not a directory");
        }

        var entries = new List<UfsEntry>();
        try
        {
            foreach (var info in new DirectoryInfo(real).EnumerateFileSystemInfos())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (info.Name.StartsWith(TempPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var childReal = info.FullName;
                if ((info.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    // A symlink is listed only when it leads somewhere inside the root.
                    var target = LinuxFiles.TryRealPath(childReal, out _);
                    if (target is null || !IsInside(target))
                    {
                        continue;
                    }

                    childReal = target;
                }

                if (LinuxFiles.TryStat(childReal, out var status, out _) && (status.IsDirectory || status.IsRegularFile))
                {
                    entries.Add(Entry(UfsPath.Combine(rel, info.Name), status));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not UfsException)
        {
            throw Fail("list", rel, e);
        }

        return entries;
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(path);
        using var handle = OpenForRead(rel);
        return await ReadFullyAsync(handle, rel, offset, buffer, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expectedVersion);
        var rel = UfsPath.Normalize(path);
        using var handle = OpenForRead(rel);

        // The handle pins one file: a replacement by rename shows as another inode, a rewrite as another size or mtime.
        var before = LinuxFiles.Stat(handle).Version;
        if (before != expectedVersion)
        {
            throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, before);
        }

        var read = await ReadFullyAsync(handle, rel, offset, buffer, cancellationToken);
        var after = LinuxFiles.Stat(handle).Version;
        return after == expectedVersion ? read : throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, after);
    }

    /// <inheritdoc/>
    public async Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var rel = UfsPath.Normalize(path);
        if (rel.Length == 0)
        {
            throw Fail("write", rel, "is the mount's root directory");
        }

        var parent = EnsureDirectory(UfsPath.Parent(rel), "write");
        var target = Path.Join(parent, UfsPath.Name(rel));
        if (Directory.Exists(target))
        {
            throw Fail("write", rel, "is a directory");
        }

        var temp = Path.Join(parent, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            await using (var file = new FileStream(temp, options))
            {
                await content.CopyToAsync(file, 1 << 20, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            var errno = LinuxFiles.Rename(temp, target);
            if (errno != 0)
            {
                throw Fail("write", rel, errno == LinuxFiles.EIsDir ? "is a directory" : LocalUfsProvider.Errno(errno));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temp);
            if (e is UfsException or OperationCanceledException)
            {
                throw;
            }

            throw Fail("write", rel, e);
        }
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(path);
        if (rel.Length == 0)
        {
            throw Fail("delete", rel, "is the mount's root directory");
        }

        var parent = ResolveExisting(UfsPath.Parent(rel), "delete");
        if (parent is null)
        {
            return Task.CompletedTask;
        }

        var target = Path.Join(parent, UfsPath.Name(rel));
        try
        {
            var info = new FileInfo(target);
            if (info.LinkTarget is not null || info.Exists)
            {
                // A symlink goes, never what it points at.
                File.Delete(target);
            }
            else if (Directory.Exists(target))
            {
                if (Directory.EnumerateFileSystemEntries(target).Any())
                {
                    throw Fail("delete", rel, "is a directory that is not empty");
                }

                Directory.Delete(target);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not UfsException)
        {
            throw Fail("delete", rel, e);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        var source = UfsPath.Normalize(from);
        var destination = UfsPath.Normalize(to);
        if (source.Length == 0 || destination.Length == 0)
        {
            throw Fail("rename", source, "the mount's root cannot be renamed or replaced");
        }

        var sourceParent = ResolveExisting(UfsPath.Parent(source), "rename") ?? throw Fail("rename", source, "does not exist");
        var sourcePath = Path.Join(sourceParent, UfsPath.Name(source));
        var info = new FileInfo(sourcePath);
        if (info.LinkTarget is null && !info.Exists && !Directory.Exists(sourcePath))
        {
            throw Fail("rename", source, "does not exist");
        }

        var destinationParent = EnsureDirectory(UfsPath.Parent(destination), "rename");
        var errno = LinuxFiles.Rename(sourcePath, Path.Join(destinationParent, UfsPath.Name(destination)));
        if (errno != 0)
        {
            var why = errno switch
            {
                LinuxFiles.EIsDir => $"'{Display(destination)}' is a directory",
                LinuxFiles.ENotEmpty or LinuxFiles.EExist => $"'{Display(destination)}' is a directory that is not empty",
                LinuxFiles.ENotDir => $"'{Display(destination)}' is a file and '{Display(source)}' a directory",
                LinuxFiles.EInval => "a directory cannot move into itself",
                LinuxFiles.EXDev => "source and target are on different file systems",
                _ => LocalUfsProvider.Errno(errno),
            };
            throw new UfsException($"{Mount.Display}: cannot rename '{Display(source)}' to '{Display(destination)}': {why}");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        EnsureDirectory(UfsPath.Normalize(path), "create directory");
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private SafeFileHandle OpenForRead(string rel)
    {
        var real = ResolveExisting(rel, "read") ?? throw Fail("read", rel, "does not exist");
        if (LinuxFiles.TryStat(real, out var status, out _) && !status.IsRegularFile)
        {
            throw Fail("read", rel, status.IsDirectory ? "is a directory" : "is not a regular file");
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail("read", rel, e);
        }

        // A component swapped for a symlink between the check and the open shows in what the kernel opened.
        var opened = LinuxFiles.OpenedPath(handle);
        if (opened is null || !IsInside(opened))
        {
            handle.Dispose();
            throw Outside("read", rel);
        }

        return handle;
    }

    private async ValueTask<int> ReadFullyAsync(SafeFileHandle handle, string rel, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = await RandomAccess.ReadAsync(handle, buffer[total..], offset + total, cancellationToken);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (IOException e)
        {
            throw Fail("read", rel, e);
        }

        return total;
    }

    /// <summary>The real path of an existing path inside the root; null when it does not exist.</summary>
    private string? ResolveExisting(string rel, string verb)
    {
        var full = rel.Length == 0 ? _root : _rootPrefix + rel;
        var real = LinuxFiles.TryRealPath(full, out var errno);
        if (real is null)
        {
            return errno is LinuxFiles.ENoEnt or LinuxFiles.ENotDir ? null : throw Fail(verb, rel, LocalUfsProvider.Errno(errno));
        }

        return IsInside(real) ? real : throw Outside(verb, rel);
    }

    /// <summary>The real path of a directory inside the root, created with its parents when missing.</summary>
    private string EnsureDirectory(string rel, string verb)
    {
        var real = ResolveExisting(rel, verb);
        if (real is not null)
        {
            return LinuxFiles.TryStat(real, out var status, out _) && status.IsDirectory
                ? real
                : throw Fail(verb, rel, "is a file, not a directory");
        }

        if (rel.Length == 0)
        {
            throw Fail(verb, rel, "the mount's root directory no longer exists");
        }

        var parent = EnsureDirectory(UfsPath.Parent(rel), verb);
        var created = Path.Join(parent, UfsPath.Name(rel));
        try
        {
            // mkdir does not follow a dangling symlink of that name: it fails instead of creating outside.
            Directory.CreateDirectory(created);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(verb, rel, e);
        }

        return ResolveExisting(rel, verb) ?? throw Fail(verb, rel, "vanished while being created");
    }

    private bool IsInside(string real) =>
        real == _root || real.StartsWith(_rootPrefix, StringComparison.Ordinal);

    private static UfsEntry Entry(string rel, LinuxFileStatus status) =>
        new(rel, status.IsDirectory, status.Size, status.ModifiedTime, status.Version);

    private static string Display(string rel) => "/" + rel;

    private UfsException Outside(string verb, string rel) =>
        Fail(verb, rel, "is a symlink that leads outside the mount's root; it is refused");

    private UfsException Fail(string verb, string rel, string why) =>
        new($"{Mount.Display}: cannot {verb} '{Display(rel)}': {why}");

    private UfsException Fail(string verb, string rel, Exception e) => new(
        $"{Mount.Display}: cannot {verb} '{Display(rel)}': " + e switch
        {
            FileNotFoundException or DirectoryNotFoundException => "does not exist",
            UnauthorizedAccessException => "permission denied",
            _ => e.Message,
        },
        e);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Nothing more to do: the name is hidden from listings anyway.
        }
    }
}
