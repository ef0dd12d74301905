using System.Text.RegularExpressions;

namespace Fluid.Api.Validation;

/// <summary>The name rules of Kubernetes (DNS labels and subdomains), with messages that say how to fix a name.</summary>
public static partial class Names
{
    /// <summary>Longest DNS label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longest DNS subdomain.</summary>
    public const int MaxSubdomainLength = 253;

    /// <summary>What is wrong with a DNS-1035 label (lowercase letters, digits, '-', starting with a letter), or null.</summary>
    public static string? Dns1035Label(string value)
    {
        if (value.Length > MaxLabelLength)
        {
            return $"\"{value}\" is {value.Length} characters; use at most {MaxLabelLength}";
        }

        return Dns1035().IsMatch(value)
            ? null
            : $"\"{value}\" is not a valid name: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (e.g. \"imagenet\", \"my-data-1\")";
    }

    /// <summary>What is wrong with a DNS-1123 label (lowercase letters, digits, '-'), or null.</summary>
    public static string? Dns1123Label(string value)
    {
        if (value.Length > MaxLabelLength)
        {
            return $"\"{value}\" is {value.Length} characters; use at most {MaxLabelLength}";
        }

        return Dns1123().IsMatch(value)
            ? null
            : $"\"{value}\" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. \"team-a\")";
    }

    /// <summary>What is wrong with a DNS-1123 subdomain (labels joined by '.'), or null.</summary>
    public static string? Dns1123Subdomain(string value)
    {
        if (value.Length > MaxSubdomainLength)
        {
            return $"\"{value}\" is {value.Length} characters; use at most {MaxSubdomainLength}";
        }

        return Subdomain().IsMatch(value)
            ? null
            : $"\"{value}\" is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. \"my-secret\")";
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
