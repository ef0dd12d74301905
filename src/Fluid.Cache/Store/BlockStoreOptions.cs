using System.Globalization;

namespace Fluid.Cache.Store;

/// <summary>One directory of a tier and the bytes of blocks it may hold.</summary>
/// <param name="Directory">Where the blocks go, under <c>fluid-blocks/</c>; created when missing.</param>
/// <param name="QuotaBytes">The most bytes of blocks kept there; greater than 0.</param>
public sealed record TierPath(string Directory, long QuotaBytes);

/// <summary>One storage tier: a medium, its directories and its watermarks.</summary>
public sealed record TierOptions
{
    /// <summary>The media a tier can be.</summary>
    public static readonly IReadOnlyList<string> Media = ["MEM", "SSD", "HDD"];

    /// <summary>"MEM", "SSD" or "HDD"; reported with every block and in <see cref="BlockStore.Usage"/>.</summary>
    public required string Medium { get; init; }

    /// <summary>The directories of the tier; a block goes to the one with the most free space.</summary>
    public required IReadOnlyList<TierPath> Paths { get; init; }

    /// <summary>When a write would take a path above this fraction of its quota, the path is evicted down to <see cref="Low"/>.</summary>
    public double High { get; init; } = 0.95;

    /// <summary>The fraction of its quota a path is evicted down to, counting the block being written.</summary>
    public double Low { get; init; } = 0.7;
}

/// <summary>How a worker's <see cref="BlockStore"/> is laid out.</summary>
public sealed record BlockStoreOptions
{
    /// <summary>4 MiB.</summary>
    public const int DefaultBlockSize = 4 << 20;

    /// <summary>The tiers, fastest first; blocks evicted from one spill into the next.</summary>
    public required IReadOnlyList<TierOptions> Tiers { get; init; }

    /// <summary>The largest block <see cref="BlockStore.Put"/> accepts.</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is wrong and what it should be.</summary>
    public void Validate()
    {
        if (BlockSize <= 0)
        {
            throw Invalid($"BlockSize must be greater than 0; got {BlockSize}");
        }

        if (Tiers is null || Tiers.Count == 0)
        {
            throw Invalid("Tiers: at least one tier is required, fastest first (for example MEM, then SSD)");
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var t = 0; t < Tiers.Count; t++)
        {
            var tier = Tiers[t] ?? throw Invalid($"Tiers[{t}] is null");
            var name = $"Tiers[{t}] ({tier.Medium})";
            if (!TierOptions.Media.Contains(tier.Medium, StringComparer.Ordinal))
            {
                throw Invalid($"Tiers[{t}].Medium '{tier.Medium}' is not a medium; use one of {string.Join(", ", TierOptions.Media)}");
            }

            if (!(tier.Low >= 0 && tier.Low < tier.High && tier.High <= 1))
            {
                throw Invalid(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name}: watermarks must satisfy 0 <= Low < High <= 1; got Low {tier.Low}, High {tier.High}"));
            }

            if (tier.Paths is null || tier.Paths.Count == 0)
            {
                throw Invalid($"{name}.Paths: at least one directory is required");
            }

            for (var p = 0; p < tier.Paths.Count; p++)
            {
                var path = tier.Paths[p] ?? throw Invalid($"{name}.Paths[{p}] is null");
                if (string.IsNullOrWhiteSpace(path.Directory))
                {
                    throw Invalid($"{name}.Paths[{p}].Directory is empty; give the directory the tier stores blocks in");
                }

                if (path.QuotaBytes <= 0)
                {
                    throw Invalid($"{name}.Paths[{p}] '{path.Directory}': QuotaBytes must be greater than 0; got {path.QuotaBytes}");
                }

                var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path.Directory));
                if (!seen.TryAdd(full, $"{name}.Paths[{p}]"))
                {
                    throw Invalid($"{name}.Paths[{p}] '{path.Directory}' is the same directory as {seen[full]}; give every path its own directory");
                }
            }
        }
    }

    private static ArgumentException Invalid(string message) => new($"block store options: {message}");
}
