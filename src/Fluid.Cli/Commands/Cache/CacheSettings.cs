using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Serialization;
using Fluid.Cache.Store;

namespace Fluid.Cli.Commands.Cache;

/// <summary>
/// Settings of the cache processes, each from (first found) its flag, its environment variable
/// FLUID_CACHE_NAME (dashes become underscores), the --config file (YAML or JSON, keys named
/// like the flags without dashes in front), or its default.
/// </summary>
internal sealed class CacheSettings
{
    private readonly ParseResult _result;
    private readonly JsonObject _config;

    private CacheSettings(ParseResult result, JsonObject config)
    {
        _result = result;
        _config = config;
    }

    /// <summary>The --config option every cache command has.</summary>
    public static Option<FileInfo?> ConfigOption { get; } = new("--config")
    {
        Description = "YAML or JSON file with settings named like the flags (e.g. data-dir: /var/lib/fluid); flags and FLUID_CACHE_* variables win over it.",
    };

    /// <summary>Reads the config file, if one was given.</summary>
    public static CacheSettings From(ParseResult result)
    {
        var file = result.GetValue(ConfigOption) ?? (Environment.GetEnvironmentVariable("FLUID_CACHE_CONFIG") is { Length: > 0 } env ? new FileInfo(env) : null);
        if (file is null)
        {
            return new CacheSettings(result, []);
        }

        if (!file.Exists)
        {
            throw new CliException($"--config: {file.FullName} does not exist");
        }

        if (file.Length > 1 << 20)
        {
            throw new CliException($"--config: {file.FullName} is larger than 1 MiB");
        }

        try
        {
            return new CacheSettings(result, YamlDocuments.Parse(File.ReadAllText(file.FullName)).SingleOrDefault()?.Content as JsonObject ?? []);
        }
        catch (YamlSyntaxException e)
        {
            throw new CliException($"--config: {file.FullName} is not valid YAML: {e.Message}");
        }
    }

    /// <summary>A setting's text, or null.</summary>
    public string? Text(Option<string?> option)
    {
        var name = option.Name.TrimStart('-');
        return _result.GetValue(option)
            ?? (Environment.GetEnvironmentVariable("FLUID_CACHE_" + name.Replace('-', '_').ToUpperInvariant()) is { Length: > 0 } env ? env : null)
            ?? (_config[name] is JsonValue value ? value.ToString() : null);
    }

    /// <summary>A setting's list (repeatable flag, comma-separated variable, or a list in the config file).</summary>
    public IReadOnlyList<string> List(Option<string[]> option)
    {
        var name = option.Name.TrimStart('-');
        if (_result.GetValue(option) is { Length: > 0 } given)
        {
            return given;
        }

        if (Environment.GetEnvironmentVariable("FLUID_CACHE_" + name.Replace('-', '_').ToUpperInvariant()) is { Length: > 0 } env)
        {
            return env.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return _config[name] switch
        {
            JsonArray array => [.. array.Select(n => n?.ToString() ?? "")],
            JsonValue single => [single.ToString()],
            _ => [],
        };
    }

    /// <summary>A required setting's text.</summary>
    public string Required(Option<string?> option, string what) =>
        Text(option) ?? throw new CliException($"{option.Name} is required: {what} (or set FLUID_CACHE_{option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant()}, or put it in --config)");

    /// <summary>A size setting ("4Mi", "2Gi", "1048576").</summary>
    public long Size(Option<string?> option, long fallback)
    {
        var text = Text(option);
        if (text is null)
        {
            return fallback;
        }

        if (!Quantity.TryParse(text, out var quantity, out var error) || quantity.Value <= 0)
        {
            throw new CliException($"{option.Name}: {error ?? $"{text} must be positive"}");
        }

        return quantity.ToInt64();
    }

    /// <summary>A duration setting ("30s", "5m").</summary>
    public TimeSpan Duration(Option<string?> option, TimeSpan fallback)
    {
        var text = Text(option);
        if (text is null)
        {
            return fallback;
        }

        return GoDuration.TryParse(text, out var duration, out var error) && duration.Value > TimeSpan.Zero
            ? duration.Value
            : throw new CliException($"{option.Name}: {error ?? $"{text} must be positive"}");
    }

    /// <summary>A whole-number setting.</summary>
    public int Int(Option<string?> option, int fallback, int min, int max)
    {
        var text = Text(option);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new CliException($"{option.Name}: \"{text}\" must be a whole number from {min} to {max}");
    }

    /// <summary>The token, read from the file a setting names.</summary>
    public string Token(Option<string?> option)
    {
        var path = Required(option, "a file holding the runtime's token (create one with: head -c 32 /dev/urandom | base64 > token)");
        try
        {
            var token = File.ReadAllText(path).Trim();
            return token.Length switch
            {
                0 => throw new CliException($"{option.Name}: {path} is empty; put the runtime's token in it"),
                > 512 => throw new CliException($"{option.Name}: {path} holds more than 512 characters; a token is one line"),
                _ => token,
            };
        }
        catch (IOException e)
        {
            throw new CliException($"{option.Name}: cannot read {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException($"{option.Name}: no permission to read {path}");
        }
    }

    /// <summary>
    /// Tiers from specs "MEDIUM:PATH[,PATH...]:QUOTA[:HIGH:LOW]", fastest first, e.g.
    /// "MEM:/dev/shm/fluid:2Gi" or "SSD:/mnt/a,/mnt/b:100Gi:0.9:0.7" (the quota is split over the paths).
    /// </summary>
    public static IReadOnlyList<TierOptions> Tiers(IReadOnlyList<string> specs, string flag)
    {
        if (specs.Count == 0)
        {
            throw new CliException($"{flag} is required: at least one tier such as {flag} MEM:/dev/shm/fluid:2Gi");
        }

        var tiers = new List<TierOptions>();
        foreach (var spec in specs)
        {
            var parts = spec.Split(':');
            if (parts.Length is not (3 or 5))
            {
                throw new CliException($"{flag} \"{spec}\": write MEDIUM:PATH[,PATH...]:QUOTA[:HIGH:LOW], e.g. MEM:/dev/shm/fluid:2Gi");
            }

            var medium = parts[0].ToUpperInvariant();
            if (medium is not ("MEM" or "SSD" or "HDD"))
            {
                throw new CliException($"{flag} \"{spec}\": medium {parts[0]} is not MEM, SSD or HDD");
            }

            var paths = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (paths.Length == 0 || paths.Any(p => !Path.IsPathRooted(p)))
            {
                throw new CliException($"{flag} \"{spec}\": give absolute paths");
            }

            if (!Quantity.TryParse(parts[2], out var quota, out var error) || quota.Value <= 0)
            {
                throw new CliException($"{flag} \"{spec}\": {error ?? "the quota must be positive"}");
            }

            var (high, low) = (0.95, 0.7);
            if (parts.Length == 5
                && !(double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out high)
                    && double.TryParse(parts[4], NumberStyles.Float, CultureInfo.InvariantCulture, out low)
                    && low >= 0 && low < high && high <= 1))
            {
                throw new CliException($"{flag} \"{spec}\": watermarks must satisfy 0 <= low < high <= 1 (e.g. :0.95:0.7)");
            }

            var each = quota.ToInt64() / paths.Length;
            tiers.Add(new TierOptions
            {
                Medium = medium,
                Paths = [.. paths.Select(p => new TierPath(p, each))],
                High = high,
                Low = low,
            });
        }

        return tiers;
    }
}
