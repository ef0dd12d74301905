using System.Globalization;

namespace Fluid.Cache.Store;

/// <summary>
/// The name of a block file, <c>{file key}-{index}-{crc32c:x8}</c>, in the folder named by the key's first
/// two hex digits: the name alone says which block the file is and what its bytes must hash to.
/// </summary>
internal static class BlockFileName
{
    public static string Format(BlockId id, uint crc) =>
        string.Create(CultureInfo.InvariantCulture, $"{id.File}-{id.Index}-{crc:x8}");

    /// <summary>The folder (under <c>fluid-blocks</c>) the blocks of a file version go in.</summary>
    public static string Folder(FileKey file) => file.ToString()[..2];

    /// <summary>Parses a name <see cref="Format"/> wrote, and only such a name (no upper case, no leading zeros).</summary>
    public static bool TryParse(string name, out BlockId id, out uint crc)
    {
        id = default;
        crc = 0;
        var parts = name.Split('-');
        if (parts.Length != 3
            || !FileKey.TryParse(parts[0], out var file)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || parts[2].Length != 8
            || !uint.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out crc))
        {
            return false;
        }

        id = new BlockId(file, index);
        return string.Equals(Format(id, crc), name, StringComparison.Ordinal);
    }
}
