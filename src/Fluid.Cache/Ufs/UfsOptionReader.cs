using System.Globalization;

namespace Fluid.Cache.Ufs;

/// <summary>
/// Reads a mount's options where one setting may be spelt several ways (ours, Alluxio's, Hadoop's),
/// and explains a bad value by the option's name as the user wrote it.
/// </summary>
internal sealed class UfsOptionReader(UfsMount mount)
{
    /// <summary>The first of <paramref name="names"/> that is set, with the name it was found under.</summary>
    public (string Name, string Value)? Find(params string[] names)
    {
        foreach (var name in names)
        {
            if (mount.Options.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return (name, value.Trim());
            }
        }

        return null;
    }

    public string? String(params string[] names) => Find(names)?.Value;

    public bool? Bool(params string[] names)
    {
        if (Find(names) is not (string name, string value))
        {
            return null;
        }

        return value.ToLowerInvariant() switch
        {
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            _ => throw new UfsException($"mount '{mount.Display}': option '{name}' is '{value}'; expected true or false"),
        };
    }

    public int Int(int defaultValue, int min, int max, params string[] names)
    {
        if (Find(names) is not (string name, string value))
        {
            return defaultValue;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new UfsException($"mount '{mount.Display}': option '{name}' is '{value}'; expected a whole number from {min} to {max}");
        }

        return number;
    }

    /// <summary>The first secret set under one of <paramref name="names"/>.</summary>
    public (string Name, SecretValue Value)? Secret(params string[] names)
    {
        foreach (var name in names)
        {
            if (mount.Secrets.TryGetValue(name, out var value))
            {
                return (name, value);
            }
        }

        return null;
    }
}
