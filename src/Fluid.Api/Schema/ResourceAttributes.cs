namespace Fluid.Api.Schema;

/// <summary>Whether objects of a kind live in a namespace or in the whole cluster.</summary>
public enum ResourceScope
{
    /// <summary>Objects live in a namespace.</summary>
    Namespaced,

    /// <summary>Objects are cluster-wide.</summary>
    Cluster,
}

/// <summary>Marks a class as a Kubernetes resource kind and says how it is served.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public class KubeResourceAttribute(string group, string version, string kind, string plural) : Attribute
{
    /// <summary>API group; "" for the core group.</summary>
    public string Group { get; } = group;

    /// <summary>API version within the group.</summary>
    public string Version { get; } = version;

    /// <summary>Kind name.</summary>
    public string Kind { get; } = kind;

    /// <summary>Plural resource name used in URLs.</summary>
    public string Plural { get; } = plural;

    /// <summary>Namespaced or cluster-wide.</summary>
    public ResourceScope Scope { get; set; } = ResourceScope.Namespaced;

    /// <summary>Short names kubectl accepts.</summary>
    public string[] ShortNames { get; set; } = [];

    /// <summary>Categories (e.g. "fluid", so `kubectl get fluid` lists them all).</summary>
    public string[] Categories { get; set; } = [];

    /// <summary>"group/version", or just the version for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Singular resource name: the kind in lower case.</summary>
    public string Singular => Kind.ToLowerInvariant();
}

/// <summary>A kind of Fluid's own group, data.fluid.io/v1alpha1, in category "fluid".</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FluidResourceAttribute : KubeResourceAttribute
{
    /// <summary>The API group of Fluid's kinds.</summary>
    public const string FluidGroup = "data.fluid.io";

    /// <summary>The API version of Fluid's kinds.</summary>
    public const string FluidVersion = "v1alpha1";

    /// <summary>Declares a kind of data.fluid.io/v1alpha1.</summary>
    public FluidResourceAttribute(string kind, string plural)
        : base(FluidGroup, FluidVersion, kind, plural)
    {
        Categories = ["fluid"];
    }
}

/// <summary>A column `kubectl get` prints for the kind (additionalPrinterColumns).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PrinterColumnAttribute(string name, string type, string jsonPath) : Attribute
{
    /// <summary>Column header.</summary>
    public string Name { get; } = name;

    /// <summary>OpenAPI type: string, integer, number, boolean or date.</summary>
    public string Type { get; } = type;

    /// <summary>JSONPath into the object, e.g. ".status.phase".</summary>
    public string JsonPath { get; } = jsonPath;

    /// <summary>0 shows always; higher shows only with -o wide.</summary>
    public int Priority { get; set; }

    /// <summary>Human description of the column.</summary>
    public string? Description { get; set; }

    /// <summary>Optional OpenAPI format.</summary>
    public string? Format { get; set; }

    /// <summary>Order among the kind's columns; lower first (attribute order is not guaranteed by reflection).</summary>
    public int Order { get; set; }
}

/// <summary>The kind has a status subresource: status is written only through /status.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StatusSubresourceAttribute : Attribute;

/// <summary>The kind has a scale subresource (kubectl scale, autoscalers).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ScaleSubresourceAttribute(string specReplicasPath, string statusReplicasPath) : Attribute
{
    /// <summary>JSONPath of the desired replicas, e.g. ".spec.replicas".</summary>
    public string SpecReplicasPath { get; } = specReplicasPath;

    /// <summary>JSONPath of the observed replicas.</summary>
    public string StatusReplicasPath { get; } = statusReplicasPath;

    /// <summary>JSONPath of a serialized label selector, if any.</summary>
    public string? LabelSelectorPath { get; set; }
}
