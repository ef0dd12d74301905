using Fluid.Api.V1Alpha1;
using Fluid.Cache.Namespace;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Client;

/// <summary>Why a change could not be written to the source.</summary>
public enum SourceWriteRefusal
{
    /// <summary>The path's mount is readOnly, or its connector cannot write (http, a read-only S3 mode).</summary>
    ReadOnly,

    /// <summary>A rename between two mounts of the dataset (two different sources).</summary>
    CrossMount,

    /// <summary>The path is a virtual directory of the tree (the root above several mounts).</summary>
    NotInAMount,
}

/// <summary>A change refused before it reached the source.</summary>
public sealed class SourceWriteException(string message, SourceWriteRefusal refusal) : IOException(message)
{
    public SourceWriteRefusal Refusal { get; } = refusal;
}

/// <summary>
/// Writes of a ReadWriteMany dataset, straight to the source that holds each path (write-through: a change is in
/// the source when the call returns); the cached metadata of every path it touches is dropped here and at the master.
/// Cached blocks need no invalidation: they are keyed by the version of the file they came from.
/// </summary>
public sealed class SourceWriter : IAsyncDisposable
{
    private readonly CacheClient _client;
    private readonly DatasetTree _tree;
    private readonly List<(string Prefix, bool ReadOnly)> _mounts;

    private SourceWriter(CacheClient client, DatasetTree tree, List<(string Prefix, bool ReadOnly)> mounts)
    {
        _client = client;
        _tree = tree;
        _mounts = mounts;
    }

    /// <summary>
    /// Opens the connectors of the client's dataset for writing; refused unless the dataset's accessModes
    /// include ReadWriteMany (a dataset is read-only by default, as upstream).
    /// </summary>
    public static async Task<SourceWriter> OpenAsync(CacheClient client, UfsRegistry registry, ISecretSource secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var dataset = await client.Master.DatasetAsync(cancellationToken).ConfigureAwait(false);
        if (!IsReadWriteMany(dataset))
        {
            throw new SourceWriteException(
                $"dataset {client.Dataset} is read-only: add ReadWriteMany to spec.accessModes to write through to its sources", SourceWriteRefusal.ReadOnly);
        }

        var tree = DatasetTree.Open(dataset, registry, secrets);
        var mounts = (dataset.Spec.Mounts ?? []).Select(m => (UfsPath.Normalize(m.TreePath), m.ReadOnly == true)).ToList();
        return new SourceWriter(client, tree, mounts);
    }

    /// <summary>Whether the dataset's accessModes ask for ReadWriteMany.</summary>
    public static bool IsReadWriteMany(Dataset dataset) =>
        dataset.Spec.AccessModes?.Contains(AccessModes.ReadWriteMany, StringComparer.Ordinal) == true;

    /// <summary>Whether a change of <paramref name="path"/> may go to its source.</summary>
    public bool CanWrite(string path) => Writable(path, out _, out _);

    /// <summary>Creates or replaces a whole file.</summary>
    public async Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        var (ufs, source) = Require(path);
        await ufs.WriteFileAsync(source, content, cancellationToken).ConfigureAwait(false);
        await _client.RefreshAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a file or an empty directory.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var (ufs, source) = Require(path);
        await ufs.DeleteAsync(source, cancellationToken).ConfigureAwait(false);
        await _client.RefreshAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a directory (and its parents).</summary>
    public async Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        var (ufs, source) = Require(path);
        await ufs.CreateDirectoryAsync(source, cancellationToken).ConfigureAwait(false);
        await _client.RefreshAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renames within one source, replacing the target.</summary>
    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        var (ufs, source) = Require(from);
        var (target, destination) = Require(to);
        if (!ReferenceEquals(ufs, target))
        {
            throw new SourceWriteException($"cannot rename {from} to {to}: they are in different mounts of dataset {_client.Dataset}", SourceWriteRefusal.CrossMount);
        }

        await ufs.RenameAsync(source, destination, cancellationToken).ConfigureAwait(false);
        await _client.RefreshAsync(from, cancellationToken).ConfigureAwait(false);
        await _client.RefreshAsync(to, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _tree.DisposeAsync();

    private (IUnderFileSystem Ufs, string SourcePath) Require(string path)
    {
        if (Writable(path, out var resolved, out var refusal))
        {
            return resolved;
        }

        throw new SourceWriteException(refusal switch
        {
            SourceWriteRefusal.NotInAMount => $"{path} is not inside a mount of dataset {_client.Dataset}; only mounts hold files",
            _ => $"{path} is in a read-only mount of dataset {_client.Dataset} (mounts[].readOnly, or a source that cannot be written)",
        }, refusal);
    }

    private bool Writable(string path, out (IUnderFileSystem Ufs, string SourcePath) resolved, out SourceWriteRefusal refusal)
    {
        path = UfsPath.Normalize(path);
        resolved = default;
        var mount = _mounts.Where(m => UfsPath.IsUnder(path, m.Prefix)).OrderByDescending(m => m.Prefix.Length).Select(m => ((string, bool)?)m).FirstOrDefault();
        if (mount is null || _tree.Resolve(path) is not { } found)
        {
            refusal = SourceWriteRefusal.NotInAMount;
            return false;
        }

        resolved = found;
        refusal = SourceWriteRefusal.ReadOnly;
        // Writing the mount's root itself (a file at the mount point) is never meaningful.
        return !mount.Value.Item2 && found.Ufs.CanWrite && found.SourcePath.Length > 0;
    }
}
