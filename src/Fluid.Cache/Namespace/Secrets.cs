using Fluid.Cache.Ufs;

namespace Fluid.Cache.Namespace;

/// <summary>Resolves a dataset's secret references (encryptOptions) to their values.</summary>
public interface ISecretSource
{
    /// <summary>The value of <paramref name="key"/> in Secret <paramref name="name"/> of namespace <paramref name="ns"/>.</summary>
    SecretValue Resolve(string ns, string name, string key);
}

/// <summary>
/// Secrets mounted as files, the way Kubernetes mounts them: <c>ROOT/NAME/KEY</c> (or
/// <c>ROOT/NAMESPACE/NAME/KEY</c> when that exists).
/// </summary>
public sealed class DirectorySecretSource(string root) : ISecretSource
{
    /// <inheritdoc/>
    public SecretValue Resolve(string ns, string name, string key)
    {
        foreach (var part in new[] { ns, name, key })
        {
            if (part.Length == 0 || part.Contains('/', StringComparison.Ordinal) || part is "." or ".." || part.Contains('\0', StringComparison.Ordinal))
            {
                throw new UfsException($"secret reference {name}/{key} is not a valid name");
            }
        }

        var namespaced = Path.Combine(root, ns, name, key);
        var plain = Path.Combine(root, name, key);
        var path = File.Exists(namespaced) ? namespaced : plain;
        if (!File.Exists(path))
        {
            throw new UfsException($"secret {ns}/{name} has no key \"{key}\" under {root}; create {plain} (or mount the Secret there)");
        }

        return SecretValue.FromFile(path);
    }
}
