namespace Fluid.Cache.Ufs;

/// <summary>The connectors that ship with Fluid; each adds itself here with one line.</summary>
public static class BuiltInConnectors
{
    /// <summary>Adds every built-in connector to a registry.</summary>
    /// <param name="registry">The registry to fill.</param>
    /// <param name="pvcRoot">Where this node keeps a PersistentVolumeClaim's files (for <c>pvc://</c>); null when it has none.</param>
    public static UfsRegistry AddBuiltInConnectors(this UfsRegistry registry, Func<string, string?>? pvcRoot = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Add(new LocalUfsProvider(pvcRoot));
        registry.Add(new HttpUfsProvider());
        registry.Add(new WebHdfsUfsProvider());
        registry.Add(new S3UfsProvider());
        registry.Add(new NfsUfsProvider());
        return registry;
    }

    /// <summary>A registry of every built-in connector.</summary>
    public static UfsRegistry Create(Func<string, string?>? pvcRoot = null) => new UfsRegistry().AddBuiltInConnectors(pvcRoot);
}
