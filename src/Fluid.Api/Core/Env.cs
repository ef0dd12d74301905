namespace Fluid.Api.Core;

/// <summary>An environment variable of a container (core/v1 EnvVar).</summary>
public sealed class EnvVar
{
    /// <summary>Variable name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Literal value.</summary>
    public string? Value { get; set; }

    /// <summary>Where the value comes from instead of a literal.</summary>
    public EnvVarSource? ValueFrom { get; set; }
}

/// <summary>A source for an environment variable's value.</summary>
public sealed class EnvVarSource
{
    /// <summary>A key of a Secret.</summary>
    public KeySelector? SecretKeyRef { get; set; }

    /// <summary>A key of a ConfigMap.</summary>
    public KeySelector? ConfigMapKeyRef { get; set; }

    /// <summary>A field of the pod, e.g. metadata.name or spec.nodeName.</summary>
    public ObjectFieldSelector? FieldRef { get; set; }

    /// <summary>A resource of the container, e.g. limits.memory.</summary>
    public ResourceFieldSelector? ResourceFieldRef { get; set; }
}

/// <summary>Selects a field of the pod.</summary>
public sealed class ObjectFieldSelector
{
    /// <summary>Version of the schema the path is written in.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Path of the field.</summary>
    public string FieldPath { get; set; } = "";
}

/// <summary>Selects a resource of a container.</summary>
public sealed class ResourceFieldSelector
{
    /// <summary>Container name; the current one when empty.</summary>
    public string? ContainerName { get; set; }

    /// <summary>The resource, e.g. limits.cpu.</summary>
    public string Resource { get; set; } = "";

    /// <summary>Output unit.</summary>
    public Quantity? Divisor { get; set; }
}

/// <summary>Sets environment variables from every key of a ConfigMap or Secret.</summary>
public sealed class EnvFromSource
{
    /// <summary>Prefix added to every key.</summary>
    public string? Prefix { get; set; }

    /// <summary>The ConfigMap.</summary>
    public OptionalReference? ConfigMapRef { get; set; }

    /// <summary>The Secret.</summary>
    public OptionalReference? SecretRef { get; set; }
}

/// <summary>A reference by name that may be marked optional.</summary>
public sealed class OptionalReference
{
    /// <summary>Name of the referent.</summary>
    public string? Name { get; set; }

    /// <summary>Whether the referent may be missing.</summary>
    public bool? Optional { get; set; }
}
