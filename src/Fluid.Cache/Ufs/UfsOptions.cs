using System.Globalization;
using Fluid.Api.Core;

namespace Fluid.Cache.Ufs;

/// <summary>Reading the options of a mount the same way in every connector.</summary>
internal static class UfsOptions
{
    /// <summary>An option's value, or null when it is not set (or set to an empty string).</summary>
    public static string? Get(UfsMount mount, string name) =>
        mount.Options.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>A duration option: a Go duration ("30s", "2m") or a number of seconds.</summary>
    public static TimeSpan Duration(UfsMount mount, string name, TimeSpan fallback)
    {
        var text = Get(mount, name);
        if (text is null)
        {
            return fallback;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e6)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (GoDuration.TryParse(text, out var duration, out _) && duration.Value > TimeSpan.Zero)
        {
            return duration.Value;
        }

        throw new UfsException($"mount point '{mount.Display}': option '{name}' is '{text}'; write a positive duration such as 30s or 2m");
    }

    /// <summary>A secret, or null when the mount has none of that name.</summary>
    public static SecretValue? Secret(UfsMount mount, string name) =>
        mount.Secrets.TryGetValue(name, out var value) ? value : null;
}
