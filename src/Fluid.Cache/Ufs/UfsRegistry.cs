namespace Fluid.Cache.Ufs;

/// <summary>Finds the connector for a mount point by its scheme, through registered providers.</summary>
public sealed class UfsRegistry
{
    private readonly Dictionary<string, IUfsProvider> _byScheme = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers a provider for each of its schemes; the last registration of a scheme wins.</summary>
    public UfsRegistry Add(IUfsProvider provider)
    {
        foreach (var scheme in provider.Schemes)
        {
            _byScheme[scheme] = provider;
        }

        return this;
    }

    /// <summary>The schemes that can be opened.</summary>
    public IReadOnlyCollection<string> Schemes => _byScheme.Keys;

    /// <summary>Opens a connector for the mount, or explains which schemes are supported.</summary>
    public IUnderFileSystem Open(UfsMount mount)
    {
        if (!_byScheme.TryGetValue(mount.MountPoint.Scheme, out var provider))
        {
            throw new UfsException(
                $"mount point '{mount.Display}': no connector for scheme '{mount.MountPoint.Scheme}'; supported: {string.Join(", ", _byScheme.Keys.Order())}");
        }

        return provider.Open(mount);
    }
}
