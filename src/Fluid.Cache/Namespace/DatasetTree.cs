using System.Runtime.CompilerServices;
using Fluid.Api.V1Alpha1;
using Fluid.Cache.Ufs;

namespace Fluid.Cache.Namespace;

/// <summary>
/// A dataset's sources merged into one tree as its mounts say: each mount at its path (/{name}
/// unless an absolute path is given), a single mount at "/" as the root. Paths here are
/// normalized and relative ("" is the root); directories above mount points are virtual.
/// </summary>
public sealed class DatasetTree : IAsyncDisposable
{
    private readonly List<(string Prefix, IUnderFileSystem Ufs)> _mounts;

    private DatasetTree(string name, List<(string Prefix, IUnderFileSystem Ufs)> mounts)
    {
        Name = name;
        _mounts = mounts;
    }

    /// <summary>"namespace/name".</summary>
    public string Name { get; }

    /// <summary>Where each mount sits ("" for the root) and its source, for display.</summary>
    public IReadOnlyList<(string Prefix, string Source)> Mounts => [.. _mounts.Select(m => (m.Prefix, m.Ufs.Mount.Display))];

    /// <summary>Opens the connectors of every mount of a dataset.</summary>
    public static DatasetTree Open(Dataset dataset, UfsRegistry registry, ISecretSource secrets)
    {
        var ns = string.IsNullOrEmpty(dataset.Metadata.Namespace) ? "default" : dataset.Metadata.Namespace;
        var name = $"{ns}/{dataset.Metadata.Name}";
        var mounts = new List<(string, IUnderFileSystem)>();
        try
        {
            foreach (var mount in dataset.Spec.Mounts ?? [])
            {
                if (mount.MountPoint.StartsWith("dataset://", StringComparison.Ordinal))
                {
                    throw new UfsException($"dataset {name}: dataset:// mounts are resolved by the control plane, not by the cache engine");
                }

                var options = new Dictionary<string, string>(dataset.Spec.SharedOptions ?? [], StringComparer.Ordinal);
                foreach (var (key, value) in mount.Options ?? [])
                {
                    options[key] = value;
                }

                var secretValues = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
                foreach (var option in (dataset.Spec.SharedEncryptOptions ?? []).Concat(mount.EncryptOptions ?? []))
                {
                    var reference = option.ValueFrom?.SecretKeyRef
                        ?? throw new UfsException($"dataset {name}: encrypt option {option.Name} has no secretKeyRef");
                    secretValues[option.Name] = secrets.Resolve(ns, reference.Name, reference.Key ?? option.Name);
                }

                if (!Uri.TryCreate(mount.MountPoint, UriKind.Absolute, out var uri))
                {
                    throw new UfsException($"dataset {name}: mount point {mount.MountPoint} is not a URI");
                }

                var prefix = UfsPath.Normalize(mount.TreePath);
                mounts.Add((prefix, registry.Open(new UfsMount(uri, options, secretValues))));
            }
        }
        catch
        {
            foreach (var (_, ufs) in mounts)
            {
                ufs.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }

        return new DatasetTree(name, mounts);
    }

    /// <summary>A tree over already opened connectors (tests, the SDK).</summary>
    public static DatasetTree Of(string name, params (string TreePath, IUnderFileSystem Ufs)[] mounts) =>
        new(name, [.. mounts.Select(m => (UfsPath.Normalize(m.TreePath), m.Ufs))]);

    /// <summary>The connector and source-relative path holding a dataset path, or null for virtual directories.</summary>
    public (IUnderFileSystem Ufs, string SourcePath)? Resolve(string path)
    {
        path = UfsPath.Normalize(path);
        (string Prefix, IUnderFileSystem Ufs)? best = null;
        foreach (var mount in _mounts)
        {
            if (UfsPath.IsUnder(path, mount.Prefix) && (best is null || mount.Prefix.Length > best.Value.Prefix.Length))
            {
                best = mount;
            }
        }

        return best is { } m ? (m.Ufs, m.Prefix.Length == 0 ? path : path.Length == m.Prefix.Length ? "" : path[(m.Prefix.Length + 1)..]) : null;
    }

    /// <summary>Stat of a dataset path; null when it does not exist.</summary>
    public async Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        path = UfsPath.Normalize(path);
        if (IsVirtual(path))
        {
            return new UfsEntry(path, true, 0, DateTimeOffset.UnixEpoch, "dir");
        }

        if (Resolve(path) is not { } target)
        {
            return null;
        }

        var entry = await target.Ufs.StatAsync(target.SourcePath, cancellationToken).ConfigureAwait(false);
        return entry is null ? null : entry with { Path = path };
    }

    /// <summary>The children of a dataset directory, each with its dataset path.</summary>
    public async IAsyncEnumerable<UfsEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        directory = UfsPath.Normalize(directory);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (prefix, _) in _mounts)
        {
            if (prefix.Length > 0 && UfsPath.IsUnder(prefix, directory) && prefix != directory)
            {
                var rest = directory.Length == 0 ? prefix : prefix[(directory.Length + 1)..];
                var child = rest.Split('/')[0];
                if (seen.Add(child))
                {
                    yield return new UfsEntry(UfsPath.Combine(directory, child), true, 0, DateTimeOffset.UnixEpoch, "dir");
                }
            }
        }

        if (Resolve(directory) is not { } target)
        {
            yield break;
        }

        await foreach (var entry in target.Ufs.ListAsync(target.SourcePath, cancellationToken).ConfigureAwait(false))
        {
            var name = UfsPath.Name(entry.Path);
            if (seen.Add(name))
            {
                yield return entry with { Path = UfsPath.Combine(directory, name) };
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var (_, ufs) in _mounts)
        {
            await ufs.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool IsVirtual(string path) =>
        (path.Length == 0 && _mounts.All(m => m.Prefix.Length > 0))
        || _mounts.Any(m => m.Prefix.Length > path.Length && UfsPath.IsUnder(m.Prefix, path)) && Resolve(path) is null;

}
