namespace Fluid.Api.Schema;

/// <summary>
/// The field (or every field of the class) accepts any JSON and keeps it as written
/// (x-kubernetes-preserve-unknown-fields); nothing under it is reported as unknown.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, Inherited = false)]
public sealed class PreserveUnknownFieldsAttribute : Attribute;

/// <summary>
/// Fields Kubernetes defines on this type that we do not model: accepted without a warning and
/// kept verbatim in the type's [JsonExtensionData] property. Derived types inherit the list.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class OpaqueFieldsAttribute(params string[] names) : Attribute
{
    /// <summary>The JSON names of the fields.</summary>
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>The field holds an integer or a string (x-kubernetes-int-or-string).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class IntOrStringAttribute : Attribute;

/// <summary>
/// The list is a set keyed by these fields (x-kubernetes-list-type: map), so server-side apply
/// merges items by key.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ListMapKeysAttribute(params string[] keys) : Attribute
{
    /// <summary>The key fields of each item.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;
}
