using Fluid.Api.Validation;

namespace Fluid.Kube.Resources;

/// <summary>How the API serves one kind: its group, version, plural, and whether it lives in a namespace.</summary>
public sealed record ResourceDescriptor(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    /// <summary>Has a /status subresource.</summary>
    public bool HasStatus { get; init; }

    /// <summary>Has a /scale subresource.</summary>
    public bool HasScale { get; init; }

    /// <summary>"group/version", or the version alone for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"plural.group", or the plural alone for the core group (as kubectl names it).</summary>
    public string FullName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>
    /// The path of the collection or of one object: /api/v1/namespaces/NS/pods/NAME/SUBRESOURCE. A null or
    /// empty namespace on a namespaced kind means all namespaces, which only collections accept.
    /// </summary>
    public string Path(string? @namespace = null, string? name = null, string? subresource = null)
    {
        var path = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        if (Namespaced)
        {
            if (!string.IsNullOrEmpty(@namespace))
            {
                ValidateNamespace(@namespace);
                path += "/namespaces/" + Uri.EscapeDataString(@namespace);
            }
            else if (name is not null)
            {
                throw new ArgumentException($"{Kind} is namespaced: name the namespace of {Kind} \"{name}\"", nameof(@namespace));
            }
        }
        else if (!string.IsNullOrEmpty(@namespace))
        {
            throw new ArgumentException($"{Kind} is cluster-scoped: it has no namespace, but \"{@namespace}\" was given", nameof(@namespace));
        }

        path += "/" + Plural;
        if (name is not null)
        {
            ValidateName(name);
            path += "/" + Uri.EscapeDataString(name);
        }

        if (subresource is not null)
        {
            if (name is null)
            {
                throw new ArgumentException($"subresource {subresource} needs an object name", nameof(subresource));
            }

            path += "/" + subresource;
        }

        return path;
    }

    /// <summary>Throws when a name cannot be an object name in a URL path.</summary>
    public void ValidateName(string name)
    {
        // The server's rule for every name that appears in a path: no '/', no '%', not '.' or '..'.
        if (name.Length == 0)
        {
            throw new ArgumentException($"a {Kind} name must not be empty", nameof(name));
        }

        if (name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{name}\" cannot be a {Kind} name: it may not be '.' or '..' or contain '/' or '%'", nameof(name));
        }
    }

    private static void ValidateNamespace(string @namespace)
    {
        if (Names.Dns1123Label(@namespace) is { } problem)
        {
            throw new ArgumentException($"namespace {problem}", nameof(@namespace));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} ({FullName}/{Version})";
}
