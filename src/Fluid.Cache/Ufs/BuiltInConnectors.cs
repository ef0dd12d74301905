namespace Fluid.Cache.Ufs;

/// <summary>Registers the connectors that ship with the cache engine.</summary>
public static class BuiltInConnectors
{
    /// <summary>Adds every built-in connector to the registry.</summary>
    public static UfsRegistry AddBuiltInConnectors(this UfsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Add(new S3UfsProvider());
        registry.Add(new NfsUfsProvider());
        return registry;
    }
}
